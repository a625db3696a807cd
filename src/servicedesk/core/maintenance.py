"""Maintenance that apps plan, for the apps that show it: a registry, no models.

An app that plans maintenance (alerts' maintenance windows) registers a provider in its
`AppConfig.ready()` with `maintenance_source_register(fn)`: `fn(start, end)` returns the
`MaintenanceOccurrence`s overlapping [start, end) that may be shown to the public. An app that
shows maintenance (the status page) reads them with `maintenance_occurrences(start, end)`, and
registers with `maintenance_listener_register(fn)` to hear of a change (its page is cached).
Neither app imports the other.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class MaintenanceOccurrence:
    service_id: int  # a catalog.Service
    starts_at: datetime
    ends_at: datetime
    title: str
    key: str = ""  # stable per occurrence, e.g. "alerts-window-3-2026-03-29T02:00+03:00"
    series: str = ""  # the same for the occurrences of one recurring window


_sources: list[Callable[[datetime, datetime], list[MaintenanceOccurrence]]] = []
_listeners: list[Callable[[], None]] = []


def maintenance_source_register(fn: Callable[[datetime, datetime], list]) -> None:
    if fn not in _sources:
        _sources.append(fn)


def maintenance_listener_register(fn: Callable[[], None]) -> None:
    if fn not in _listeners:
        _listeners.append(fn)


def maintenance_occurrences(start: datetime, end: datetime) -> list[MaintenanceOccurrence]:
    """Every registered source's occurrences overlapping [start, end), soonest first."""
    found = [o for fn in _sources for o in fn(start, end)]
    return sorted(found, key=lambda o: (o.starts_at, o.key))


def maintenance_changed() -> None:
    """A source's maintenance changed: tell the listeners (e.g. to drop a cached page)."""
    for fn in _listeners:
        fn()
