"""The on-call API: who is on call now and at T, schedules, shifts, policies, pages."""

import pytest

from servicedesk.oncall.models import Page
from tests.oncall.factories import local
from tests.oncall.test_paging import SUNDAY_NIGHT, _p1_from_monitoring

pytestmark = pytest.mark.django_db


def test_who_is_on_call_at_an_instant_and_now(desk, oncall, api_for):
    api = api_for(desk.l1_agent)
    # Weeks since Monday 5 January 09:00: the L3 engineer, then the colleague, in turn.
    response = api.get("/api/oncall/now/", {"at": "2026-03-02T08:59:00+02:00"})
    assert response.status_code == 200
    (row,) = response.json()
    assert row["schedule_name"] == "Engineering on call"
    assert row["person"]["username"] == "ioana.l3"
    at_nine = api.get("/api/oncall/now/", {"at": local(2026, 3, 2, 9, 0).isoformat()}).json()
    assert at_nine[0]["person"]["username"] == desk.l3_agent.username
    assert len(api.get("/api/oncall/now/").json()) == 1


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30T10:00:00Z", "0001-01-01T00:00:00Z"])
def test_a_bad_instant_is_a_400_naming_the_field(desk, oncall, api_for, value):
    response = api_for(desk.l1_agent).get("/api/oncall/now/", {"at": value})
    assert response.status_code == 400
    assert "at" in response.json()["errors"]


def test_shifts_schedules_and_policies(desk, oncall, api_for):
    api = api_for(desk.l1_agent)
    shifts = api.get(
        f"/api/oncall/schedules/{oncall.schedule.pk}/shifts/",
        {"start": "2026-03-02T09:00:00+02:00", "end": "2026-03-16T09:00:00+02:00"},
    ).json()
    assert [s["person"]["username"] for s in shifts] == [desk.l3_agent.username, "ioana.l3"]
    bad = api.get(
        f"/api/oncall/schedules/{oncall.schedule.pk}/shifts/",
        {"start": "2026-03-02T09:00:00Z", "end": "2026-03-01T09:00:00Z"},
    )
    assert bad.status_code == 400 and "end" in bad.json()["errors"]
    (schedule,) = api.get("/api/oncall/schedules/").json()
    assert schedule["layers"][0]["participants"] == [desk.l3_agent.username, "ioana.l3"]
    (policy,) = api.get("/api/oncall/policies/").json()
    assert [level["delay_minutes"] for level in policy["levels"]] == [5, 10]


def test_requesters_get_a_403(desk, oncall, api_for):
    assert api_for(desk.requester).get("/api/oncall/now/").status_code == 403


def test_acknowledge_by_api_then_again_is_a_409(desk, oncall, api_for, time_machine):
    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    _p1_from_monitoring(desk)
    page = Page.objects.get()
    api = api_for(desk.l3_agent)
    (mine,) = api.get("/api/oncall/pages/").json()
    assert mine["id"] == page.pk and mine["escalation_state"] == "active"
    done = api.post(f"/api/oncall/pages/{page.pk}/acknowledge/")
    assert done.status_code == 200 and done.json()["acknowledged_at"]
    again = api.post(f"/api/oncall/pages/{page.pk}/acknowledge/")
    assert again.status_code == 409 and "page" in again.json()["errors"]
    assert api.post("/api/oncall/pages/999999/acknowledge/").status_code == 404


def test_the_endpoints_are_in_the_schema(desk, api_for):
    schema = api_for(desk.l1_agent).get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/oncall/now/",
        "/api/oncall/schedules/",
        "/api/oncall/schedules/{id}/shifts/",
        "/api/oncall/policies/",
        "/api/oncall/pages/",
        "/api/oncall/pages/{id}/acknowledge/",
    ):
        assert path in schema["paths"], path
