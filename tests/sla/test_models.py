"""A calendar's intervals and closures, however they are written, reach the cached calendars."""

from datetime import UTC, datetime, time

import pytest
from django.forms import inlineformset_factory

from servicedesk.sla.clocks import calendar_of, policies_active
from servicedesk.sla.models import BusinessCalendar, Closure, OpeningInterval

pytestmark = pytest.mark.django_db

MONDAY = OpeningInterval.Weekday.MONDAY
OFFICE_HOURS = ((9 * 60, 17 * 60),)
MOVE = (datetime(2026, 12, 31, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


def fresh(calendar: BusinessCalendar) -> BusinessCalendar:
    return BusinessCalendar.objects.get(pk=calendar.pk)


@pytest.fixture
def office() -> BusinessCalendar:
    office = BusinessCalendar.objects.get(name="Office hours")
    Closure.objects.create(calendar=office, starts_at=MOVE[0], ends_at=MOVE[1], reason="Move")
    office = fresh(office)
    # Read once, as a running process would have it cached.
    assert calendar_of(office).weekly[MONDAY] == OFFICE_HOURS
    assert calendar_of(office).closures == (MOVE,)
    return office


def test_deleting_one_interval_reaches_the_cached_calendar(office):
    office.intervals.get(weekday=MONDAY).delete()
    assert MONDAY not in calendar_of(fresh(office)).weekly


def test_deleting_selected_intervals_reaches_the_cached_calendar(office):
    OpeningInterval.objects.filter(calendar=office, weekday=MONDAY).delete()
    assert MONDAY not in calendar_of(fresh(office)).weekly


def test_deleting_an_interval_in_the_inline_formset_reaches_the_cached_calendar(office):
    formset_class = inlineformset_factory(
        BusinessCalendar, OpeningInterval, fields=["weekday", "opens_at", "closes_at"], extra=0
    )
    intervals = list(office.intervals.all())
    data = {"intervals-TOTAL_FORMS": len(intervals), "intervals-INITIAL_FORMS": len(intervals)}
    for n, interval in enumerate(intervals):
        data |= {
            f"intervals-{n}-id": interval.pk,
            f"intervals-{n}-weekday": interval.weekday,
            f"intervals-{n}-opens_at": "09:00",
            f"intervals-{n}-closes_at": "17:00",
            f"intervals-{n}-DELETE": "on" if interval.weekday == MONDAY else "",
        }
    formset = formset_class(data, instance=office)
    assert formset.is_valid(), formset.errors
    formset.save()
    assert MONDAY not in calendar_of(fresh(office)).weekly


def test_bulk_updated_intervals_reach_the_cached_calendar(office):
    intervals = list(office.intervals.filter(weekday=MONDAY))
    for interval in intervals:
        interval.closes_at = time(12)
    OpeningInterval.objects.bulk_update(intervals, ["closes_at"])
    assert calendar_of(fresh(office)).weekly[MONDAY] == ((9 * 60, 12 * 60),)


def test_deleted_closures_reach_the_cached_calendar(office):
    office.closures.get().delete()
    assert calendar_of(fresh(office)).closures == ()

    Closure.objects.bulk_create(
        [Closure(calendar=office, starts_at=MOVE[0], ends_at=MOVE[1], reason="Move")]
    )
    assert calendar_of(fresh(office)).closures == (MOVE,)

    Closure.objects.filter(calendar=office).delete()
    assert calendar_of(fresh(office)).closures == ()


def test_an_updated_closure_reaches_the_cached_calendar(office):
    later = datetime(2027, 1, 4, tzinfo=UTC)
    office.closures.update(ends_at=later)
    assert calendar_of(fresh(office)).closures == ((MOVE[0], later),)


def test_deleting_an_interval_drops_the_cached_policies_with_their_calendar(office):
    def office_policy_calendar():
        policy = next(p for p in policies_active() if p.calendar_id == office.pk)
        return calendar_of(policy.calendar)

    assert office_policy_calendar().weekly[MONDAY] == OFFICE_HOURS
    office.intervals.filter(weekday=MONDAY).delete()
    assert MONDAY not in office_policy_calendar().weekly
