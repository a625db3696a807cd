"""Processing raw events in batches: alerts deduplicated, incidents opened or correlated, one
timeline row per incident per batch.

Safe on many workers at once, and exactly once: a worker claims one integration with
`SELECT … FOR UPDATE SKIP LOCKED` (another worker takes another integration, or waits for
nothing), reads that integration's oldest pending events, applies them in order and marks them
processed in the same transaction as their effects. A worker killed mid-batch leaves nothing
behind: the transaction is rolled back and the events wait for the next run. On SQLite,
writers are serialised by the database (IMMEDIATE transactions), which gives the same outcome.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from servicedesk.accounts.models import User
from servicedesk.alerts.flapping import flap_record
from servicedesk.alerts.models import (
    Alert,
    AlertFlap,
    AlertStatus,
    Integration,
    MaintenanceWindow,
    RawEvent,
    Severity,
)
from servicedesk.alerts.sources import ACKNOWLEDGE, RESOLVE, TRIGGER, Item
from servicedesk.alerts.windows import Occurrence, occurrences
from servicedesk.catalog.models import Service
from servicedesk.notifications.services import notify
from servicedesk.tickets.models import Channel, Kind, Ticket
from servicedesk.tickets.priority import Level, priority_for
from servicedesk.tickets.services import (
    ticket_log,
    ticket_monitoring_record,
    ticket_resolve,
    ticket_update,
)
from servicedesk.tickets.states import OPEN_STATUSES

log = logging.getLogger(__name__)
# How an incident closed by its alerts is resolved (Integration.auto_resolve).
AUTO_RESOLUTION_CODE = "solved_permanently"
# At most this many alert keys are named in one timeline row; the rest are counted.
KEYS_LISTED = 20
ALERT_FIELDS = [
    "status",
    "severity",
    "summary",
    "source",
    "labels",
    "details",
    "links",
    "count",
    "last_seen_at",
    "acknowledged_at",
    "resolved_at",
    "flapping",
]
FLAP_FIELDS = ["changes", "last_change_at", "flapping", "flapping_since", "held", "next_check_at"]


@dataclass
class _Change:
    """What one alert did in a batch."""

    opened: bool = False
    repeats: int = 0
    acknowledged: bool = False
    resolved: bool = False
    by: str = ""
    flapping: bool = False  # its key started flapping in this batch


@dataclass
class _Batch:
    integration: Integration
    now: object
    open_alerts: dict[str, Alert]
    new: list[Alert] = field(default_factory=list)
    dirty: dict[int, Alert] = field(default_factory=dict)
    changes: dict[int, _Change] = field(default_factory=dict)  # id(alert) → change
    alerts: dict[int, Alert] = field(default_factory=dict)  # id(alert) → alert
    ignored: int = 0
    before: dict[int, tuple] = field(default_factory=dict)  # pk → _state() when read
    flaps: dict[str, AlertFlap] = field(default_factory=dict)  # key → its state changes
    flaps_dirty: set[str] = field(default_factory=set)
    # Maintenance windows that may cover the batch's new alerts, with their occurrences.
    windows: list[tuple[MaintenanceWindow, list[Occurrence]]] | None = None
    windows_due: dict[int, object] = field(default_factory=dict)  # window pk → its end
    opened: set[int] = field(default_factory=set)  # incidents this batch opened


def pending_events():
    return RawEvent.objects.filter(processed_at__isnull=True, failed_at__isnull=True)


def alerts_process(*, batch: int | None = None, max_batches: int | None = None) -> int:
    """Process pending events until none is left (or `max_batches` ran); returns how many."""
    batch = batch or settings.SERVICEDESK_ALERTS_BATCH
    done, runs = 0, 0
    while max_batches is None or runs < max_batches:
        handled = events_batch_process(limit=batch)
        if handled == 0:
            return done
        done += handled
        runs += 1
    return done


@dataclass(frozen=True, slots=True)
class _Event:
    """What applying a raw event reads of it."""

    pk: int
    received_at: object
    items: list


@transaction.atomic
def events_batch_process(*, limit: int) -> int:
    """Claim one integration with pending events and apply up to `limit` of them, oldest first.

    Returns how many events were handled (processed or failed); 0 when nothing was claimable.
    An event whose changes cannot be applied (a bug, a row gone) is set aside with its error,
    visible in the admin, and the others go on.
    """
    integration = (
        # FOR NO KEY UPDATE: intake's INSERTs take a key-share lock on the integration (the
        # foreign key), which a plain FOR UPDATE would make wait for the whole batch.
        Integration.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
        .filter(Exists(pending_events().filter(integration=OuterRef("pk"))))
        .select_related("actor", "service", "assignment_group")
        .order_by("id")
        .first()
    )
    if integration is None:
        return 0
    # Plain rows, not model instances: a batch reads a thousand of them and needs three fields.
    events = [
        _Event(*row)
        for row in pending_events()
        .filter(integration=integration)
        .order_by("id")
        .values_list("id", "received_at", "items")[:limit]
    ]
    if not events:
        return 0
    now = timezone.now()
    try:
        with transaction.atomic():
            _apply(integration, events, now)
        processed = [event.pk for event in events]
    except Exception:  # noqa: BLE001 - isolate the event that fails; each is retried alone
        log.exception("alerts: a batch of %s failed; applying its events one by one", integration)
        processed = []
        for event in events:
            try:
                with transaction.atomic():
                    _apply(integration, [event], now)
                processed.append(event.pk)
            except Exception as error:  # noqa: BLE001 - kept with its error for a retry
                log.exception("alerts: event %s failed; set aside", event.pk)
                RawEvent.objects.filter(pk=event.pk).update(failed_at=now, error=repr(error))
    RawEvent.objects.filter(pk__in=processed).update(processed_at=now)
    return len(events)


def _apply(integration: Integration, events: list[_Event], now) -> None:
    items = [(event, Item(**data)) for event in events for data in event.items]
    keys = sorted({item.key for _event, item in items})
    # Keys that resolved before, locked against the sweep that ends their flapping; read
    # before the alerts, so that a sweep that just ended a flapping is seen in full.
    flaps = {
        flap.dedup_key: flap
        for flap in AlertFlap.objects.select_for_update().filter(
            integration=integration, dedup_key__in=keys
        )
    }
    open_alerts = {
        alert.dedup_key: alert
        for alert in Alert.objects.filter(integration=integration, dedup_key__in=keys).exclude(
            status=AlertStatus.RESOLVED
        )
    }
    batch = _Batch(integration=integration, now=now, open_alerts=open_alerts)
    if any(item.action == TRIGGER for _event, item in items):
        batch.windows = _windows_for(integration, now)
    batch.before = {alert.pk: _state(alert) for alert in open_alerts.values()}
    batch.flaps = flaps
    for event, item in items:
        _item_apply(batch, item, event_time(item, event.received_at), event.received_at)
    _incidents_assign(batch)
    # Updates first: an alert resolved in this batch makes room for its key's new alert.
    _alerts_update(batch)
    if batch.new:
        Alert.objects.bulk_create(batch.new)
    _flaps_save(batch)
    _windows_due(batch)
    _incidents_tell(batch)


# A monitor's own time is trusted when it is at most this far ahead of the desk's clock (clock
# skew) and at most this far behind (a queue that held events, a re-sent backlog).
MONITOR_AHEAD = timedelta(minutes=5)
MONITOR_BEHIND = timedelta(days=7)


def event_time(item: Item, received):
    """When the change happened: the monitor's timestamp (`startsAt`/`endsAt`,
    `payload.timestamp`, `timestamp`) when it has one that is sane, else the receive time."""
    if item.at:
        try:
            stamped = parse_datetime(item.at)
        except ValueError:
            stamped = None
        if (
            stamped is not None
            and stamped.tzinfo is not None
            and received - MONITOR_BEHIND <= stamped <= received + MONITOR_AHEAD
        ):
            return stamped
    return received


def _item_apply(batch: _Batch, item: Item, at, received) -> None:
    """Apply one change at its instant `at` (event_time); `received` is the desk's receive
    time, the sighting of a repeat whose own time says nothing new."""
    alert = batch.open_alerts.get(item.key)
    if item.action == TRIGGER:
        if alert is None:
            alert = Alert(
                integration=batch.integration,
                dedup_key=item.key,
                status=AlertStatus.OPEN,
                severity=item.severity,
                summary=item.summary,
                source=item.source,
                labels=item.labels,
                details=item.details,
                links=item.links,
                count=1,
                first_seen_at=at,
                last_seen_at=at,
                correlation_key=correlation_key(batch.integration, item),
            )
            found = _maintenance_at(batch, alert, at)
            if found is not None:  # recorded, but it opens no incident and pages nobody
                alert.in_maintenance, alert.maintenance_window = True, found[0]
                ends = batch.windows_due.get(found[0].pk)
                batch.windows_due[found[0].pk] = min(ends, found[1]) if ends else found[1]
            batch.open_alerts[item.key] = alert
            batch.new.append(alert)
            _change(batch, alert).opened = True
            if item.key in batch.flaps:  # opened again: a state change
                _flap_note(batch, alert, at)
            return
        alert.count += 1
        # Alertmanager re-sends the alert's startsAt with every group: a repeat stamped no
        # later than the first sighting was seen when it arrived.
        seen = at if at > alert.first_seen_at else received
        alert.last_seen_at = max(alert.last_seen_at, seen)
        alert.severity, alert.summary = item.severity, item.summary or alert.summary
        alert.labels = item.labels or alert.labels
        alert.details = item.details or alert.details
        alert.links = item.links or alert.links
        _change(batch, alert).repeats += 1
    elif alert is None:
        # Acknowledging or resolving a key with no open alert (resolved already, never seen).
        batch.ignored += 1
        return
    elif item.action == ACKNOWLEDGE:
        if alert.status == AlertStatus.OPEN:
            alert.status = AlertStatus.ACKNOWLEDGED
            alert.acknowledged_at = at
            change = _change(batch, alert)
            change.acknowledged, change.by = True, item.by
    elif item.action == RESOLVE:
        alert.status = AlertStatus.RESOLVED
        alert.resolved_at = at
        alert.last_seen_at = max(alert.last_seen_at, at)
        del batch.open_alerts[item.key]
        _change(batch, alert).resolved = True
        _flap_note(batch, alert, at)
    if alert.pk is not None:
        batch.dirty[alert.pk] = alert


def _state(alert: Alert) -> tuple:
    """What an alert says, besides its count and last sighting."""
    return (
        alert.status,
        alert.severity,
        alert.summary,
        alert.source,
        alert.labels,
        alert.details,
        alert.links,
        alert.acknowledged_at,
        alert.resolved_at,
        alert.flapping,
        alert.count,
    )


def _alerts_update(batch: _Batch) -> None:
    """Write the changed alerts. Most are repeats (a higher count, a later sighting, the rest
    the same): those are grouped by their increment and sighting into a few UPDATEs; the
    others (acknowledged, resolved, a new summary) are written with all their fields."""
    repeats: dict[tuple, list[int]] = defaultdict(list)
    others = []
    for pk, alert in batch.dirty.items():
        before = batch.before[pk]
        if _state(alert)[:-1] == before[:-1]:
            repeats[(alert.count - before[-1], alert.last_seen_at)].append(pk)
        else:
            others.append(alert)
    for (increment, seen), pks in repeats.items():
        Alert.objects.filter(pk__in=pks).update(count=F("count") + increment, last_seen_at=seen)
    if others:
        Alert.objects.bulk_update(others, ALERT_FIELDS)


def _flap_note(batch: _Batch, alert: Alert, at) -> None:
    """A state change of `alert`'s key at `at` (the flapping rule: alerts/flapping.py)."""
    integration = batch.integration
    flap = batch.flaps.get(alert.dedup_key)
    if flap is None:
        # The key's first resolve: its opening counts as its first state change.
        flap = AlertFlap(integration=integration, dedup_key=alert.dedup_key, changes=[])
        flap.changes = [alert.first_seen_at.isoformat()]
        flap.last_change_at = alert.first_seen_at
        batch.flaps[alert.dedup_key] = flap
    entered = flap_record(
        flap,
        at,
        changes=integration.flap_changes,
        window=integration.flap_window,
        hold=integration.flap_hold,
    )
    batch.flaps_dirty.add(alert.dedup_key)
    if flap.flapping:
        alert.flapping = True
    if entered:
        _change(batch, alert).flapping = True


