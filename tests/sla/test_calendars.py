from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicedesk.sla.calendars import (
    CALENDAR_24X7,
    MINUTES_PER_DAY,
    Calendar,
    business_time_add,
    business_time_between,
    business_times_add,
    next_open_instant,
    open_intervals,
    open_time_on,
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
        assert s1 < e1 < s2 < e2


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


def test_adding_zero_outside_opening_hours_gives_the_next_opening():
    # Saturday night: nothing is open until Monday 09:00.
    saturday_night = local(2026, 11, 21, 23, 30)
    monday_morning = local(2026, 11, 23, 9)
    assert business_time_add(OFFICE, saturday_night, timedelta()) == monday_morning
    assert business_times_add(OFFICE, saturday_night, [timedelta(), timedelta(minutes=5)]) == [
        monday_morning,
        local(2026, 11, 23, 9, 5),
    ]
    # 1 December is a Romanian holiday; 30 November too.
    assert business_time_add(OFFICE, local(2026, 11, 30, 10), timedelta()) == local(2026, 12, 2, 9)


def test_adding_zero_while_open_gives_the_start():
    start = local(2026, 11, 23, 10, 15)
    assert business_time_add(OFFICE, start, timedelta()) == start
    assert business_times_add(OFFICE, start, [timedelta()]) == [start]
    assert business_time_add(CALENDAR_24X7, start, timedelta()) == start


def test_zero_closes_open_intervals_at_closing_time_not_at_the_next_opening():
    # A clock with all of its target used at 17:00 exactly is due then, not next morning.
    assert business_time_add(OFFICE, local(2026, 11, 23, 16), timedelta(hours=1)) == local(
        2026, 11, 23, 17
    )


SPRING_FORWARD = date(2026, 3, 29)  # Sunday; 03:00 EET becomes 04:00 EEST
FALL_BACK = date(2026, 10, 25)  # Sunday; 04:00 EEST becomes 03:00 EET


def sundays(*spans: tuple[time, time]) -> Calendar:
    minutes = tuple((a.hour * 60 + a.minute, b.hour * 60 + b.minute) for a, b in spans)
    return Calendar(time_zone="Europe/Bucharest", weekly={6: minutes})


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def intervals_on(calendar: Calendar, day: date) -> list[tuple[datetime, datetime]]:
    midnight = datetime.combine(day, time(0), tzinfo=BUCHAREST)
    following = datetime.combine(day + timedelta(days=1), time(0), tzinfo=BUCHAREST)
    found = []
    for interval in open_intervals(calendar, midnight):
        if interval[0] >= following:
            break
        found.append(interval)
    return found


@pytest.mark.parametrize(
    ("opens", "closes", "day", "open_for"),
    [
        (time(3), time(4), SPRING_FORWARD, timedelta()),  # the wall clock never shows 03:xx
        (time(3, 30), time(5), SPRING_FORWARD, timedelta(hours=1)),
        (time(1), time(3, 30), SPRING_FORWARD, timedelta(hours=2)),
        (time(3), time(4), FALL_BACK, timedelta(hours=2)),  # 03:xx shows twice
        (time(3, 30), time(5), FALL_BACK, timedelta(hours=2)),
        (time(1), time(3, 30), FALL_BACK, timedelta(hours=3)),
        (time(9), time(17), FALL_BACK, timedelta(hours=8)),
    ],
)
def test_open_time_on_a_dst_change_is_the_time_the_wall_clock_shows_open(
    opens, closes, day, open_for
):
    calendar = sundays((opens, closes))
    midnight = datetime.combine(day, time(0), tzinfo=BUCHAREST)
    following = datetime.combine(day + timedelta(days=1), time(0), tzinfo=BUCHAREST)
    assert business_time_between(calendar, midnight, following) == open_for
    assert open_time_on(calendar, day) == open_for
    assert sum((end - start for start, end in intervals_on(calendar, day)), timedelta()) == open_for


def test_an_interval_inside_the_skipped_hour_never_opens():
    calendar = sundays((time(3), time(4)), (time(10), time(11)))
    assert intervals_on(calendar, SPRING_FORWARD) == [(utc(2026, 3, 29, 7), utc(2026, 3, 29, 8))]
    assert next_open_instant(calendar, local(2026, 3, 29, 2, 30)) == local(2026, 3, 29, 10)


def test_an_interval_starting_in_the_skipped_hour_opens_when_the_clock_shows_its_rest():
    calendar = sundays((time(3, 30), time(5)))
    # 04:00 EEST is 01:00 UTC, the first instant the wall clock is past 03:30.
    assert intervals_on(calendar, SPRING_FORWARD) == [(utc(2026, 3, 29, 1), utc(2026, 3, 29, 2))]
    assert business_time_add(calendar, local(2026, 3, 29, 0), timedelta(minutes=30)) == utc(
        2026, 3, 29, 1, 30
    )


def test_an_interval_across_the_repeated_hour_is_open_during_both_passes():
    # 03:30–05:00 on the fall-back day: 03:30–04:00 EEST, then 03:30–05:00 EET.
    calendar = sundays((time(3, 30), time(5)))
    assert intervals_on(calendar, FALL_BACK) == [
        (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1)),
        (utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 3)),
    ]
    # 30 min before the clock goes back, 1 h more after its second 03:30.
    assert business_time_add(calendar, local(2026, 10, 25, 0), timedelta(hours=1)) == utc(
        2026, 10, 25, 2
    )


