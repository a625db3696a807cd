import pytest

from servicedesk.statuspage.models import PublicIncident
from tests.statuspage.factories import ComponentFactory
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.django_db


def test_agents_publish_update_and_resolve_through_the_api(desk, api_for):
    api = api_for(desk.l1_agent)
    component = ComponentFactory(service=desk.service)
    ticket = ticket_logged(requester=desk.requester, actor=desk.l1_agent, title="Down")
    listed = api.get("/api/status/components/").json()
    assert [c["id"] for c in listed] == [component.pk]
    response = api.post(
        "/api/status/incidents/",
        {
            "title": "Email is down",
            "message": "Investigating.",
            "components": [component.pk],
            "component_status": "major_outage",
            "ticket": ticket.number,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    incident = response.json()
    assert incident["ticket"] == ticket.number and incident["impact"] == "critical"
    path = f"/api/status/incidents/{incident['id']}/updates/"
    assert api.post(path, {"status": "resolved", "message": "ok"}, format="json").status_code == 201
    again = api.post(path, {"status": "monitoring", "message": "?"}, format="json")
    assert again.status_code == 409 and again.json()["errors"]["status"]
    assert PublicIncident.objects.get().status == "resolved"


def test_component_status_and_errors_name_the_field(desk, api_for):
    api = api_for(desk.l1_agent)
    component = ComponentFactory()
    path = f"/api/status/components/{component.pk}/status/"
    bad = api.post(path, {"status": "down"}, format="json")
    assert bad.status_code == 400 and "status" in bad.json()["errors"]
    good = api.post(path, {"status": "partial_outage", "note": "load"}, format="json")
    assert good.json()["status"] == "partial_outage"
    assert (
        api.post(
            "/api/status/components/999999/status/", {"status": "operational"}, format="json"
        ).status_code
        == 404
    )


def test_requesters_are_refused(desk, api_for):
    assert api_for(desk.requester).get("/api/status/components/").status_code == 403


def test_maintenance_through_the_api(desk, api_for):
    api = api_for(desk.l1_agent)
    component = ComponentFactory()
    response = api.post(
        "/api/status/maintenances/",
        {
            "title": "Upgrade",
            "message": "m",
            "components": [component.pk],
            "starts_at": "2199-01-01T10:00:00Z",
            "ends_at": "2199-01-01T09:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 400 and "ends_at" in response.json()["errors"]


def test_a_wrong_ticket_number_names_the_field(desk, api_for):
    response = api_for(desk.l1_agent).post(
        "/api/status/incidents/",
        {"title": "A", "message": "a", "ticket": "INC9999999"},
        format="json",
    )
    assert response.status_code == 400 and "ticket" in response.json()["errors"]
    assert not PublicIncident.objects.exists()