def _flaps_save(batch: _Batch) -> None:
    dirty = [batch.flaps[key] for key in sorted(batch.flaps_dirty)]
    AlertFlap.objects.bulk_create([flap for flap in dirty if flap.pk is None])
    existing = [flap for flap in dirty if flap.pk is not None]
    if existing:
        AlertFlap.objects.bulk_update(existing, FLAP_FIELDS)


def _flapping(batch: _Batch, alert: Alert) -> bool:
    flap = batch.flaps.get(alert.dedup_key)
    return bool(flap and flap.flapping)


def _change(batch: _Batch, alert: Alert) -> _Change:
    batch.alerts[id(alert)] = alert
    return batch.changes.setdefault(id(alert), _Change())


def correlation_key(integration: Integration, item: Item) -> str:
    """Alerts with the same key within the integration's window share an incident.

    With correlation labels: the values of those labels. Otherwise the integration's service,
    or, when it has none, the host or component the alert is about (its `source`).
    """
    if integration.correlation_labels:
        values = "|".join(item.labels.get(name, "") for name in integration.correlation_labels)
        return f"labels:{integration.pk}:{values}"[:300]
    if integration.service_id:
        return f"service:{integration.service_id}"
    return f"source:{integration.pk}:{item.source}"[:300]


# A window's occurrences are read for this far back (the oldest monitor time accepted).
WINDOW_LOOKBACK = timedelta(days=8)


