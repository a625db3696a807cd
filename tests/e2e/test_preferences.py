"""The notification settings pages in a real browser, in English and Romanian: a person unticks a
topic and saves; that topic's email no longer reaches them, a mandatory one still does. axe finds
no serious or critical problem, and a Romanian page has no English left."""

import pytest
from django.utils.functional import lazy
from django.utils.translation import get_language

from servicedesk.notifications import topics
from servicedesk.notifications.models import OutboxMessage
from servicedesk.notifications.services import notify
from servicedesk.notifications.topics import REQUESTER, STAFF, Topic
from servicedesk.tickets import services
from tests.accounts.factories import AgentFactory, SupportGroupFactory, UserFactory
from tests.e2e.conftest import PHONE, axe_blocking, english_left
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _label(en: str, ro: str):
    """A test topic's label in both languages, as a registered topic's gettext_lazy would be."""
    return lazy(lambda: ro if (get_language() or "en").startswith("ro") else en, str)()


@pytest.fixture
def security_topic(monkeypatch):
    topic = Topic(
        "security.notice",
        _label("Security notice", "Aviz de securitate"),
        "tickets/email/logged.txt",
        audience=REQUESTER,
        mandatory=True,
    )
    monkeypatch.setitem(topics._topics, topic.name, topic)
    return topic


def _emails(person, topic) -> int:
    return OutboxMessage.objects.filter(
        channel="email", destination=person.email, topic=topic
    ).count()


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_a_requester_turns_off_the_resolved_emails(person, lang, security_topic):
    requester = UserFactory(username="ana", first_name="Ana", language=lang)
    agent = AgentFactory(username="lena", first_name="Lena", language=lang)
    SupportGroupFactory(name="Service Desk", tier=1, members=[agent])

    ana = person(requester, lang=lang, viewport=PHONE)
    page = ana.go("/")
    with page.expect_navigation():
        page.get_by_role("link", name=ana.t("Notifications")).click()
    assert page.get_by_role("heading", name=ana.t("Notification settings")).is_visible()
    resolved = page.get_by_role(
        "checkbox",
        name=ana.t("%(topic)s: %(channel)s")
        % {"topic": ana.t("Ticket resolved"), "channel": ana.t("Email")},
    )
    assert resolved.is_checked()
    mandatory = page.locator('[name="email:security.notice"]')
    assert mandatory.is_checked() and mandatory.is_disabled()
    security = page.get_by_role("row").filter(has=mandatory)
    assert security.get_by_text(ana.t("Always on")).is_visible()
    assert axe_blocking(page) == []
    if lang == "ro":
        assert english_left(page) == []
    ana.shot("settings-portal")

    resolved.uncheck()
    ana.submit(page.get_by_role("button", name=ana.t("Save settings")))
    assert page.get_by_role("status").inner_text().strip() == ana.t(
        "Your notification settings are saved."
    )
    assert not page.get_by_role(
        "checkbox",
        name=ana.t("%(topic)s: %(channel)s")
        % {"topic": ana.t("Ticket resolved"), "channel": ana.t("Email")},
    ).is_checked()

    ticket = ticket_logged(requester=requester, title="Printer jam")
    services.ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    services.ticket_resolve(
        ticket=ticket,
        actor=agent,
        resolution_code="solved_remotely",
        resolution_notes="Cleared.",
        service_restored=True,
    )
    notify("security.notice", ticket, [requester], {"ticket": ticket}, dedup_key="sec:1")
    assert _emails(requester, "ticket.logged") == 1
    assert _emails(requester, "ticket.resolved") == 0
    assert _emails(requester, "security.notice") == 1


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_an_agent_turns_off_the_service_level_warnings(person, lang, monkeypatch):
    monkeypatch.setitem(
        topics._topics,
        "breach.opened",
        Topic(
            "breach.opened",
            _label("Data breach opened", "Încălcare a securității datelor deschisă"),
            "tickets/email/logged.txt",
            audience=STAFF,
            mandatory=True,
        ),
    )
    agent = AgentFactory(username="lena", first_name="Lena", language=lang)
    SupportGroupFactory(name="Service Desk", tier=1, members=[agent])

    lena = person(agent, lang=lang)
    page = lena.go("/desk/")
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name=lena.t("Notifications")).click()
    assert page.url.endswith("/desk/settings/notifications/")
    warning = page.get_by_role(
        "checkbox",
        name=lena.t("%(topic)s: %(channel)s")
        % {"topic": lena.t("Service level warning"), "channel": lena.t("Email")},
    )
    warning.uncheck()
    assert axe_blocking(page) == []
    if lang == "ro":
        assert english_left(page) == []
    lena.shot("settings-console")
    lena.submit(page.get_by_role("button", name=lena.t("Save settings")))
    assert page.get_by_role("status").is_visible()

    ticket = ticket_logged(requester=UserFactory(username="ana"), title="VPN")
    notify("sla.warning", ticket, [agent], {"ticket": ticket, "clock": None}, dedup_key="w:1")
    notify("breach.opened", ticket, [agent], {"ticket": ticket}, dedup_key="b:1")
    assert _emails(agent, "sla.warning") == 0
    assert _emails(agent, "breach.opened") == 1