def test_an_interval_ending_in_the_repeated_hour_opens_again_on_its_second_pass():
    # 01:00–03:30 on the fall-back day: 01:00–03:30 EEST, then 03:00–03:30 EET.
    calendar = sundays((time(1), time(3, 30)))
    assert intervals_on(calendar, FALL_BACK) == [
        (utc(2026, 10, 24, 22), utc(2026, 10, 25, 0, 30)),
        (utc(2026, 10, 25, 1), utc(2026, 10, 25, 1, 30)),
    ]
    assert next_open_instant(calendar, utc(2026, 10, 25, 0, 45)) == utc(2026, 10, 25, 1)


def test_touching_intervals_are_one():
    night_shift = Calendar(
        time_zone="Europe/Bucharest", weekly={d: ((22 * 60, 1440), (0, 6 * 60)) for d in range(7)}
    )
    first = next(open_intervals(night_shift, local(2026, 5, 5, 23)))
    assert first == (utc(2026, 5, 5, 19), utc(2026, 5, 6, 3))


# ---------------------------------------------------------------------------------------------
# Against a reference that steps one UTC minute at a time and reads the local wall clock.

MINUTE = timedelta(minutes=1)
WINDOW_MINUTES = 5 * MINUTES_PER_DAY
REGIONS = [
    datetime(2026, 3, 27, tzinfo=UTC),  # spring forward on Sunday 29 March
    datetime(2026, 10, 23, tzinfo=UTC),  # fall back on Sunday 25 October
    datetime(2026, 6, 10, tzinfo=UTC),
    datetime(2026, 12, 29, tzinfo=UTC),  # 1 and 2 January are Romanian holidays
]
# Spans that touch the hour skipped in March or repeated in October, and ordinary ones.
DST_SPANS = [(180, 240), (150, 210), (210, 300), (60, 210), (120, 180), (240, 300), (0, 1440)]
spans = st.one_of(
    st.sampled_from(DST_SPANS),
    st.tuples(
        st.integers(min_value=0, max_value=MINUTES_PER_DAY - 1),
        st.integers(min_value=1, max_value=MINUTES_PER_DAY),
    ).map(lambda pair: (pair[0], min(pair[0] + pair[1], MINUTES_PER_DAY))),
)


@st.composite
def cases(draw):
    region = draw(st.sampled_from(REGIONS))
    start = region + draw(st.integers(min_value=0, max_value=4 * MINUTES_PER_DAY)) * MINUTE
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        calendar = Calendar(time_zone="Europe/Bucharest", always_open=True)
    else:
        weekly = {
            day: tuple(sorted(draw(st.lists(spans, max_size=3))))
            for day in range(7)
            if draw(st.booleans())
        }
        # Sunday is the day of both changes: give it a span that touches one most of the time.
        if draw(st.booleans()):
            weekly[6] = tuple(sorted({*weekly.get(6, ()), draw(st.sampled_from(DST_SPANS))}))
        day_offsets = st.integers(min_value=-1, max_value=6)
        closed_dates = frozenset(
            region.date() + timedelta(days=n) for n in draw(st.lists(day_offsets, max_size=3))
        )
        closures = tuple(
            (region + begin * MINUTE, region + (begin + length) * MINUTE)
            for begin, length in draw(
                st.lists(
                    st.tuples(
                        st.integers(min_value=-MINUTES_PER_DAY, max_value=8 * MINUTES_PER_DAY),
                        st.integers(min_value=1, max_value=12 * 60),
                    ),
                    max_size=3,
                )
            )
        )
        calendar = Calendar(
            time_zone="Europe/Bucharest",
            weekly=weekly,
            holiday_country=draw(st.sampled_from([None, "RO"])),
            closed_dates=closed_dates,
            closures=closures,
        )
    minutes = st.one_of(
        st.just(0),
        st.integers(min_value=0, max_value=180),
        st.integers(min_value=0, max_value=3 * MINUTES_PER_DAY),
    )
    return calendar, start, draw(st.lists(minutes, min_size=1, max_size=4))


