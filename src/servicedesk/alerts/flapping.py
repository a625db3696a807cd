"""The flapping rule, on its own: deterministic, and the same for every source.

A *state change* of an alert key is an alert opening (a trigger of a key with no open alert)
or resolving. Repeats and acknowledgements are not state changes. The instants are the
alerts' own (docs/alerts.md, "Timestamps"), never earlier than the key's previous change.

At each state change at instant t, the changes in the window (t − window, t] are counted, t
included: when there are at least `changes` of them, the key is flapping from t. A change
exactly `window` before t is outside. The first opening of a key counts: its row (AlertFlap)
is made at its first resolve with the opening's instant and the resolve's.

While flapping, every state change moves the end of the hold-down to its instant + `hold`;
the due-work sweep ends the flapping there (stable for `hold`, measured from the last change)
and forgets the changes, so the count starts again from nothing.
"""

from datetime import datetime, timedelta

from django.utils.dateparse import parse_datetime


def flap_record(flap, at: datetime, *, changes: int, window: int, hold: int) -> bool:
    """Note a state change of `flap`'s key at `at` (window and hold in minutes).

    Returns True when this change made the key enter flapping. Sets `next_check_at` while
    flapping; the caller saves the row.
    """
    if flap.last_change_at is not None and at < flap.last_change_at:
        at = flap.last_change_at
    horizon = at - timedelta(minutes=window)
    times = [t for t in (parse_datetime(v) for v in flap.changes) if t and t > horizon]
    times.append(at)
    flap.changes = [t.isoformat() for t in times[-max(changes, 1) :]]
    flap.last_change_at = at
    entered = False
    if flap.flapping:
        flap.held += 1
    elif len(times) >= changes:
        flap.flapping, flap.flapping_since, entered = True, at, True
    if flap.flapping:
        flap.next_check_at = at + timedelta(minutes=hold)
    return entered


def flap_settles_at(flap, *, hold: int) -> datetime | None:
    """When a flapping key will have been stable for `hold` minutes, or None (not flapping)."""
    if not flap.flapping or flap.last_change_at is None:
        return None
    return flap.last_change_at + timedelta(minutes=hold)


def flap_forget(flap) -> None:
    """Stable again: no longer flapping, and the count starts again from nothing."""
    flap.flapping, flap.flapping_since, flap.held = False, None, 0
    flap.changes, flap.next_check_at = [], None
