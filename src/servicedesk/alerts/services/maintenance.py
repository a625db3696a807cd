"""Maintenance windows: made, changed, removed; and the end of an occurrence, when the alerts
still firing in it are released (they open or join their incident).

Alerts that fire inside a window are recorded "in maintenance" by the batch processor
(processing.py) and open no incident. When the occurrence ends with the alert still firing,
the due-work sweep releases it: the alert then joins the open incident of its correlation key
or opens one, as if it had fired at that moment, and the timeline says it fired through the
maintenance. A window changed or removed releases at once the alerts it no longer covers.
"""

import zoneinfo
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from servicedesk.alerts.models import Alert, AlertStatus, Integration, MaintenanceWindow
from servicedesk.alerts.services.processing import KEYS_LISTED, incidents_assign
from servicedesk.alerts.windows import occurrence_at, occurrence_next_end, rrule_error
from servicedesk.catalog.models import ConfigurationItem, Service
from servicedesk.core.errors import ValidationFailed
from servicedesk.core.maintenance import maintenance_changed
from servicedesk.core.zones import zone_error
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_monitoring_record

#: a window lasts at most a week
DURATION_MAX = 7 * 24 * 60
WINDOW_FIELDS = (
    "title",
    "service",
    "configuration_item",
    "starts_at",
    "duration",
    "time_zone",
    "rrule",
    "is_public",
    "is_active",
)


def _starts(value, zone_name: str, errors: dict):
    """An aware instant from a datetime or an ISO 8601 text; without an offset, a wall-clock
    time in the window's zone."""
    if value in (None, ""):
        errors["starts_at"] = _("This field is required.")
        return None
    parsed = value
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
    if parsed is None or not hasattr(parsed, "tzinfo"):
        errors["starts_at"] = _("Must be an ISO 8601 date and time.")
        return None
    if parsed.tzinfo is None:
        if "time_zone" in errors:
            return None
        parsed = parsed.replace(tzinfo=zoneinfo.ZoneInfo(zone_name))
    return parsed


def maintenance_window_clean(values: dict) -> dict:
    """The window's values checked: every field at fault named, with its reason."""
    errors: dict[str, str] = {}
    title = (values.get("title") or "").strip()
    if not title:
        errors["title"] = _("A title is required.")
    elif len(title) > 200:
        errors["title"] = _("At most %(limit)d characters.") % {"limit": 200}
    service, item = values.get("service"), values.get("configuration_item")
    if (service is None) == (item is None):
        errors["service"] = _("Give a service or a configuration item (one of them).")
    elif service is not None and not isinstance(service, Service):
        errors["service"] = _("Unknown service.")
    elif item is not None and not isinstance(item, ConfigurationItem):
        errors["configuration_item"] = _("Unknown configuration item.")
    zone_name = values.get("time_zone") or ""
    if message := zone_error(zone_name):
        errors["time_zone"] = message
    rrule = (values.get("rrule") or "").strip()
    if message := rrule_error(rrule):
        errors["rrule"] = message
    duration = values.get("duration")
    if (
        not isinstance(duration, int)
        or isinstance(duration, bool)
        or not (0 < duration <= DURATION_MAX)
    ):
        errors["duration"] = _("Minutes, from 1 to %(max)d.") % {"max": DURATION_MAX}
    starts = _starts(values.get("starts_at"), zone_name, errors)
    if errors:
        raise ValidationFailed(errors)
    return {
        **values,
        "title": title,
        "rrule": rrule[6:] if rrule.upper().startswith("RRULE:") else rrule,
        "starts_at": starts,
        "is_public": bool(values.get("is_public", False)),
        "is_active": bool(values.get("is_active", True)),
    }


@transaction.atomic
def maintenance_window_create(*, actor=None, **values) -> MaintenanceWindow:
    unknown = set(values) - set(WINDOW_FIELDS)
    if unknown:
        raise ValidationFailed(
            {name: _("Not a field of a maintenance window.") for name in sorted(unknown)}
        )
    window = MaintenanceWindow(created_by=actor, **maintenance_window_clean(values))
    window.next_check_at = _next_check(window, timezone.now())
    window.save()
    if window.is_public:
        maintenance_changed()
    return window


@transaction.atomic
def maintenance_window_update(*, window: MaintenanceWindow, **changes) -> MaintenanceWindow:
    unknown = set(changes) - set(WINDOW_FIELDS)
    if unknown:
        raise ValidationFailed({name: _("Cannot be changed.") for name in sorted(unknown)})
    window = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
    was_public = window.is_public
    values = {name: getattr(window, name) for name in WINDOW_FIELDS} | changes
    if "service" in changes or "configuration_item" in changes:
        # What the window is on is given whole: a service, or a configuration item.
        values["service"] = changes.get("service")
        values["configuration_item"] = changes.get("configuration_item")
    for name, value in maintenance_window_clean(values).items():
        setattr(window, name, value)
    window.save()
    # The alerts it no longer covers are released now.
    maintenance_window_check(window, timezone.now())
    if was_public or window.is_public:
        maintenance_changed()
    return window


