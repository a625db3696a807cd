"""The public status page in a real browser, in English and Romanian: no serious or critical
axe violation, no English left on the Romanian page; an agent publishes an incident from a P1
ticket's console page, posts two updates and resolves it; a subscriber confirms by the mail's
link, gets each notice once, unsubscribes with one click and gets nothing after."""

import re
import urllib.request
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from servicedesk.statuspage import services as status_services
from servicedesk.statuspage.cache import local_forget
from servicedesk.statuspage.models import Component
from tests.accounts.factories import AgentFactory, SupportGroupFactory, UserFactory
from tests.catalog.factories import ServiceFactory
from tests.e2e.conftest import PHONE, axe_blocking, page_problems
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _status_page_copies_forgotten():
    local_forget()
    yield
    local_forget()


def _mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def _link(message, part: str) -> str:
    return next(w for w in message.body.split() if part in w)


@pytest.fixture
def status_desk(db):
    agent = AgentFactory(username="lena", first_name="Lena")
    SupportGroupFactory(name="Service Desk", tier=1, members=[agent])
    email = ServiceFactory(name="Email")
    Component.objects.create(service=email, name="Email", name_ro="E-mail", position=1)
    Component.objects.create(service=ServiceFactory(name="VPN"), name="VPN", position=2)
    requester = UserFactory(username="ana", first_name="Ana")
    ticket = ticket_logged(
        requester=requester,
        actor=agent,
        title="Mail server down",
        service=email,
        impact="high",
        urgency="high",
    )
    assert ticket.priority == 1
    return agent, ticket


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_the_public_pages_are_accessible_in_both_languages(person, status_desk, lang):
    agent, ticket = status_desk
    # A history for the bars, a past incident and maintenance ahead, as a real page has.
    now = timezone.now()
    Component.objects.update(created_at=now - timedelta(days=120))
    vpn = Component.objects.get(name="VPN")
    with time_machine.travel(now - timedelta(days=20), tick=False):
        past = status_services.incident_publish(
            actor=agent,
            title="VPN connections drop",
            message="We are investigating.",
            components=[vpn],
            component_status="partial_outage",
        )
    with time_machine.travel(now - timedelta(days=20, hours=-3), tick=False):
        status_services.incident_update_post(
            incident=past, actor=agent, status="resolved", message="Fixed."
        )
    status_services.maintenance_schedule(
        actor=agent,
        title="VPN gateway upgrade",
        message="Connections may drop for a minute.",
        components=[vpn],
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=2),
    )
    status_services.incident_publish(
        actor=agent,
        ticket=ticket,
        title="Email is unavailable",
        message="We are investigating.",
        components=list(Component.objects.filter(name="Email")),
        component_status="major_outage",
    )
    visitor = person(None, lang=lang, sign_in=False)
    found = {}
    for name, path in (
        ("status page", f"/status/?lang={lang}"),
        ("history", f"/status/incidents/?lang={lang}"),
        ("subscribe", f"/status/subscribe/?lang={lang}"),
    ):
        visitor.go(path)
        found[name] = page_problems(visitor)
    visitor.go(f"/status/?lang={lang}")
    assert visitor.page.locator("h1").inner_text() == visitor.t("Major system outage")
    visitor.shot("status-page")
    phone = person(None, lang=lang, sign_in=False, viewport=PHONE)
    phone.go(f"/status/?lang={lang}")
    found["phone"] = axe_blocking(phone.page)
    assert phone.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert {name: v for name, v in found.items() if v} == {}