def _windows_for(integration: Integration, now) -> list:
    """The active windows on the integration's service or on a configuration item, with their
    occurrences still in progress or over since WINDOW_LOOKBACK (one query)."""
    on = Q(configuration_item__isnull=False)
    if integration.service_id:
        on |= Q(service_id=integration.service_id)
    windows = MaintenanceWindow.objects.filter(on, is_active=True).select_related(
        "configuration_item"
    )
    return [(w, occurrences(w, now - WINDOW_LOOKBACK, now + timedelta(seconds=1))) for w in windows]


def _maintenance_at(batch: _Batch, alert: Alert, at) -> tuple[MaintenanceWindow, object] | None:
    """The window covering a new alert: on its integration's service, or on the configuration
    item named by its source (or its `ci` label), with an occurrence in progress at the
    alert's instant that has not ended yet."""
    for window, found in batch.windows or ():
        if window.configuration_item_id:
            name = window.configuration_item.name.lower()
            if name not in (alert.source.lower(), str(alert.labels.get("ci", "")).lower()):
                continue
        elif window.service_id != batch.integration.service_id:
            continue
        for o in found:
            if o.starts_at <= at < o.ends_at and o.ends_at > batch.now:
                return window, o.ends_at
    return None


def _windows_due(batch: _Batch) -> None:
    """The windows that now hold alerts are looked at by the sweep when their occurrence ends
    (at the latest).

    A window locked by the sweep (or an edit) is skipped, never waited for: that holder, which
    may be waiting for this integration, sets its next check to the end of the occurrence in
    progress anyway.
    """
    for pk, ends in sorted(batch.windows_due.items()):
        window = (
            MaintenanceWindow.objects.select_for_update(skip_locked=True)
            .filter(pk=pk)
            .filter(Q(next_check_at__isnull=True) | Q(next_check_at__gt=ends))
            .only("id")
            .first()
        )
        if window is not None:
            MaintenanceWindow.objects.filter(pk=pk).update(next_check_at=ends)