def reference_open_minutes(calendar: Calendar, start: datetime) -> list[bool]:
    """For each minute of the window from `start`: is the calendar open then?"""
    zone = ZoneInfo(calendar.time_zone)
    open_minutes = {day: set() for day in range(7)}
    for day, day_spans in calendar.weekly.items():
        for opens, closes in day_spans:
            open_minutes[day].update(range(opens, closes))
    found = []
    for step in range(WINDOW_MINUTES):
        instant = start + step * MINUTE
        if calendar.always_open:
            found.append(True)
            continue
        wall = instant.astimezone(zone)
        found.append(
            wall.hour * 60 + wall.minute in open_minutes[wall.weekday()]
            and not calendar.is_closed_on(wall.date())
            and not any(begin <= instant < end for begin, end in calendar.closures)
        )
    return found


def reference_add(open_minutes: list[bool], start: datetime, minutes: int) -> datetime | None:
    """When `minutes` of open time have passed (zero: the next open minute); None: not in view."""
    counted = 0
    for step, is_open in enumerate(open_minutes):
        if is_open and minutes == 0:
            return start + step * MINUTE
        counted += is_open
        if is_open and counted == minutes:
            return start + (step + 1) * MINUTE
    return None


def reference_intervals(open_minutes: list[bool]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for step, is_open in enumerate(open_minutes):
        if not is_open:
            continue
        if runs and runs[-1][1] == step:
            runs[-1] = (runs[-1][0], step + 1)
        else:
            runs.append((step, step + 1))
    return runs


def added_or_none(function, *args) -> datetime | None:
    try:
        return function(*args)
    except ValueError as refused:
        assert "no open time" in str(refused)
        return None


@settings(max_examples=200, deadline=None)
@given(case=cases(), end_minute=st.integers(min_value=0, max_value=WINDOW_MINUTES))
def test_the_calendar_agrees_with_the_wall_clock_minute_by_minute(case, end_minute):
    calendar, start, many = case
    open_minutes = reference_open_minutes(calendar, start)
    window_end = start + WINDOW_MINUTES * MINUTE
    never_opens = not calendar.always_open and not any(calendar.weekly.values())

    assert business_time_between(calendar, start, start + end_minute * MINUTE) == MINUTE * sum(
        open_minutes[:end_minute]
    )

    # The open intervals, cut to the window, are the runs of open minutes.
    seen = []
    for begin, end in open_intervals(calendar, start):
        if begin >= window_end:
            break
        seen.append(
            ((max(begin, start) - start) // MINUTE, (min(end, window_end) - start) // MINUTE)
        )
    assert seen == reference_intervals(open_minutes)

    durations = [minutes * MINUTE for minutes in [0, *many]]
    expected = [added_or_none(business_time_add, calendar, start, d) for d in durations]
    for due, duration in zip(expected, durations, strict=True):
        wanted = reference_add(open_minutes, start, duration // MINUTE)
        if wanted is not None:
            assert due == wanted
        elif due is not None:
            assert due >= window_end
        else:
            # Refused: not enough open time within three years (a minute a week, say).
            assert never_opens or duration > timedelta()
    if never_opens:
        assert expected == [None] * len(durations)
    if None in expected:
        with pytest.raises(ValueError, match="no open time"):
            business_times_add(calendar, start, durations)
    else:
        assert business_times_add(calendar, start, durations) == expected
    assert added_or_none(next_open_instant, calendar, start) == expected[0]
