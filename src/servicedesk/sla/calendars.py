"""Business time: pure functions over a calendar, with no database access.

A calendar is either 24×7 or a weekly schedule of local opening intervals in its own time zone,
minus public holidays (from the `holidays` package) and one-off closures.

Business time is the real elapsed time during which the calendar's local wall clock shows an open
time: a time within an opening interval of that local date, on an open weekday that is not a
holiday or closed date, outside one-off closures. All arithmetic on instants is done in UTC, so a
DST change neither loses nor invents an hour. On the day clocks jump 03:00 → 04:00 an interval
03:00–04:00 is open for nothing and 03:30–05:00 for one hour; on the day they fall back
04:00 → 03:00 the wall clock shows 03:30–05:00 for two hours, in two separate stretches.
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


_ONE_SECOND = timedelta(seconds=1)


def _offset_at(instant: datetime, zone: ZoneInfo) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None  # a ZoneInfo always has one
    return offset


@lru_cache(maxsize=4096)
def _offset_change(time_zone: str, utc_day: date) -> tuple[datetime, timedelta] | None:
    """The first instant of a new UTC offset after midnight of `utc_day` up to the next one.

    No zone has changed its offset twice within a day, so the offsets at both midnights tell
    whether it changes; the instant is found to the second (transitions fall on whole seconds).
    """
    zone = ZoneInfo(time_zone)
    before = datetime.combine(utc_day, time(0), tzinfo=UTC)
    after = before + timedelta(days=1)
    offset, new_offset = _offset_at(before, zone), _offset_at(after, zone)
    if new_offset == offset:
        return None
    while after - before > _ONE_SECOND:
        middle = (before + (after - before) / 2).replace(microsecond=0)
        if _offset_at(middle, zone) == offset:
            before = middle
        else:
            after = middle
    return after, new_offset


@lru_cache(maxsize=4096)
def _offset_stretches(
    time_zone: str, day: date
) -> tuple[tuple[datetime, datetime, timedelta], ...]:
    """(UTC start, UTC end, UTC offset) stretches covering every instant whose local date is `day`.

    Within a stretch the wall clock is UTC plus a constant offset, so a wall-clock interval maps
    to one real interval there. Offsets lie within a day of UTC, hence the window of three days.
    """
    window_start = datetime.combine(day - timedelta(days=1), time(0), tzinfo=UTC)
    window_end = window_start + timedelta(days=3)
    stretches = []
    stretch_start, offset = window_start, _offset_at(window_start, ZoneInfo(time_zone))
    for utc_day in (day - timedelta(days=1), day, day + timedelta(days=1)):
        change = _offset_change(time_zone, utc_day)
        if change is not None and change[0] < window_end:
            stretches.append((stretch_start, change[0], offset))
            stretch_start, offset = change
    stretches.append((stretch_start, window_end, offset))
    return tuple(stretches)


def _merge(pieces: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sorted, with overlapping and touching pieces joined into one."""
    merged: list[tuple[datetime, datetime]] = []
    for piece_start, piece_end in sorted(pieces):
        if merged and piece_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], piece_end))
        else:
            merged.append((piece_start, piece_end))
    return merged


@lru_cache(maxsize=4096)
def _wall_spans_on(
    time_zone: str, day: date, spans: tuple[tuple[int, int], ...]
) -> tuple[tuple[datetime, datetime], ...]:
    """The real (UTC) intervals during which the local wall clock shows `day` within `spans`.

    On a DST change an interval may be shorter (the skipped hour never shows), longer, or even
    split in two (the repeated hour shows twice).
    """
    # Within a stretch the wall clock shows instant + offset, so wall time w shows at w - offset
    # (wall times written as UTC datetimes to compute with).
    midnight = datetime.combine(day, time(0), tzinfo=UTC)
    pieces = []
    for stretch_start, stretch_end, offset in _offset_stretches(time_zone, day):
        for open_minute, close_minute in spans:
            piece_start = max(midnight + timedelta(minutes=open_minute) - offset, stretch_start)
            piece_end = min(midnight + timedelta(minutes=close_minute) - offset, stretch_end)
            if piece_start < piece_end:
                pieces.append((piece_start, piece_end))
    return tuple(_merge(pieces))


def _date_begins(time_zone: str, day: date) -> datetime:
    """The first instant the local wall clock shows `day` (a skipped date: a day earlier)."""
    pieces = _wall_spans_on(time_zone, day, ((0, MINUTES_PER_DAY),))
    if pieces:
        return pieces[0][0]
    return datetime.combine(day - timedelta(days=1), time(0), tzinfo=UTC)


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


def _utc_closures(calendar: Calendar) -> tuple[tuple[datetime, datetime], ...]:
    return tuple(sorted((_utc(s), _utc(e)) for s, e in calendar.closures))


def _open_on(
    calendar: Calendar, day: date, closures: tuple[tuple[datetime, datetime], ...]
) -> list[tuple[datetime, datetime]]:
    """The open intervals of the local date `day`, closures left out (not for 24×7)."""
    spans = calendar.weekly.get(day.weekday())
    if not spans or calendar.is_closed_on(day):
        return []
    pieces = []
    for piece_start, piece_end in _wall_spans_on(calendar.time_zone, day, tuple(spans)):
        pieces.extend(_subtract(piece_start, piece_end, closures))
    return pieces


def open_intervals(calendar: Calendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals (UTC, ascending, disjoint, never touching) that end after `start`.

    Open means the calendar's local wall clock shows an opening time of that local date, the
    date is an open weekday and no holiday, and no closure covers the instant.
    """
    start = _utc(start)
    if calendar.always_open:
        yield (start, datetime.max.replace(tzinfo=UTC))
        return
    closures = _utc_closures(calendar)
    # No zone has ever set its clocks back by a day: a date two days before that of `start` is
    # over by then, and no later date begins before the next one does.
    day = start.astimezone(calendar.zone).date() - timedelta(days=1)
    pending: list[tuple[datetime, datetime]] = []
    for _ in range(MAX_SEARCH_DAYS):
        pieces = _open_on(calendar, day, closures)
        if pending and pieces and pieces[0][0] > pending[-1][1]:
            pending.extend(pieces)
        elif pieces:
            pending = _merge(pending + pieces)
        day += timedelta(days=1)
        # Pieces ending before the next date begins can neither overlap nor touch what follows.
        settled = _date_begins(calendar.time_zone, day)
        while pending and pending[0][1] < settled:
            interval = pending.pop(0)
            if interval[1] > start:
                yield interval
    for interval in pending:
        if interval[1] > start:
            yield interval


def open_time_on(calendar: Calendar, day: date) -> timedelta:
    """Open time while the local wall clock shows the date `day` (zero on a day off)."""
    if calendar.always_open:
        pieces = _wall_spans_on(calendar.time_zone, day, ((0, MINUTES_PER_DAY),))
    else:
        pieces = _open_on(calendar, day, _utc_closures(calendar))
    total = timedelta()
    for interval_start, interval_end in pieces:
        total += interval_end - interval_start
    return total


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

    Adding zero gives the next opening instant (`start` itself when open then): a clock resumed
    with its whole target used is due when the calendar next opens, not at night or on a holiday.
    """
    zone = start.tzinfo
    start = _utc(start)
    if duration < timedelta():
        raise ValueError("duration must not be negative")
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
    pending = sorted((d, i) for i, d in enumerate(durations))
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
