"""Who is on call: pure functions over a schedule's plan, exact across DST changes.

A plan has a time zone, layers and overrides. A layer hands over from one participant to the
next every `length_days` local days at the wall-clock `handoff` time, counted from its `start`
date, so a weekly Monday 09:00 hand-off stays at 09:00 local when the clocks change. A layer
with restrictions is on duty only inside them (e.g. weekdays 18:00–09:00, weekends all day);
outside them the layers below it answer. Higher layers win; an override replaces whoever the
layers give for its stretch (the latest-starting override wins where two overlap).

Every wall-clock instant is turned into an absolute one with `zoneinfo` (`fold=0`): a
hand-off at a time the clocks skip happens at the instant Python gives that wall time, and a
hand-off in the hour that repeats happens at its first occurrence.

`on_call_at(plan, at)` is the one answer to "who is on call at T"; `shifts(plan, start, end)`
lists the stretches between `start` and `end`, each with its person, by asking `on_call_at` at
the start of every stretch between two consecutive boundaries (hand-offs, restriction edges,
override edges), so the two never disagree.
"""

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Restriction:
    """A weekly window in local wall-clock time: from `start` on each of `weekdays` (0 Monday)
    until `end`, on the next day when `end` is not after `start` (00:00–00:00 is the whole day)."""

    weekdays: frozenset[int]
    start: time
    end: time


@dataclass(frozen=True)
class Layer:
    participants: tuple[Hashable, ...]
    start: date
    handoff: time
    length_days: int = 7
    restrictions: tuple[Restriction, ...] = ()
    #: higher wins
    level: int = 0
    name: str = ""


@dataclass(frozen=True)
class Override:
    person: Hashable
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Plan:
    time_zone: str
    layers: tuple[Layer, ...] = ()
    overrides: tuple[Override, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True)
class Shift:
    person: Hashable
    start: datetime
    end: datetime
    #: the layer's name, or "override"
    source: str = ""
    extra: dict = field(default_factory=dict, compare=False)


def _instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def _rotation(layer: Layer, at: datetime, zone: ZoneInfo) -> int | None:
    """The number of the layer's rotation period containing `at`, None before its start."""
    first = _instant(layer.start, layer.handoff, zone)
    if at < first:
        return None
    local_days = (at.astimezone(zone).date() - layer.start).days
    k = local_days // layer.length_days
    # The estimate from local dates is off by one at most: correct it on absolute instants.
    while k > 0 and _period_start(layer, k, zone) > at:
        k -= 1
    while _period_start(layer, k + 1, zone) <= at:
        k += 1
    return k


def _period_start(layer: Layer, k: int, zone: ZoneInfo) -> datetime:
    return _instant(layer.start + timedelta(days=k * layer.length_days), layer.handoff, zone)


def _windows(restriction: Restriction, day: date, zone: ZoneInfo):
    """The window of `restriction` opening on local `day`, as absolute instants, if any."""
    if day.weekday() not in restriction.weekdays:
        return None
    end_day = day if restriction.end > restriction.start else day + timedelta(days=1)
    return _instant(day, restriction.start, zone), _instant(end_day, restriction.end, zone)


def _restricted_in(layer: Layer, at: datetime, zone: ZoneInfo) -> bool:
    if not layer.restrictions:
        return True
    today = at.astimezone(zone).date()
    for restriction in layer.restrictions:
        for day in (today - timedelta(days=1), today):
            window = _windows(restriction, day, zone)
            if window and window[0] <= at < window[1]:
                return True
    return False


def layer_person(layer: Layer, at: datetime, zone: ZoneInfo):
    """Who `layer` puts on call at `at`, or None (not started, no one, outside restrictions)."""
    if not layer.participants or not _restricted_in(layer, at, zone):
        return None
    k = _rotation(layer, at, zone)
    if k is None:
        return None
    return layer.participants[k % len(layer.participants)]


def on_call_at(plan: Plan, at: datetime) -> tuple[Hashable | None, str]:
    """(person, source) on call at the instant `at`: an override, else the highest layer that
    has someone; (None, "") when nobody is."""
    at = at.astimezone(UTC)
    overrides = [o for o in plan.overrides if o.start <= at < o.end]
    if overrides:
        return max(overrides, key=lambda o: o.start).person, "override"
    zone = plan.zone
    for layer in sorted(plan.layers, key=lambda layer: -layer.level):
        person = layer_person(layer, at, zone)
        if person is not None:
            return person, layer.name
    return None, ""


def _boundaries(plan: Plan, start: datetime, end: datetime) -> list[datetime]:
    zone = plan.zone
    points = {start}
    first_day = start.astimezone(zone).date() - timedelta(days=1)
    last_day = end.astimezone(zone).date() + timedelta(days=1)
    for layer in plan.layers:
        k = _rotation(layer, start, zone)
        k = 0 if k is None else k
        while (at := _period_start(layer, k, zone)) < end:
            points.add(at)
            k += 1
        for restriction in layer.restrictions:
            day = first_day
            while day <= last_day:
                window = _windows(restriction, day, zone)
                if window:
                    points.update(window)
                day += timedelta(days=1)
    for override in plan.overrides:
        points.update((override.start, override.end))
    return sorted(p for p in points if start <= p < end)


def shifts(plan: Plan, start: datetime, end: datetime) -> list[Shift]:
    """The stretches of on-call between `start` and `end` (cut at both), merged where one person
    stays on across a boundary; stretches with nobody on call are left out."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    points = _boundaries(plan, start, end)
    out: list[Shift] = []
    for n, point in enumerate(points):
        until = points[n + 1] if n + 1 < len(points) else end
        person, source = on_call_at(plan, point)
        if person is None:
            continue
        if out and out[-1].person == person and out[-1].end == point:
            last = out[-1]
            out[-1] = Shift(person, last.start, until, last.source)
        else:
            out.append(Shift(person, point, until, source))
    return out