def test_publish_update_resolve_and_a_subscriber_from_confirm_to_unsubscribe(
    person, status_desk, live_server
):
    agent, ticket = status_desk
    mail.outbox.clear()

    # A visitor subscribes on the page and confirms by the mail's link.
    reader = person(None, lang="ro", sign_in=False)
    reader.go("/status/?lang=ro")
    reader.submit(reader.page.get_by_role("link", name=reader.t("Subscribe to updates")))
    reader.page.get_by_label(reader.t("Email address")).fill("reader@example.org")
    reader.submit(reader.page.get_by_role("button", name=reader.t("Subscribe")))
    assert reader.page.locator("h1").inner_text() == reader.t("Check your inbox")
    (confirm,) = _mails_to("reader@example.org")
    assert confirm.subject == reader.t("Confirm your subscription to the status page")
    reader.page.goto(
        _link(confirm, "/status/confirm/").replace("http://127.0.0.1:8000", live_server.url)
    )
    reader.submit(reader.page.get_by_role("button", name=reader.t("Confirm")))
    assert reader.page.locator("h1").inner_text() == reader.t("Subscribed")
    # A second reader, who will leave by their mail client's one-click unsubscribe.
    other = status_services.subscriber_subscribe(email="other@example.org", language="en")
    token = _link(_mails_to("other@example.org")[0], "/status/confirm/").rstrip("/").rsplit("/")[-1]
    status_services.subscriber_confirm(token=token)

    # The agent publishes from the P1 ticket's page: the form is filled from the ticket.
    desk = person(agent)
    desk.go(f"/desk/tickets/{ticket.number}/")
    panel = desk.page.locator("#status-panel")
    panel.get_by_label(desk.t("Public title")).fill("Email is unavailable")
    assert panel.get_by_label("Email").is_checked()
    assert panel.get_by_label(desk.t("Status of these components")).input_value() == "major_outage"
    panel.get_by_label(desk.t("First public message")).fill("We are investigating.")
    desk.submit(panel.get_by_role("button", name=desk.t("Publish on the status page")))
    assert "We are investigating." in desk.page.locator("#status-panel").inner_text()
    desk.shot("status-ticket-panel")

    for status, words in (
        ("identified", "The cause is found."),
        ("monitoring", "Fixed; watching."),
    ):
        panel = desk.page.locator("#status-panel")
        panel.get_by_label(desk.t("Incident status")).select_option(status)
        panel.get_by_label(desk.t("Public message")).fill(words)
        desk.submit(panel.get_by_role("button", name=desk.t("Post update")))
        assert words in desk.page.locator("#status-panel").inner_text()

    reader.go("/status/?lang=ro")
    text = reader.page.locator("main").inner_text()
    assert "Email is unavailable" in text and "Fixed; watching." in text
    assert "Mail server down" not in text and ticket.number not in text

    notices = _mails_to("reader@example.org")[1:]
    assert [m.subject for m in notices] == [
        f"[{reader.t('Investigating')}] Email is unavailable",
        f"[{reader.t('Identified')}] Email is unavailable",
        f"[{reader.t('Monitoring')}] Email is unavailable",
    ]
    assert len(_mails_to("other@example.org")) == 4

    # One click from the page's link (the browser), one from the List-Unsubscribe header.
    reader.page.goto(
        _link(notices[-1], "/status/unsubscribe/").replace("http://127.0.0.1:8000", live_server.url)
    )
    reader.submit(reader.page.get_by_role("button", name=reader.t("Unsubscribe")))
    assert reader.page.locator("h1").inner_text() == reader.t("Unsubscribed")
    header = _mails_to("other@example.org")[-1].extra_headers
    assert header["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(.+)>", header["List-Unsubscribe"]).group(1)
    request = urllib.request.Request(
        url.replace("http://127.0.0.1:8000", live_server.url),
        data=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    other.refresh_from_db()
    assert other.unsubscribed_at is not None

    # Resolved: the page says so; nobody unsubscribed hears of it.
    panel = desk.page.locator("#status-panel")
    panel.get_by_label(desk.t("Incident status")).select_option("resolved")
    panel.get_by_label(desk.t("Public message")).fill("Email works again.")
    desk.submit(panel.get_by_role("button", name=desk.t("Post update")))
    assert desk.t("Publish on the status page") in desk.page.locator("#status-panel").inner_text()
    reader.go("/status/?lang=ro")
    assert reader.page.locator("h1").inner_text() == reader.t("All systems operational")
    assert len(_mails_to("reader@example.org")) == 4
    assert len(_mails_to("other@example.org")) == 4
