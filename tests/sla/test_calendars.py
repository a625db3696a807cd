from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicedesk.sla.calendars import (
    CALENDAR_24X7,
    Calendar,
    business_time_add,
    business_time_between,
    business_times_add,
    next_open_instant,
    open_intervals,
    working_week,
)

BUCHAREST = ZoneInfo("Europe/Bucharest")
OFFICE = Calendar(
    time_zone="Europe/Bucharest",
    weekly=working_week(time(9), time(17)),
    holiday_country="RO",
)
SPLIT_DAY = Calendar(
    time_zone="Europe/Bucharest",
    weekly={d: ((8 * 60, 12 * 60), (13 * 60, 17 * 60)) for d in range(5)},
)
ROUND_THE_CLOCK_LOCAL = Calendar(
    time_zone="Europe/Bucharest", weekly={d: ((0, 1440),) for d in range(7)}
)
CALENDARS = [OFFICE, SPLIT_DAY, ROUND_THE_CLOCK_LOCAL, CALENDAR_24X7]


def local(*args) -> datetime:
    return datetime(*args, tzinfo=BUCHAREST)


instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
durations = st.integers(min_value=0, max_value=60 * 24 * 30).map(lambda m: timedelta(minutes=m))


@settings(max_examples=150, deadline=None)
@given(calendar=st.sampled_from(CALENDARS), start=instants, duration=durations)
def test_adding_then_measuring_gives_the_same_duration(calendar, start, duration):
    due = business_time_add(calendar, start, duration)
    assert due >= start
    assert business_time_between(calendar, start, due) == duration


@settings(max_examples=150, deadline=None)
@given(
    calendar=st.sampled_from(CALENDARS),
    start=instants,
    many=st.lists(durations, max_size=5),
)
def test_adding_several_durations_at_once_is_adding_each(calendar, start, many):
    start = start.astimezone(BUCHAREST)
    assert business_times_add(calendar, start, many) == [
        business_time_add(calendar, start, duration) for duration in many
    ]
    for due, duration in zip(business_times_add(calendar, start, many), many, strict=True):
        assert due.tzinfo == business_time_add(calendar, start, duration).tzinfo


@settings(max_examples=100, deadline=None)
@given(calendar=st.sampled_from(CALENDARS), start=instants, a=durations, b=durations)
def test_adding_more_time_never_ends_earlier(calendar, start, a, b):
    shorter, longer = sorted((a, b))
    assert business_time_add(calendar, start, shorter) <= business_time_add(calendar, start, longer)


@settings(max_examples=100, deadline=None)
@given(calendar=st.sampled_from(CALENDARS), start=instants, a=durations, b=durations)
def test_measuring_is_additive_and_monotonic(calendar, start, a, b):
    middle = start + a
    end = middle + b
    whole = business_time_between(calendar, start, end)
    assert whole == business_time_between(calendar, start, middle) + business_time_between(
        calendar, middle, end
    )
    assert whole <= end - start


@settings(max_examples=60, deadline=None)
@given(start=instants)
def test_open_intervals_ascend_without_overlap(start):
    intervals = []
    for interval in open_intervals(SPLIT_DAY, start):
        intervals.append(interval)
        if len(intervals) == 40:
            break
    for (s1, e1), (s2, e2) in zip(intervals, intervals[1:], strict=False):
        assert s1 < e1 <= s2 < e2


def test_friday_afternoon_rolls_over_the_weekend():
    # Friday 16:50 + 1 h of office time = Monday 09:50.
    assert business_time_add(OFFICE, local(2026, 11, 20, 16, 50), timedelta(hours=1)) == local(
        2026, 11, 23, 9, 50
    )


def test_public_holidays_are_skipped():
    # 30 Nov and 1 Dec 2026 are Romanian public holidays (Monday and Tuesday).
    due = business_time_add(OFFICE, local(2026, 11, 27, 16, 0), timedelta(hours=2))
    assert due == local(2026, 12, 2, 10, 0)
    assert (
        business_time_between(OFFICE, local(2026, 11, 30, 0), local(2026, 12, 2, 0)) == timedelta()
    )


def test_one_off_closures_are_skipped():
    closed = Calendar(
        time_zone="Europe/Bucharest",
        weekly=working_week(),
        closed_dates=frozenset({date(2026, 6, 3)}),
        closures=((local(2026, 6, 4, 9), local(2026, 6, 4, 12)),),
    )
    # Tuesday 16:00 + 3 h: one hour Tuesday, Wednesday closed, Thursday opens at 12:00 → 14:00.
    assert business_time_add(closed, local(2026, 6, 2, 16), timedelta(hours=3)) == local(
        2026, 6, 4, 14
    )


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2026, 3, 29), 23),  # spring forward: 03:00 → 04:00
        (date(2026, 10, 25), 25),  # fall back: 04:00 → 03:00
        (date(2026, 6, 15), 24),
    ],
)
def test_dst_neither_loses_nor_invents_an_hour(day, hours):
    start = datetime.combine(day, time(0), tzinfo=BUCHAREST)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=BUCHAREST)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours)
    assert business_time_between(ROUND_THE_CLOCK_LOCAL, start, end) == timedelta(hours=hours)
    assert business_time_add(ROUND_THE_CLOCK_LOCAL, start, timedelta(hours=hours)) == end


def test_office_hours_across_dst_keep_their_wall_clock_length():
    # The Friday before and the Monday after the spring change each give 8 h.
    friday = business_time_between(OFFICE, local(2026, 3, 27, 0), local(2026, 3, 28, 0))
    monday = business_time_between(OFFICE, local(2026, 3, 30, 0), local(2026, 3, 31, 0))
    assert friday == monday == timedelta(hours=8)


def test_midnight_intervals_join_up():
    night_shift = Calendar(
        time_zone="Europe/Bucharest", weekly={d: ((22 * 60, 1440), (0, 6 * 60)) for d in range(7)}
    )
    assert business_time_add(night_shift, local(2026, 5, 5, 23), timedelta(hours=3)) == local(
        2026, 5, 6, 2
    )


def test_next_open_instant():
    assert next_open_instant(OFFICE, local(2026, 11, 21, 10)) == local(2026, 11, 23, 9)
    assert next_open_instant(OFFICE, local(2026, 11, 23, 10)) == local(2026, 11, 23, 10)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        business_time_between(OFFICE, datetime(2026, 1, 1), datetime(2026, 1, 2))


def test_a_calendar_that_never_opens_is_refused():
    with pytest.raises(ValueError, match="no open time"):
        business_time_add(Calendar(weekly={}), local(2026, 1, 1), timedelta(hours=1))


@settings(max_examples=100, deadline=None)
@given(start=instants, duration=durations)
def test_a_local_round_the_clock_schedule_counts_real_elapsed_time(start, duration):
    # Any DST change inside the span would show up as an hour lost or invented.
    assert business_time_between(ROUND_THE_CLOCK_LOCAL, start, start + duration) == duration


@settings(max_examples=100, deadline=None)
@given(start=instants, minutes=st.integers(min_value=1, max_value=60 * 24 * 20))
def test_due_times_fall_inside_opening_hours_never_on_holidays_or_weekends(start, minutes):
    due = business_time_add(OFFICE, start, timedelta(minutes=minutes)).astimezone(BUCHAREST)
    assert due.weekday() < 5
    assert not OFFICE.is_closed_on(due.date())
    assert time(9) < due.time() <= time(17)
