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
