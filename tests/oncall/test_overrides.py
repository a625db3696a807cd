"""Overrides from the console and the API: who may cover, what is refused and why, and that the
override decides who is paged."""

from datetime import timedelta

import pytest
from django.test import Client

from servicedesk.oncall import schedules, selectors
from servicedesk.oncall.models import Page, ScheduleOverride
from tests.accounts.factories import AgentFactory, UserFactory
from tests.oncall.factories import local
from tests.oncall.test_paging import SUNDAY_NIGHT, _p1_from_monitoring

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(person, start, end, reason="Swap"):
    fmt = "%Y-%m-%dT%H:%M"
    return {
        "person": person.pk,
        "start": start.strftime(fmt),
        "end": end.strftime(fmt),
        "reason": reason,
    }


def test_someone_on_the_rotation_covers_a_night_and_is_paged_instead(desk, oncall, time_machine):
    time_machine.move_to(SUNDAY_NIGHT - timedelta(days=1), tick=False)
    # The L3 engineer is on call that Sunday night; the colleague takes it over.
    plan = selectors.schedule_plan(oncall.schedule)
    assert schedules.on_call_at(plan, SUNDAY_NIGHT)[0] == desk.l3_agent.pk
    engineer = _client(desk.l3_agent)
    engineer.cookies.load({"django_language": "en"})
    desk.l3_agent.time_zone = "Europe/Bucharest"
    desk.l3_agent.save()
    response = engineer.post(
        f"/desk/oncall/schedules/{oncall.schedule.pk}/overrides/",
        _form(oncall.colleague, local(2026, 3, 7, 20, 0), local(2026, 3, 8, 8, 0)),
    )
    assert response.status_code == 302 and response.url.endswith("#overrides")
    override = ScheduleOverride.objects.get()
    # Read in the person's time zone, kept in UTC.
    assert (override.start, override.end) == (local(2026, 3, 7, 20, 0), local(2026, 3, 8, 8, 0))
    page = engineer.get(f"/desk/oncall/schedules/{oncall.schedule.pk}/").content.decode()
    assert f'id="override-{override.pk}"' in page and "Ioana" in page

    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    incident = _p1_from_monitoring(desk)
    assert [p.person for p in Page.objects.filter(ticket=incident)] == [oncall.colleague]

    removed = engineer.post(
        f"/desk/oncall/schedules/{oncall.schedule.pk}/overrides/{override.pk}/remove/"
    )
    assert removed.status_code == 302 and not ScheduleOverride.objects.exists()


def test_a_bad_override_is_shown_again_with_each_reason_and_nothing_is_written(
    desk, oncall, time_machine
):
    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    engineer = _client(desk.l3_agent)
    url = f"/desk/oncall/schedules/{oncall.schedule.pk}/overrides/"
    backwards = engineer.post(
        url, _form(oncall.colleague, SUNDAY_NIGHT + timedelta(hours=5), SUNDAY_NIGHT)
    )
    assert backwards.status_code == 400
    assert "The end must be after the start." in backwards.content.decode()
    requester = UserFactory()
    not_staff = engineer.post(
        url, _form(requester, SUNDAY_NIGHT, SUNDAY_NIGHT + timedelta(hours=5))
    )
    assert not_staff.status_code == 400
    assert list(not_staff.context["form"].errors) == ["person"]  # not among the choices
    too_long = engineer.post(
        url, _form(oncall.colleague, SUNDAY_NIGHT, SUNDAY_NIGHT + timedelta(days=93))
    )
    assert "at most 92 days" in too_long.content.decode()
    past = engineer.post(
        url,
        _form(oncall.colleague, SUNDAY_NIGHT - timedelta(days=2), SUNDAY_NIGHT - timedelta(days=1)),
    )
    assert "already be over" in past.content.decode()
    garbage = engineer.post(url, {"person": "x", "start": "soon", "end": ""})
    assert garbage.status_code == 400
    assert not ScheduleOverride.objects.exists()


def test_only_an_administrator_or_someone_on_the_schedule_may_change_it(desk, oncall, time_machine):
    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    outsider = AgentFactory(username="dan.l1")
    url = f"/desk/oncall/schedules/{oncall.schedule.pk}/overrides/"
    form = _form(outsider, SUNDAY_NIGHT, SUNDAY_NIGHT + timedelta(hours=2))
    page = _client(outsider).get(f"/desk/oncall/schedules/{oncall.schedule.pk}/").content.decode()
    assert "Cover a stretch" not in page
    refused = _client(outsider).post(url, form)
    assert refused.status_code == 403 and not ScheduleOverride.objects.exists()
    assert _client(desk.admin).post(url, form).status_code == 302
    override = ScheduleOverride.objects.get()
    removal = f"/desk/oncall/schedules/{oncall.schedule.pk}/overrides/{override.pk}/remove/"
    _client(outsider).post(removal)
    assert ScheduleOverride.objects.exists()  # refused, with a message
    assert _client(UserFactory()).post(url, form).status_code == 403  # not desk staff at all


def _hour_after(start) -> str:
    return (start + timedelta(hours=1)).isoformat()


def test_the_api_lists_adds_and_removes_overrides(desk, oncall, api_for, time_machine):
    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    api = api_for(desk.l3_agent)
    url = f"/api/oncall/schedules/{oncall.schedule.pk}/overrides/"
    made = api.post(
        url,
        {
            "person": oncall.colleague.username,
            "start": SUNDAY_NIGHT.isoformat(),
            "end": (SUNDAY_NIGHT + timedelta(hours=6)).isoformat(),
            "reason": "Doctor",
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["person"] == "ioana.l3"
    assert [o["id"] for o in api.get(url).json()] == [made.json()["id"]]
    now = api.get("/api/oncall/now/").json()
    assert (now[0]["person"]["username"], now[0]["source"]) == ("ioana.l3", "override")

    bad = api.post(
        url,
        {"person": "ioana.l3", "start": "2026-03-08T10:00:00Z", "end": "2026-03-08T09:00:00Z"},
        format="json",
    )
    assert bad.status_code == 400 and "end" in bad.json()["errors"]
    requester = UserFactory(username="ana")
    not_staff = api.post(
        url,
        {"person": "ana", "start": SUNDAY_NIGHT.isoformat(), "end": _hour_after(SUNDAY_NIGHT)},
        format="json",
    )
    assert not_staff.json()["errors"]["person"] == ["Choose an active member of the desk staff."]
    assert requester.pk
    nul = api.post(url, {"person": "io\x00ana", "start": "x"}, format="json")
    assert nul.status_code == 400 and "person" in nul.json()["errors"]
    unknown = api.post(url, {"person": "nobody", "start": "x"}, format="json")
    assert unknown.status_code == 400
    assert {"person", "start", "end"} <= set(unknown.json()["errors"])
    outsider = api_for(AgentFactory()).post(
        url,
        {
            "person": "ioana.l3",
            "start": SUNDAY_NIGHT.isoformat(),
            "end": (SUNDAY_NIGHT + timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert outsider.status_code == 403
    assert ScheduleOverride.objects.count() == 1

    assert api.delete(f"{url}{made.json()['id']}/").status_code == 204
    assert not ScheduleOverride.objects.exists()