def _incidents_assign(batch: _Batch) -> None:
    alerts = [alert for alert in batch.new if not alert.in_maintenance]
    batch.opened = incidents_assign(batch.integration, alerts, batch.now)


def incidents_assign(integration: Integration, alerts: list[Alert], now) -> set[int]:
    """Every alert joins the open incident of its correlation key, or opens one; returns the
    ids of the incidents opened.

    A service's correlation key is shared by every integration on the service, whose batches
    run on other workers: the service row is locked first (FOR NO KEY UPDATE, which blocks no
    ticket that refers to it), so two batches cannot both find no incident and open two.
    """
    found: dict[str, Ticket] = {}
    opened: set[int] = set()
    since = now - timedelta(minutes=integration.correlation_window)
    # The most severe alert of a correlation key opens its incident.
    by_key: dict[str, list[Alert]] = defaultdict(list)
    for alert in alerts:
        by_key[alert.correlation_key].append(alert)
    shared = sorted({int(k.split(":", 1)[1]) for k in by_key if k.startswith("service:")})
    if shared:
        list(Service.objects.select_for_update(no_key=True).filter(pk__in=shared).order_by("pk"))
    for ckey, group in by_key.items():
        worst = min(group, key=lambda a: Severity.values.index(a.severity))
        incident = found.get(ckey) or _open_incident(ckey, since)
        if incident is None:
            incident = _incident_open(integration, worst)
            opened.add(incident.pk)
        else:
            incident = _priority_raise(integration, incident, worst)
        found[ckey] = incident
        for alert in group:
            alert.incident = incident
    return opened