@transaction.atomic
def maintenance_window_delete(*, window: MaintenanceWindow) -> None:
    window = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
    window.is_active = False
    maintenance_window_check(window, timezone.now())
    if window.is_public:
        maintenance_changed()
    window.delete()


def _next_check(window: MaintenanceWindow, now):
    return occurrence_next_end(window, now) if window.is_active else None


def maintenance_window_check(window: MaintenanceWindow, now) -> None:
    """The due-work handler (and after a change): the alerts of `window` still firing that no
    window covers now are released; the next check is the end of the next occurrence."""
    held = list(
        Alert.objects.filter(maintenance_window=window, in_maintenance=True)
        .exclude(status=AlertStatus.RESOLVED)
        .order_by("id")
    )
    if held and not (window.is_active and occurrence_at(window, now)):
        by_integration: dict[int, list[Alert]] = defaultdict(list)
        for alert in held:
            by_integration[alert.integration_id].append(alert)
        for integration_id in sorted(by_integration):
            _release(integration_id, by_integration[integration_id], window, now)
    window.next_check_at = _next_check(window, now)
    window.save(update_fields=["next_check_at"])


def _release(integration_id: int, alerts: list[Alert], ended: MaintenanceWindow, now) -> None:
    # The integration's lock, as a batch takes it: its alerts are not changed under a batch.
    integration = (
        Integration.objects.select_for_update(no_key=True, of=("self",))
        .select_related("actor", "service", "assignment_group")
        .get(pk=integration_id)
    )
    alerts = list(
        Alert.objects.filter(pk__in=[a.pk for a in alerts], in_maintenance=True).exclude(
            status=AlertStatus.RESOLVED
        )
    )
    covered, released = [], []
    others = [
        w
        for w in MaintenanceWindow.objects.filter(is_active=True)
        .exclude(pk=ended.pk)
        .select_related("configuration_item")
        if occurrence_at(w, now)
    ]
    for alert in alerts:
        window = next((w for w in others if _covers(w, integration, alert)), None)
        if window is not None:  # another window goes on: it stays in maintenance
            alert.maintenance_window = window
            covered.append(alert)
        else:
            alert.in_maintenance = False
            released.append(alert)
    opened = incidents_assign(integration, released, now)
    Alert.objects.bulk_update(
        covered + released, ["in_maintenance", "maintenance_window", "incident"]
    )
    _tell(integration, released, ended, opened)
    # The windows that took alerts over are looked at when their occurrence ends; one locked
    # elsewhere is skipped (its holder sets that check itself).
    for window in {a.maintenance_window for a in covered}:
        ends = occurrence_next_end(window, now)
        locked = (
            MaintenanceWindow.objects.select_for_update(skip_locked=True)
            .filter(pk=window.pk)
            .filter(Q(next_check_at__isnull=True) | Q(next_check_at__gt=ends))
            .only("id")
            .first()
        )
        if locked is not None:
            MaintenanceWindow.objects.filter(pk=window.pk).update(next_check_at=ends)


def _covers(window: MaintenanceWindow, integration: Integration, alert: Alert) -> bool:
    if window.configuration_item_id:
        name = window.configuration_item.name.lower()
        return name in (alert.source.lower(), str(alert.labels.get("ci", "")).lower())
    return window.service_id is not None and window.service_id == integration.service_id


def _tell(
    integration: Integration, released: list[Alert], ended: MaintenanceWindow, opened: set[int]
) -> None:
    """One timeline row per incident: which alerts fired through the maintenance (and, for an
    incident they opened, whether to page: see processing._incidents_tell)."""
    by_incident: dict[int, list[str]] = defaultdict(list)
    for alert in released:
        by_incident[alert.incident_id].append(alert.dedup_key)
    incidents = Ticket.objects.in_bulk(list(by_incident))
    for incident_id in sorted(by_incident):
        keys = sorted(by_incident[incident_id])
        n = len(keys)
        body = ngettext(
            "%(n)d alert still firing after the maintenance %(title)s",
            "%(n)d alerts still firing after the maintenance %(title)s",
            n,
        ) % {"n": n, "title": ended.title}
        ticket_monitoring_record(
            ticket=incidents[incident_id],
            actor=integration.actor,
            body=body + ": " + ", ".join(keys[:KEYS_LISTED]),
            alerts={
                "after_maintenance": keys[:KEYS_LISTED],
                "after_maintenance_count": n,
                "maintenance_window": ended.pk,
            },
            page=integration.page_on_call and incident_id in opened,
        )
