import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from servicedesk.statuspage import services
from servicedesk.statuspage.models import PublicIncident, Subscriber
from tests.statuspage.factories import ComponentFactory, ComponentGroupFactory, SubscriberFactory
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.django_db


def _days_shown(html: str) -> list[int]:
    """The days each component's bars cover (a quiet run is one cell of flex N)."""
    return [
        sum(int(n or 1) for n in re.findall(r'<i class="d."(?: style="flex:(\d+)")?', bars))
        for bars in re.findall(r'<div class="bars"[^>]*>(.*?)</div>', html)
    ]


@pytest.fixture
def page(desk):
    group = ComponentGroupFactory(name="Collaboration", name_ro="Colaborare")
    email = ComponentFactory(service=desk.service, name="Email", name_ro="E-mail", group=group)
    ComponentFactory(name="VPN")
    incident = services.incident_publish(
        actor=desk.l1_agent,
        title="Email is slow",
        message="We are looking into it.",
        components=[email],
        component_status="degraded_performance",
    )
    return email, incident


def test_the_page_needs_no_sign_in_and_shows_status_incidents_and_bars(client, page):
    response = client.get("/status/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Minor service outage" in html
    assert "Email is slow" in html and "We are looking into it." in html
    assert "Degraded performance" in html
    assert _days_shown(html) == [90, 90]
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=30"
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies


def test_the_visitor_chooses_romanian_and_the_cache_keeps_each_language(client, page):
    english = client.get("/status/").content.decode()
    romanian = client.get("/status/?lang=ro").content.decode()
    assert 'lang="ro"' in romanian and "Colaborare" in romanian and "E-mail" in romanian
    assert "Collaboration" in english
    assert client.get("/status/", HTTP_ACCEPT_LANGUAGE="ro").headers["Content-Language"] == "ro"


def test_a_warm_page_reads_no_database_and_answers_304_to_its_etag(
    client, page, django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(12):
        first = client.get("/status/")
    with django_assert_num_queries(0):
        again = client.get("/status/")
    assert again.content == first.content
    assert client.get("/status/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_cold_page_costs_the_same_queries_with_a_long_history(
    client, desk, django_assert_max_num_queries
):
    components = [ComponentFactory() for _ in range(10)]
    for n in range(30):
        incident = services.incident_publish(
            actor=desk.l1_agent,
            title=f"Incident {n}",
            message="m",
            components=components[n % 10 : n % 10 + 2],
        )
        services.incident_update_post(
            incident=incident, actor=desk.l1_agent, status="resolved", message="ok"
        )
    with django_assert_max_num_queries(12):
        assert client.get("/status/").status_code == 200


def test_a_publish_shows_on_the_page_once_committed(
    client, desk, django_capture_on_commit_callbacks
):
    component = ComponentFactory(name="Payroll")
    assert "All systems operational" in client.get("/status/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_publish(
            actor=desk.l1_agent,
            title="Payroll is down",
            message="m",
            components=[component],
            component_status="major_outage",
        )
    html = client.get("/status/").content.decode()
    assert "Major system outage" in html and "Payroll is down" in html


def test_the_ticket_is_never_public(client, desk):
    ticket = ticket_logged(requester=desk.requester, actor=desk.l1_agent, title="Secret server")
    incident = services.incident_publish(
        actor=desk.l1_agent, ticket=ticket, title="Public words", message="m"
    )
    for path in (
        "/status/",
        f"/status/incidents/{incident.pk}/",
        "/status/incidents/",
        "/status/feed.atom",
        "/status/api/v2/summary.json",
        "/status/api/v2/incidents.json",
    ):
        body = client.get(path).content.decode()
        assert "Public words" in body, path
        assert ticket.number not in body and "Secret server" not in body, path


def test_maintenance_is_shown_ahead_and_in_progress(client, desk):
    component = ComponentFactory(name="Payroll")
    now = timezone.now()
    services.maintenance_schedule(
        actor=desk.l1_agent,
        title="Database upgrade",
        message="m",
        components=[component],
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
    )
    html = client.get("/status/").content.decode()
    assert "Database upgrade" in html and "In progress" in html
    assert "Under maintenance" in html and "Service under maintenance" in html


def test_the_summary_json_has_statuspages_shape(client, page):
    email, incident = page
    body = client.get("/status/api/v2/summary.json").json()
    assert set(body) == {"page", "status", "components", "incidents", "scheduled_maintenances"}
    assert set(body["page"]) == {"id", "name", "url", "time_zone", "updated_at"}
    assert body["status"] == {"indicator": "minor", "description": "Minor service outage"}
    row = next(c for c in body["components"] if c["name"] == "Email")
    assert row["status"] == "degraded_performance" and row["group_id"]
    group = next(c for c in body["components"] if c["group"])
    assert group["components"] == [str(email.pk)]
    (listed,) = body["incidents"]
    assert listed["id"] == str(incident.pk) and listed["status"] == "investigating"
    assert listed["incident_updates"][0]["body"] == "We are looking into it."
    assert client.get("/status/api/v2/status.json").json()["status"]["indicator"] == "minor"
    assert len(client.get("/status/api/v2/components.json").json()["components"]) == 3
    assert client.get("/status/api/v2/scheduled-maintenances.json").status_code == 200


def test_the_feed_is_atom(client, page):
    response = client.get("/status/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Email is slow" in response.content.decode()


def test_history_pages_and_a_missing_incident_is_404(client, page):
    assert "Email is slow" in client.get("/status/incidents/").content.decode()
    assert client.get("/status/incidents/?page=999").status_code == 200
    assert client.get("/status/incidents/99999/").status_code == 404


def test_subscribe_confirm_and_one_click_unsubscribe(desk, deliver_outbox):
    browser = Client(enforce_csrf_checks=True)
    form = browser.get("/status/subscribe/?lang=ro")
    token = form.cookies["csrftoken"].value
    response = browser.post(
        "/status/subscribe/?lang=ro",
        {"email": "reader@example.org", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.language == "ro" and subscriber.confirmed_at is None
    (confirm_mail,) = deliver_outbox()
    link = next(w for w in confirm_mail.body.split() if "/status/confirm/" in w)
    path = link.removeprefix("http://127.0.0.1:8000")
    assert browser.get(path).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None  # a GET (a link scanner) confirms nothing
    browser.post(path, {"csrfmiddlewaretoken": token})
    subscriber.refresh_from_db()
    assert subscriber.is_active

    unsubscribe = services.unsubscribe_url(subscriber).removeprefix("http://127.0.0.1:8000")
    assert browser.get(unsubscribe).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        unsubscribe,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None


def test_a_bad_subscription_names_the_field(client):
    response = client.post("/status/subscribe/", {"email": "nope"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert not Subscriber.objects.exists()
    assert client.get("/status/confirm/garbage/").status_code == 400
    assert client.post("/status/unsubscribe/garbage/").status_code == 400


def test_the_console_panel_publishes_and_posts_updates(client, desk, deliver_outbox):
    component = ComponentFactory(service=desk.service, name="Email")
    ticket = ticket_logged(
        requester=desk.requester,
        actor=desk.l1_agent,
        title="Mail down",
        service=desk.service,
        impact="high",
        urgency="high",
    )
    client.force_login(desk.l1_agent)
    page = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "Publish on the status page" in page
    assert 'value="major_outage" selected' in page
    response = client.post(
        f"/desk/status/publish/{ticket.number}/",
        {
            "publish-title": "Email is down",
            "publish-components": [component.pk],
            "publish-component_status": "major_outage",
            "publish-status": "investigating",
            "publish-message": "We know.",
        },
    )
    assert response.status_code == 302
    incident = PublicIncident.objects.get()
    assert incident.ticket == ticket
    page = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "Post the next update" in page and "We know." in page
    client.post(
        f"/desk/status/incidents/{incident.pk}/update/",
        {"update-status": "resolved", "update-message": "Fixed."},
    )
    incident.refresh_from_db()
    component.refresh_from_db()
    assert incident.status == "resolved" and component.status == "operational"
    response = client.post(
        f"/desk/status/incidents/{incident.pk}/update/",
        {"update-status": "resolved", "update-message": ""},
        follow=True,
    )
    assert "Public message" in response.content.decode()


def test_the_console_page_proposes_from_p1_tickets(client, desk):
    component = ComponentFactory(service=desk.service, name="Email")
    ticket_logged(
        requester=desk.requester,
        actor=desk.l1_agent,
        title="Mail down",
        service=desk.service,
        impact="high",
        urgency="high",
    )
    client.force_login(desk.l1_agent)
    page = client.get("/desk/status/").content.decode()
    assert "Major outage" in page
    client.post(f"/desk/status/components/{component.pk}/publish/")
    component.refresh_from_db()
    assert component.status == "major_outage"  # only after the explicit click


def test_the_console_page_is_for_desk_staff(client, desk):
    client.force_login(desk.requester)
    assert client.get("/desk/status/").status_code == 403
    assert (
        client.post(f"/desk/status/components/{ComponentFactory().pk}/status/").status_code == 403
    )


def test_unsubscribed_reader_gets_nothing_more(desk, deliver_outbox):
    subscriber = SubscriberFactory(email="r@example.org")
    token = services.unsubscribe_url(subscriber).rstrip("/").rsplit("/", 1)[1]
    Client().post(f"/status/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    services.incident_publish(actor=desk.l1_agent, title="A", message="a")
    mail.outbox.clear()
    assert deliver_outbox() == []
