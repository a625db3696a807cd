"""Who is on call, every 15 minutes over eight weeks around each DST change in Bucharest,
against a computation written here another way: a walk over local calendar dates."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from servicedesk.oncall import schedules, selectors
from tests.accounts.factories import AgentFactory
from tests.oncall.factories import BUCHAREST, local, schedule_bucharest

WEEKLY_START = date(2026, 2, 2)


def _handoffs_before(day_start: date, every_days: int, hour: int, moment: datetime) -> int:
    """How many hand-offs (every `every_days` local days at `hour`:00, from `day_start`) have
    happened by `moment`, counted by walking the local dates one by one."""
    here = moment.astimezone(BUCHAREST)
    count, day = 0, day_start
    while day <= here.date():
        if (day - day_start).days % every_days == 0 and (day < here.date() or here.hour >= hour):
            count += 1
        day += timedelta(days=1)
    return count


def _expected(moment, weekly, nights, override):
    person, start, end = override
    if start.replace(tzinfo=BUCHAREST) <= moment < end.replace(tzinfo=BUCHAREST):
        return person
    here = moment.astimezone(BUCHAREST)
    if here.weekday() >= 5 or here.hour >= 18 or here.hour < 9:
        n = _handoffs_before(WEEKLY_START, 1, 18, moment)
        if n:
            return nights[(n - 1) % len(nights)]
    n = _handoffs_before(WEEKLY_START, 7, 9, moment)
    return weekly[(n - 1) % len(weekly)] if n else None


WINDOWS = {
    # Clocks go forward on Sunday 29 March 2026 (03:00 → 04:00); the override spans it.
    "spring": (local(2026, 3, 2, 0, 0), (local(2026, 3, 27, 20, 0), local(2026, 3, 30, 10, 0))),
    # Clocks go back on Sunday 25 October 2026 (04:00 → 03:00); the override spans it.
    "autumn": (local(2026, 9, 28, 0, 0), (local(2026, 10, 24, 12, 0), local(2026, 10, 26, 9, 30))),
}


@pytest.mark.parametrize("season", WINDOWS)
def test_who_is_on_call_every_15_minutes_for_eight_weeks(db, season):
    first, (override_start, override_end) = WINDOWS[season]
    weekly = [AgentFactory(username=f"w{n}") for n in range(3)]
    nights = [AgentFactory(username=f"n{n}") for n in range(2)]
    stand_in = AgentFactory(username="stand.in")
    schedule = schedule_bucharest(
        weekly=weekly, nights=nights, override=(stand_in, override_start, override_end)
    )
    plan = selectors.schedule_plan(selectors.schedules_with_plan().get(pk=schedule.pk))
    by_id = {p.pk: p for p in [*weekly, *nights, stand_in]}
    moment = first.astimezone(UTC)
    last = moment + timedelta(weeks=8)
    checked = 0
    with time_machine.travel(moment, tick=False) as traveller:
        while moment < last:
            person, _source = schedules.on_call_at(plan, timezone.now())
            want = _expected(moment, weekly, nights, (stand_in, override_start, override_end))
            assert by_id.get(person) == want, moment.astimezone(BUCHAREST).isoformat()
            moment += timedelta(minutes=15)
            traveller.move_to(moment)
            checked += 1
    assert checked == 8 * 7 * 24 * 4


@pytest.mark.parametrize("season", WINDOWS)
def test_shifts_say_what_on_call_at_says(db, season):
    first, override = WINDOWS[season]
    weekly = [AgentFactory(username=f"w{n}") for n in range(3)]
    nights = [AgentFactory(username=f"n{n}") for n in range(2)]
    stand_in = AgentFactory(username="stand.in")
    schedule = schedule_bucharest(weekly=weekly, nights=nights, override=(stand_in, *override))
    plan = selectors.schedule_plan(selectors.schedules_with_plan().get(pk=schedule.pk))
    start, end = first.astimezone(UTC), first.astimezone(UTC) + timedelta(weeks=8)
    found = schedules.shifts(plan, start, end)
    assert found[0].start == start and found[-1].end == end
    for before, after in zip(found, found[1:], strict=False):
        assert before.end == after.start and before.person != after.person
    moment = start
    for shift in found:
        while moment < shift.end:
            assert schedules.on_call_at(plan, moment)[0] == shift.person
            moment += timedelta(minutes=15)


def test_the_monday_handoff_stays_at_nine_local_across_the_spring_change(db):
    weekly = [AgentFactory(username=f"w{n}") for n in range(3)]
    schedule = schedule_bucharest(weekly=weekly, nights=[])
    # Before the change Bucharest is UTC+2, after it UTC+3: 09:00 local is 07:00 then 06:00 UTC.
    for monday, utc_hour in ((date(2026, 3, 23), 7), (date(2026, 3, 30), 6)):
        handoff = datetime(monday.year, monday.month, monday.day, utc_hour, tzinfo=UTC)
        before = selectors.oncall_at(schedule=schedule, at=handoff - timedelta(seconds=1))
        after = selectors.oncall_at(schedule=schedule, at=handoff)
        assert before != after
        assert after == weekly[((monday - WEEKLY_START).days // 7) % 3]


def test_the_override_wins_and_nobody_before_the_first_handoff(db):
    weekly = [AgentFactory(username="w0")]
    stand_in = AgentFactory(username="stand.in")
    schedule = schedule_bucharest(
        weekly=weekly,
        nights=[],
        override=(stand_in, datetime(2026, 3, 3, 10), datetime(2026, 3, 3, 11)),
    )
    assert selectors.oncall_at(schedule=schedule, at=local(2026, 2, 2, 8, 59)) is None
    assert selectors.oncall_at(schedule=schedule, at=local(2026, 3, 3, 10, 30)) == stand_in
    assert selectors.oncall_at(schedule=schedule, at=local(2026, 3, 3, 11, 0)) == weekly[0]
