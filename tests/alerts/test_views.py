"""The console's alerts view and the ticket page's alerts panel (its context function)."""

import pytest
from django.template.loader import render_to_string

from servicedesk.alerts.selectors import ticket_alerts_panel
from servicedesk.alerts.services import alerts_process
from servicedesk.tickets.models import Ticket
from tests.alerts.payloads import pd_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(integration_of, post):
    integration, key = integration_of("pagerduty")
    post("/v2/enqueue", pd_event(key, dedup_key="db1-disk", summary="Disk full on db1"))
    post("/v2/enqueue", pd_event(key, dedup_key="db1-disk", summary="Disk full on db1"))
    post("/v2/enqueue", pd_event(key, dedup_key="web-5xx", severity="warning", summary="5xx"))
    post("/v2/enqueue", pd_event(key, "resolve", dedup_key="web-5xx"))
    alerts_process()
    return integration


def test_the_alerts_view_lists_and_filters(client, desk, alerts, django_assert_max_num_queries):
    client.force_login(desk.l1_agent)
    with django_assert_max_num_queries(12):
        page = client.get("/desk/alerts/").content.decode()
    assert "Disk full on db1" in page and "5xx" in page
    assert 'aria-current="page">Alerts<' in page
    open_only = client.get("/desk/alerts/", {"status": "open"}).content.decode()
    assert "Disk full on db1" in open_only and "5xx" not in open_only
    warnings = client.get("/desk/alerts/", {"severity": "warning"}).content.decode()
    assert "5xx" in warnings and "Disk full on db1" not in warnings
    by_integration = client.get("/desk/alerts/", {"integration": alerts.pk + 1}).content.decode()
    assert 'id="no-alerts"' in by_integration
    bad = client.get("/desk/alerts/", {"status": "melting", "service": "x"})
    assert bad.status_code == 200
    assert "status: Must be one of" in bad.content.decode()


def test_the_alerts_view_query_count_does_not_grow_with_rows(
    client, desk, integration_of, post, django_assert_max_num_queries
):
    _integration, key = integration_of("pagerduty")
    for n in range(40):
        post("/v2/enqueue", pd_event(key, dedup_key=f"k{n}"))
    alerts_process()
    client.force_login(desk.l1_agent)
    with django_assert_max_num_queries(12):
        assert client.get("/desk/alerts/").status_code == 200


def test_requesters_may_not_see_alerts(client, desk, alerts):
    client.force_login(desk.requester)
    assert client.get("/desk/alerts/").status_code == 403


def test_the_ticket_panel_lists_the_incidents_alerts(desk, alerts):
    incident = Ticket.objects.get()
    context = ticket_alerts_panel(incident, desk.l1_agent)
    assert [(a.dedup_key, a.count, a.status) for a in context["alerts"]] == [
        ("web-5xx", 1, "resolved"),
        ("db1-disk", 2, "open"),
    ]
    assert (context["alerts_open"], context["alerts_events"]) == (1, 3)
    html = render_to_string("alerts/ticket_panel.html", {"panel": context})
    assert "2 alerts (1 not resolved), 3 events" in html
    assert "db1-disk" in html
    # No panel for someone outside the desk, nor for a ticket monitoring never touched.
    assert ticket_alerts_panel(incident, desk.requester) is None
    other = Ticket.objects.create(
        number="INC9999999",
        requester=desk.requester,
        requester_name="x",
        title="Printer",
        reported_at=incident.reported_at,
        created_at=incident.created_at,
        updated_at=incident.updated_at,
    )
    assert ticket_alerts_panel(other, desk.l1_agent) is None


def test_the_integration_admin_page_shows_curl_events_and_counts(client, desk, alerts):
    client.force_login(desk.admin)
    page = client.get(f"/admin/alerts/integration/{alerts.pk}/change/").content.decode()
    assert "curl -sS -X POST" in page and "/v2/enqueue" in page
    assert "events: 4" in page and "alerts open: 1 / 2" in page
    assert "processed" in page


