from datetime import datetime, timedelta

import pytest

from servicedesk.appointments.models import Session
from servicedesk.notifications.models import OutboxMessage
from tests.appointments.conftest import START


def _body(for_ticket, **overrides):
    body = {
        "ticket": for_ticket.number,
        "kind": "phone",
        "starts_at": START.isoformat(),
        "duration_minutes": 45,
        "phone": "+40 721 000 111",
        "note": "About the VPN",
    }
    body.update(overrides)
    return body


def test_an_agent_proposes_and_the_requester_accepts(desk, ticket, api_for):
    created = api_for(desk.l2_agent).post("/api/sessions/", _body(ticket), format="json")
    assert created.status_code == 201, created.json()
    session = created.json()
    assert session["status"] == "proposed" and session["sequence"] == 0
    assert datetime.fromisoformat(session["ends_at"]) == START + timedelta(minutes=45)

    answered = api_for(desk.requester).post(
        f"/api/sessions/{session['id']}/respond/", {"answer": "accept"}, format="json"
    )
    assert answered.status_code == 200
    assert answered.json()["status"] == "accepted"


def test_reschedule_cancel_and_outcome(desk, ticket, api_for, clock):
    agent = api_for(desk.l2_agent)
    pk = agent.post("/api/sessions/", _body(ticket), format="json").json()["id"]
    later = START + timedelta(hours=2)
    moved = agent.post(
        f"/api/sessions/{pk}/reschedule/",
        {"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["sequence"] == 1

    clock.move_to(later + timedelta(minutes=10))
    held = agent.post(f"/api/sessions/{pk}/outcome/", {"outcome": "held"}, format="json")
    assert held.status_code == 200 and held.json()["status"] == "held"
    refused = agent.post(f"/api/sessions/{pk}/cancel/", {}, format="json")
    assert refused.status_code == 409


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {"ends_at": (START - timedelta(minutes=10)).isoformat(), "duration_minutes": None},
            "ends_at",
        ),
        ({"starts_at": "2026-03-01T09:00:00Z"}, "starts_at"),
        ({"phone": ""}, "phone"),
        ({"kind": "video", "phone": ""}, "link"),
        ({"duration_minutes": None}, "ends_at"),
        ({"ticket": "INC9999999"}, "ticket"),
        ({"note": "a\x00b"}, "note"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(desk, ticket, api_for, overrides, field):
    body = {k: v for k, v in _body(ticket, **overrides).items() if v is not None}
    response = api_for(desk.l2_agent).post("/api/sessions/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not Session.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_requester_cannot_propose(desk, ticket, api_for):
    response = api_for(desk.requester).post("/api/sessions/", _body(ticket), format="json")
    assert response.status_code == 403
    assert not Session.objects.exists()


def test_a_requester_sees_and_answers_only_their_own_sessions(desk, ticket, api_for, propose):
    session = propose()
    stranger = api_for(desk.other_requester)
    assert stranger.get("/api/sessions/").json() == []
    assert stranger.get(f"/api/sessions/{session.pk}/").status_code == 404
    answer = stranger.post(
        f"/api/sessions/{session.pk}/respond/", {"answer": "decline"}, format="json"
    )
    assert answer.status_code == 404
    session.refresh_from_db()
    assert session.status == "proposed"

    own = api_for(desk.requester).get("/api/sessions/").json()
    assert [s["id"] for s in own] == [session.pk]


def test_an_agent_cannot_answer_for_the_requester(desk, api_for, propose):
    session = propose()
    response = api_for(desk.l2_agent).post(
        f"/api/sessions/{session.pk}/respond/", {"answer": "accept"}, format="json"
    )
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.status == "proposed"


def test_the_list_filters_upcoming_and_past(desk, ticket, api_for, propose, clock):
    session = propose()
    agent = api_for(desk.l2_agent)
    assert [s["id"] for s in agent.get("/api/sessions/?when=upcoming").json()] == [session.pk]
    assert agent.get("/api/sessions/?when=past").json() == []
    clock.move_to(START + timedelta(hours=2))
    assert agent.get("/api/sessions/?when=upcoming").json() == []
    assert [s["id"] for s in agent.get("/api/sessions/?when=past").json()] == [session.pk]
    assert agent.get("/api/sessions/?when=soon").status_code == 400
    assert agent.get("/api/sessions/?status=nope").status_code == 400


def test_an_id_past_64_bits_is_a_404(desk, api_for):
    assert api_for(desk.l2_agent).get(f"/api/sessions/{2**70}/").status_code == 404


def test_the_schema_lists_every_session_endpoint(desk, api_for):
    schema = api_for(desk.l2_agent).get("/api/schema/?format=json").json()
    for path in (
        "/api/sessions/",
        "/api/sessions/{id}/",
        "/api/sessions/{id}/reschedule/",
        "/api/sessions/{id}/cancel/",
        "/api/sessions/{id}/respond/",
        "/api/sessions/{id}/outcome/",
    ):
        assert path in schema["paths"], path