def _priority_raise(integration: Integration, incident: Ticket, alert: Alert) -> Ticket:
    """A more severe alert joining an incident raises its impact and urgency to the alert's
    (never lowers them), through the ticket service, with the reason on the timeline."""
    levels = integration.severity_map[alert.severity]
    order = Level.values  # high, medium, low
    impact = min(incident.impact, levels["impact"], key=order.index)
    urgency = min(incident.urgency, levels["urgency"], key=order.index)
    if priority_for(impact, urgency) >= incident.priority or incident.status not in OPEN_STATUSES:
        return incident
    # The desk itself changes it (actor None): the integration's account edits no ticket.
    return ticket_update(
        ticket=incident,
        actor=None,
        impact=impact,
        urgency=urgency,
        reason=_("A %(severity)s alert from %(integration)s joined: %(summary)s")
        % {
            "severity": alert.severity,
            "integration": integration.name,
            "summary": alert.summary or alert.dedup_key,
        },
    )


def _open_incident(ckey: str, since) -> Ticket | None:
    alert = (
        Alert.objects.filter(
            correlation_key=ckey,
            last_seen_at__gte=since,
            incident__status__in=OPEN_STATUSES,
        )
        .select_related("incident")
        .order_by("-last_seen_at")
        .first()
    )
    return alert.incident if alert else None


def _incident_open(integration: Integration, alert: Alert) -> Ticket:
    levels = integration.severity_map[alert.severity]
    proactive = alert.severity in (Severity.WARNING, Severity.INFO)
    lines = [
        _("Raised by %(integration)s (%(severity)s).")
        % {"integration": integration.name, "severity": alert.severity},
        alert.summary,
    ]
    if proactive:
        lines.insert(0, _("Proactive: the monitoring warned before anyone reported a fault."))
    if alert.source:
        lines.append(_("Source: %(source)s") % {"source": alert.source})
    lines += [link["href"] for link in alert.links]
    return ticket_log(
        actor=integration.actor,
        title=(alert.summary or alert.dedup_key)[:200],
        kind=Kind.INCIDENT,
        description="\n".join(line for line in lines if line),
        service=integration.service
        if integration.service_id and integration.service.is_active
        else None,
        impact=levels["impact"],
        urgency=levels["urgency"],
        channel=Channel.MONITORING,
        assignment_group=integration.assignment_group
        if integration.assignment_group_id and integration.assignment_group.is_active
        else None,
    )


