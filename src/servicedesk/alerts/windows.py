"""Maintenance windows' occurrences, on their own: RRULEs (RFC 5545, python-dateutil's
`rrulestr`) read in the window's time zone.

The recurrence runs on the wall clock of the window's zone: the first occurrence's local time
(02:00 Europe/Bucharest, say) is every occurrence's local time, whatever the offset that day
(UTC+2 in winter, UTC+3 in summer). A local time that does not exist on a day (the hour
skipped when DST starts) is read as the same clock time after the skip (02:30 → 03:30 on a day
clocks go from 03:00 to 04:00 is not needed at 02:00 in Bucharest, but is handled: Python's
`zoneinfo` with fold 0); one that exists twice (the hour repeated when DST ends) is its first.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.rrule import rrulestr
from django.utils.translation import gettext as _

#: at most this many occurrences are read for one window in one range (a minutely rule over a
#: year is refused rather than expanded)
MAX_OCCURRENCES = 5000
RRULE_MAX = 1000


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime
    ends_at: datetime


def _rule_text(rrule: str) -> str:
    text = rrule.strip()
    return text[len("RRULE:") :] if text.upper().startswith("RRULE:") else text


def rrule_error(rrule: str) -> str:
    """Why `rrule` is not an RFC 5545 RRULE the desk reads, or "" (empty: a one-off)."""
    if not rrule:
        return ""
    if not isinstance(rrule, str) or len(rrule) > RRULE_MAX:
        return _("At most %(limit)d characters.") % {"limit": RRULE_MAX}
    text = _rule_text(rrule)
    if "\n" in text or "DTSTART" in text.upper() or ":" in text:
        return _("Give the RRULE value only (FREQ=…;…), without DTSTART or other properties.")
    try:
        rrulestr(text, dtstart=datetime(2026, 1, 1))
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        return _("Not a valid RRULE: %(error)s") % {"error": error}
    return ""


def occurrences(window, start: datetime, end: datetime) -> list[Occurrence]:
    """The occurrences of `window` that overlap [start, end), in order (aware instants)."""
    zone = zoneinfo.ZoneInfo(window.time_zone)
    length = timedelta(minutes=window.duration)
    first_local = window.starts_at.astimezone(zone).replace(tzinfo=None)
    if not window.rrule:
        found = [_occurrence(first_local, zone, length)]
    else:
        rule = rrulestr(_rule_text(window.rrule), dtstart=first_local)
        # Local bounds, a day wider than the range: offsets differ by hours at most.
        lo = (start.astimezone(zone) - length - timedelta(days=1)).replace(tzinfo=None)
        hi = (end.astimezone(zone) + timedelta(days=1)).replace(tzinfo=None)
        found = []
        for local in rule.xafter(max(lo, first_local), inc=True):
            if local > hi or len(found) >= MAX_OCCURRENCES:
                break
            found.append(_occurrence(local, zone, length))
    return [o for o in found if o.ends_at > start and o.starts_at < end]


def _occurrence(local: datetime, zone, length: timedelta) -> Occurrence:
    # Normalise a wall time that does not exist (skipped by DST) through UTC.
    starts = local.replace(tzinfo=zone).astimezone(zoneinfo.ZoneInfo("UTC")).astimezone(zone)
    # The length is real time: a 2-hour window across a DST change lasts 2 hours.
    return Occurrence(starts, starts + length)


def occurrence_at(window, at: datetime) -> Occurrence | None:
    """The occurrence of `window` in progress at `at`, or None."""
    for found in occurrences(window, at, at + timedelta(microseconds=1)):
        if found.starts_at <= at < found.ends_at:
            return found
    return None


def occurrence_next_end(window, after: datetime, *, horizon_days: int = 400) -> datetime | None:
    """The end of the first occurrence ending after `after` (in progress or ahead), or None."""
    for found in occurrences(window, after, after + timedelta(days=horizon_days)):
        if found.ends_at > after:
            return found.ends_at
    return None
