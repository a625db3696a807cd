import pytest

from servicedesk.majorincidents.models import MajorIncident
from servicedesk.notifications.models import OutboxMessage
from tests.majorincidents.factories import major_declared, outage_reported, p1_logged

pytestmark = pytest.mark.django_db


def test_the_api_walks_declare_roles_link_update_resolve_review(desk, api_for):
    api = api_for(desk.l3_agent)
    ticket = p1_logged(desk)
    answer = api.post(
        "/api/major/",
        {"ticket": ticket.number, "bridge_url": "https://meet.example.org/x"},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    pk = answer.json()["id"]
    assert answer.json()["update_minutes"] == 30
    answer = api.post(
        f"/api/major/{pk}/roles/", {"role": "commander", "person": desk.l3_agent.pk}, format="json"
    )
    assert answer.status_code == 200
    assert answer.json()["roles"][0]["person"] == desk.l3_agent.username
    _people, linked = outage_reported(desk, tickets=3, people=2)
    answer = api_for(desk.l1_agent).post(
        f"/api/major/{pk}/links/", {"tickets": [t.number for t in linked]}, format="json"
    )
    assert answer.status_code == 200
    assert sorted(answer.json()["linked_tickets"]) == sorted(t.number for t in linked)
    answer = api.post(f"/api/major/{pk}/updates/", {"body": "Restarting."}, format="json")
    assert answer.status_code == 201
    assert answer.json()["recipients_count"] == 3  # two requesters and the P1's own
    answer = api.post(
        f"/api/major/{pk}/resolve/",
        {"resolution_code": "solved_permanently", "resolution_notes": "Disk replaced."},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    review = answer.json()
    assert review["linked_tickets"] == 3 and review["time_to_resolve_seconds"] >= 0
    answer = api.patch(f"/api/major/{pk}/review/", {"root_cause": "A disk"}, format="json")
    assert answer.json()["root_cause"] == "A disk"
    answer = api.post(
        f"/api/major/{pk}/review/action-items/",
        {"title": "Disk alerts", "owner": desk.l2_agent.pk, "due_date": "2030-01-31"},
        format="json",
    )
    assert answer.status_code == 201
    item = answer.json()["id"]
    answer = api.patch(f"/api/major/action-items/{item}/", {"done": True}, format="json")
    assert answer.json()["done_at"] is not None
    listing = api.get("/api/major/reviews/").json()
    assert listing[0]["items"] == 1 and listing[0]["items_open"] == 0
    answer = api.post(f"/api/major/{pk}/updates/", {"body": "More"}, format="json")
    assert answer.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "ticket"),
        ({"ticket": "INC0"}, "ticket"),
        ({"ticket": None}, "ticket"),
        ({"ticket": "{p1}", "bridge_url": "ftp://x"}, "bridge_url"),
        ({"ticket": "{p1}", "update_minutes": 0}, "update_minutes"),
        ({"ticket": "{other}"}, "reason"),
    ],
)
def test_a_bad_declaration_is_a_400_naming_the_field(desk, api_for, body, field):
    p1 = p1_logged(desk)
    other = p1_logged(desk, title="Other")
    other.priority = 3
    other.save(update_fields=["priority"])
    body = {
        k: (v.format(p1=p1.number, other=other.number) if isinstance(v, str) else v)
        for k, v in body.items()
    }
    answer = api_for(desk.l3_agent).post("/api/major/", body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["errors"]
    assert not MajorIncident.objects.exists()


def test_bad_updates_and_links_are_400s_and_change_nothing(desk, api_for):
    major = major_declared(desk)
    api = api_for(desk.l3_agent)
    before = OutboxMessage.objects.count()
    answer = api.post(f"/api/major/{major.pk}/updates/", {"body": ""}, format="json")
    assert answer.status_code == 400 and "body" in answer.json()["errors"]
    answer = api.post(f"/api/major/{major.pk}/links/", {"tickets": ["INC404"]}, format="json")
    assert answer.status_code == 400 and "tickets" in answer.json()["errors"]
    answer = api.post(
        f"/api/major/{major.pk}/roles/",
        {"role": "chief", "person": desk.l1_agent.pk},
        format="json",
    )
    assert answer.status_code == 400 and "role" in answer.json()["errors"]
    answer = api.post(
        f"/api/major/{major.pk}/resolve/",
        {"resolution_code": "x", "resolution_notes": "y"},
        format="json",
    )
    assert answer.status_code == 400 and "resolution_code" in answer.json()["errors"]
    assert OutboxMessage.objects.count() == before


def test_requesters_get_no_access(desk, api_for):
    major = major_declared(desk)
    api = api_for(desk.requester)
    assert api.get("/api/major/").status_code == 403
    assert api.get(f"/api/major/{major.pk}/").status_code == 403
    assert api_for(desk.l1_agent).get("/api/major/999999/").status_code == 404


def test_the_operations_are_in_the_schema(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in [
        "/api/major/",
        "/api/major/{id}/",
        "/api/major/{id}/roles/",
        "/api/major/{id}/links/",
        "/api/major/{id}/updates/",
        "/api/major/{id}/resolve/",
        "/api/major/{id}/review/",
        "/api/major/{id}/review/action-items/",
        "/api/major/reviews/",
        "/api/major/action-items/{item_pk}/",
    ]:
        assert path in schema["paths"], path
