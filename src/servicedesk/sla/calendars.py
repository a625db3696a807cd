"""Business time: pure functions over a calendar, with no database access.

A calendar is either 24×7 or a weekly schedule of local opening intervals in its own time zone,
minus public holidays (from the `holidays` package) and one-off closures. All arithmetic on
instants is done in UTC, so a DST change neither loses nor invents an hour: a local interval
08:00–17:00 lasts what the wall clock says it lasts on that day.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# No calendar leaves more than this without any open time; beyond it we refuse to search.
MAX_SEARCH_DAYS = 3 * 366
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class Calendar:
    """When the clock runs.

    `weekly` maps a weekday (0 = Monday) to local opening intervals as minutes after midnight,
    `(start, end)` with `0 <= start < end <= 1440`, e.g. `((540, 1020),)` for 09:00–17:00.
    """

    time_zone: str = "UTC"
    always_open: bool = False
    weekly: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    closed_dates: frozenset[date] = frozenset()
    # One-off closures as aware (start, end) instants, e.g. an office move.
    closures: tuple[tuple[datetime, datetime], ...] = ()

    def __hash__(self) -> int:
        return hash(
            (
                self.time_zone,
                self.always_open,
                tuple(sorted(self.weekly.items())),
                self.holiday_country,
                self.holiday_subdivision,
                self.closed_dates,
                self.closures,
            )
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_closed_on(self, day: date) -> bool:
        if day in self.closed_dates:
            return True
        if self.holiday_country:
            return day in _holidays(self.holiday_country, self.holiday_subdivision, day.year)
        return False


CALENDAR_24X7 = Calendar(always_open=True)


def working_week(
    start: time = time(9), end: time = time(17), *, days: tuple[int, ...] = (0, 1, 2, 3, 4)
) -> dict[int, tuple[tuple[int, int], ...]]:
    """A weekly schedule with the same single interval on each of `days`."""
    interval = (start.hour * 60 + start.minute, end.hour * 60 + end.minute or MINUTES_PER_DAY)
    return {day: (interval,) for day in days}


@lru_cache(maxsize=256)
def _holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


def _utc(instant: datetime) -> datetime:
    # Subtracting two datetimes of the same zone is wall-clock arithmetic in Python; in UTC it is
    # elapsed time, which is what a clock measures.
    if instant.tzinfo is None:
        raise ValueError("Business time needs aware datetimes.")
    return instant.astimezone(UTC)


def _local_instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of `minute` past local midnight of `day` (1440 = the next midnight).

    Wall times repeated by DST take their first occurrence; wall times skipped by it map as
    Python does (with the offset in force before the change).
    """
    if minute >= MINUTES_PER_DAY:
        day, minute = day + timedelta(days=1), minute - MINUTES_PER_DAY
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone).astimezone(UTC)


def _subtract(
    start: datetime, end: datetime, closures: tuple[tuple[datetime, datetime], ...]
) -> list[tuple[datetime, datetime]]:
    pieces = [(start, end)]
    for closed_start, closed_end in closures:
        next_pieces = []
        for piece_start, piece_end in pieces:
            if closed_end <= piece_start or closed_start >= piece_end:
                next_pieces.append((piece_start, piece_end))
                continue
            if piece_start < closed_start:
                next_pieces.append((piece_start, closed_start))
            if closed_end < piece_end:
                next_pieces.append((closed_end, piece_end))
        pieces = next_pieces
    return pieces


def open_intervals(calendar: Calendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals (UTC, ascending, non-overlapping) from the local day containing `start` on."""
    start = _utc(start)
    if calendar.always_open:
        yield (start, datetime.max.replace(tzinfo=UTC))
        return
    zone = calendar.zone
    day = start.astimezone(zone).date() - timedelta(days=1)
    closures = tuple(sorted((s.astimezone(UTC), e.astimezone(UTC)) for s, e in calendar.closures))
    previous_end = datetime.min.replace(tzinfo=UTC)
    for _ in range(MAX_SEARCH_DAYS):
        if not calendar.is_closed_on(day):
            for open_minute, close_minute in sorted(calendar.weekly.get(day.weekday(), ())):
                # Clamped so that intervals never overlap, even around a DST gap.
                interval_start = max(_local_instant(day, open_minute, zone), previous_end)
                interval_end = _local_instant(day, close_minute, zone)
                if interval_end > interval_start:
                    yield from _subtract(interval_start, interval_end, closures)
                    previous_end = interval_end
        day += timedelta(days=1)


def business_time_between(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """Open time in [start, end); zero when end <= start."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return timedelta()
    if calendar.always_open:
        return end - start
    total = timedelta()
    for interval_start, interval_end in open_intervals(calendar, start):
        if interval_start >= end:
            break
        overlap = min(interval_end, end) - max(interval_start, start)
        if overlap > timedelta():
            total += overlap
    return total


def business_time_add(calendar: Calendar, start: datetime, duration: timedelta) -> datetime:
    """The instant when `duration` of open time has passed since `start`.

    Adding zero returns `start` itself, even outside opening hours.
    """
    zone = start.tzinfo
    start = _utc(start)
    if duration < timedelta():
        raise ValueError("duration must not be negative")
    if duration == timedelta():
        return start.astimezone(zone)
    if calendar.always_open:
        return (start + duration).astimezone(zone)
    remaining = duration
    for interval_start, interval_end in open_intervals(calendar, start):
        if interval_end <= start:
            continue
        begin = max(interval_start, start)
        available = interval_end - begin
        if remaining <= available:
            return (begin + remaining).astimezone(zone)
        remaining -= available
    raise ValueError("The calendar has no open time within three years.")


def business_times_add(
    calendar: Calendar, start: datetime, durations: Sequence[timedelta]
) -> list[datetime]:
    """`business_time_add` of each duration from the same start, walking the calendar once."""
    zone = start.tzinfo
    start = _utc(start)
    if any(duration < timedelta() for duration in durations):
        raise ValueError("duration must not be negative")
    results: list[datetime] = [start.astimezone(zone)] * len(durations)
    pending = sorted((d, i) for i, d in enumerate(durations) if d > timedelta())
    if calendar.always_open:
        for duration, i in pending:
            results[i] = (start + duration).astimezone(zone)
        return results
    if not pending:
        return results
    done, consumed = 0, timedelta()
    for interval_start, interval_end in open_intervals(calendar, start):
        if interval_end <= start:
            continue
        begin = max(interval_start, start)
        available = interval_end - begin
        while done < len(pending) and pending[done][0] - consumed <= available:
            duration, i = pending[done]
            results[i] = (begin + (duration - consumed)).astimezone(zone)
            done += 1
        if done == len(pending):
            return results
        consumed += available
    raise ValueError("The calendar has no open time within three years.")


def next_open_instant(calendar: Calendar, start: datetime) -> datetime:
    """`start` if the calendar is open then, else when it next opens."""
    zone, start = start.tzinfo, _utc(start)
    for interval_start, interval_end in open_intervals(calendar, start):
        if interval_end > start:
            return max(interval_start, start).astimezone(zone)
    raise ValueError("The calendar has no open time within three years.")