def _incidents_tell(batch: _Batch) -> None:
    """One timeline row per incident for the whole batch; all cleared → resolve or tell."""
    per_incident: dict[int, list[tuple[Alert, _Change]]] = defaultdict(list)
    for ident, change in batch.changes.items():
        alert = batch.alerts[ident]
        if alert.incident_id is not None:
            per_incident[alert.incident_id].append((alert, change))
    if not per_incident:
        return
    incidents = Ticket.objects.in_bulk(list(per_incident))
    still_open = set(
        Alert.objects.filter(incident_id__in=list(per_incident))
        .exclude(status=AlertStatus.RESOLVED)
        .values_list("incident_id", flat=True)
        .distinct()
    )
    for incident_id in sorted(per_incident):
        incident = incidents.get(incident_id)
        if incident is None:
            continue
        rows = per_incident[incident_id]
        summary = _summary(rows)
        cleared = bool(summary.get("resolved")) and incident_id not in still_open
        if cleared:
            summary["all_cleared"] = True
        # A flapping alert's clearing tells nobody yet: the catch-up comes once it is stable.
        held = cleared and any(_flapping(batch, alert) for alert, _change in rows)
        if held:
            summary["held"] = True
        ticket_monitoring_record(
            ticket=incident,
            actor=batch.integration.actor,
            body=_body(summary),
            alerts=summary,
            acknowledged_by=_person(summary.get("acknowledged_by", "")),
            page=batch.integration.page_on_call and incident_id in batch.opened,
        )
        if cleared and not held and incident.status in OPEN_STATUSES:
            incident_cleared(batch.integration, incident, batch.now)


def _summary(rows: list[tuple[Alert, _Change]]) -> dict:
    summary: dict = {}
    for name, pick in (
        ("opened", lambda c: c.opened),
        ("acknowledged", lambda c: c.acknowledged),
        ("resolved", lambda c: c.resolved),
        ("flapping", lambda c: c.flapping),
    ):
        keys = sorted(alert.dedup_key for alert, change in rows if pick(change))
        if keys:
            summary[name] = keys[:KEYS_LISTED]
            summary[f"{name}_count"] = len(keys)
    repeats = sum(change.repeats for _alert, change in rows)
    if repeats:
        summary["repeats"] = repeats
    by = next((change.by for _alert, change in rows if change.by), "")
    if by:
        summary["acknowledged_by"] = by
    return summary


def _body(summary: dict) -> str:
    parts = []
    for name, text in (
        ("opened", lambda n: ngettext("%(n)d alert opened", "%(n)d alerts opened", n)),
        (
            "acknowledged",
            lambda n: ngettext("%(n)d alert acknowledged", "%(n)d alerts acknowledged", n),
        ),
        ("resolved", lambda n: ngettext("%(n)d alert resolved", "%(n)d alerts resolved", n)),
        (
            "flapping",
            lambda n: ngettext("%(n)d alert is flapping", "%(n)d alerts are flapping", n),
        ),
    ):
        count = summary.get(f"{name}_count", 0)
        if count:
            parts.append(text(count) % {"n": count} + ": " + ", ".join(summary[name]))
    if summary.get("repeats"):
        n = summary["repeats"]
        parts.append(ngettext("%(n)d repeat", "%(n)d repeats", n) % {"n": n})
    if summary.get("all_cleared"):
        parts.append(_("All alerts cleared."))
    if summary.get("held"):
        parts.append(_("Notifications held while an alert is flapping."))
    return "; ".join(parts)


def _person(by: str) -> User | None:
    if not by:
        return None
    return (
        User.objects.filter(Q(username=by) | Q(email__iexact=by), is_active=True)
        .order_by("id")
        .first()
    )


def incident_cleared(integration: Integration, incident: Ticket, now) -> None:
    """Every alert of `incident` cleared: resolve it (auto_resolve) or tell its agent."""
    if integration.auto_resolve:
        ticket_resolve(
            ticket=incident,
            actor=None,
            resolution_code=AUTO_RESOLUTION_CODE,
            resolution_notes=_("All alerts from %(integration)s cleared.")
            % {"integration": integration.name},
            service_restored=True,
        )
        return
    notify(
        "alerts.cleared",
        incident,
        incident_audience(incident),
        {"ticket": incident, "integration": integration},
        dedup_key=f"alerts:{incident.pk}:cleared:{now.isoformat()}",
    )


def incident_audience(incident: Ticket) -> list:
    """Who hears of an incident's alerts: its assignee, else its group."""
    if incident.assignee_id:
        return [incident.assignee]
    return [incident.assignment_group] if incident.assignment_group_id else []