def test_creating_an_integration_in_the_admin_shows_the_key_once(client, desk):
    client.force_login(desk.admin)
    response = client.post(
        "/admin/alerts/integration/add/",
        {
            "name": "Zabbix",
            "source": "generic",
            "severity_map": (
                '{"critical": {"impact": "high", "urgency": "high"}, '
                '"error": {"impact": "high", "urgency": "medium"}, '
                '"warning": {"impact": "low", "urgency": "medium"}, '
                '"info": {"impact": "low", "urgency": "low"}}'
            ),
            "correlation_window": 30,
            "correlation_labels": "[]",
            "rate_limit": 1200,
            "flap_changes": 5,
            "flap_window": 30,
            "flap_hold": 30,
            "is_active": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("Copy it now" in m for m in messages), messages


def test_the_console_ticket_page_shows_the_alerts_panel(client, desk, alerts):
    incident = Ticket.objects.get()
    client.force_login(desk.l1_agent)
    page = client.get(f"/desk/tickets/{incident.number}/").content.decode()
    assert 'id="alerts-panel"' in page
    assert "2 alerts (1 not resolved), 3 events" in page and "db1-disk" in page


def test_the_console_manages_maintenance_windows(client, desk, django_assert_max_num_queries):
    from servicedesk.alerts.models import MaintenanceWindow

    client.force_login(desk.admin)
    page = client.get("/desk/alerts/maintenance/")
    assert page.status_code == 200 and 'id="no-windows"' in page.content.decode()
    body = {
        "title": "Sunday patching",
        "service": desk.service.pk,
        "starts_at": "2026-03-22T02:00",
        "duration": 120,
        "time_zone": "Europe/Bucharest",
        "rrule": "FREQ=WEEKLY;BYDAY=SU",
        "is_active": "on",
    }
    bad = client.post("/desk/alerts/maintenance/", body | {"rrule": "FREQ=OFTEN"})
    assert bad.status_code == 400 and "Not a valid RRULE" in bad.content.decode()
    bad = client.post("/desk/alerts/maintenance/", body | {"time_zone": "Atlantis/Deep"})
    assert bad.status_code == 400 and "Not a known time zone" in bad.content.decode()
    assert not MaintenanceWindow.objects.exists()
    assert client.post("/desk/alerts/maintenance/", body).status_code == 302
    window = MaintenanceWindow.objects.get()
    # The time typed is the window's wall clock: 02:00 in Bucharest (UTC+2 in March).
    assert window.starts_at.isoformat() == "2026-03-22T00:00:00+00:00"
    with django_assert_max_num_queries(10):
        listing = client.get("/desk/alerts/maintenance/").content.decode()
    assert "Sunday patching" in listing and "FREQ=WEEKLY;BYDAY=SU" in listing
    edit = client.get(f"/desk/alerts/maintenance/{window.pk}/").content.decode()
    assert 'value="2026-03-22T02:00"' in edit
    saved = client.post(f"/desk/alerts/maintenance/{window.pk}/", body | {"duration": 60})
    assert saved.status_code == 302
    window.refresh_from_db()
    assert window.duration == 60
    assert client.post(f"/desk/alerts/maintenance/{window.pk}/delete/").status_code == 302
    assert not MaintenanceWindow.objects.exists()
    # An agent reads the windows; only administrators change them.
    client.force_login(desk.l1_agent)
    assert client.get("/desk/alerts/maintenance/").status_code == 200
    assert client.post("/desk/alerts/maintenance/", body).status_code == 403


def test_the_admin_makes_a_window_through_the_service(client, desk):
    from servicedesk.alerts.models import MaintenanceWindow

    client.force_login(desk.admin)
    response = client.post(
        "/admin/alerts/maintenancewindow/add/",
        {
            "title": "Reboot",
            "service": desk.service.pk,
            "starts_at": "2027-07-01T02:00",
            "duration": 30,
            "time_zone": "Europe/Bucharest",
            "rrule": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    window = MaintenanceWindow.objects.get()
    assert window.starts_at.isoformat() == "2027-06-30T23:00:00+00:00"
    assert window.next_check_at.isoformat() == "2027-06-30T23:30:00+00:00"


def test_the_alerts_view_filters_flapping_and_in_maintenance(client, desk, integration_of, post):
    from servicedesk.alerts.models import Alert

    _integration, key = integration_of("pagerduty")
    post("/v2/enqueue", pd_event(key, dedup_key="flappy", summary="Flappy link"))
    post("/v2/enqueue", pd_event(key, dedup_key="quiet", summary="Quiet disk"))
    alerts_process()
    Alert.objects.filter(dedup_key="flappy").update(flapping=True)
    Alert.objects.filter(dedup_key="quiet").update(in_maintenance=True)
    client.force_login(desk.l1_agent)
    page = client.get("/desk/alerts/").content.decode()
    assert "Flapping: 1" in page and "In maintenance (firing): 1" in page
    flapping = client.get("/desk/alerts/", {"state": "flapping"}).content.decode()
    assert "Flappy link" in flapping and "Quiet disk" not in flapping
    assert '<span class="tag">flapping</span>' in flapping
    quiet = client.get("/desk/alerts/", {"state": "maintenance"}).content.decode()
    assert "Quiet disk" in quiet and "Flappy link" not in quiet
    api = client.get("/api/alerts/", {"state": "flapping"}).json()
    assert [a["dedup_key"] for a in api] == ["flappy"] and api[0]["flapping"] is True
    assert client.get("/api/alerts/", {"state": "melting"}).status_code == 400
