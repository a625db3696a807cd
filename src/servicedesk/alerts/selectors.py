"""Every read of the alerts app: the console's list, an integration's page, a ticket's alerts."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import SupportGroup
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.alerts.models import (
    Alert,
    AlertStatus,
    Integration,
    MaintenanceWindow,
    RawEvent,
    Severity,
    Surge,
    SurgeRule,
    SurgeScope,
    SurgeStatus,
)
from servicedesk.alerts.services.processing import pending_events
from servicedesk.alerts.windows import Occurrence, occurrences
from servicedesk.catalog.models import Service
from servicedesk.core.maintenance import MaintenanceOccurrence
from servicedesk.tickets.models import Channel, Kind, Ticket
from servicedesk.tickets.states import OPEN_STATUSES

LIST_LIMIT = 200
RECENT_EVENTS = 20
#: the console's and the API's `state` filter: flapping, or recorded inside a maintenance window
STATES = ("flapping", "maintenance")


@dataclass(frozen=True)
class AlertFilters:
    status: str = ""
    integration: int | None = None
    service: int | None = None
    severity: str = ""
    state: str = ""


def alert_filters_parse(params) -> tuple[AlertFilters, dict[str, str]]:
    """Filters from query parameters; unknown values are reported, not ignored."""
    errors: dict[str, str] = {}
    status = params.get("status", "")
    if status and status not in AlertStatus.values:
        errors["status"] = _("Must be one of: %s.") % ", ".join(AlertStatus.values)
        status = ""
    severity = params.get("severity", "")
    if severity and severity not in Severity.values:
        errors["severity"] = _("Must be one of: %s.") % ", ".join(Severity.values)
        severity = ""
    state = params.get("state", "")
    if state and state not in STATES:
        errors["state"] = _("Must be one of: %s.") % ", ".join(STATES)
        state = ""
    ids = {}
    for name in ("integration", "service"):
        value = params.get(name, "")
        if value:
            if value.isdigit() and 0 < int(value) < 2**31:
                ids[name] = int(value)
            else:
                errors[name] = _("Must be a whole number.")
    return AlertFilters(status=status, severity=severity, state=state, **ids), errors


def alerts_list(*, user, filters: AlertFilters, limit: int = LIST_LIMIT) -> list[Alert]:
    """Alerts `user` may see, newest first, filtered; one query."""
    rows = Alert.objects.visible_to(user).select_related(
        "integration", "integration__service", "incident"
    )
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.severity:
        rows = rows.filter(severity=filters.severity)
    if filters.state == "flapping":
        rows = rows.filter(flapping=True)
    elif filters.state == "maintenance":
        rows = rows.filter(in_maintenance=True)
    if filters.integration:
        rows = rows.filter(integration_id=filters.integration)
    if filters.service:
        rows = rows.filter(integration__service_id=filters.service)
    return list(rows.order_by("-last_seen_at", "-id")[:limit])


def alert_counts(*, user) -> dict[str, int]:
    rows = Alert.objects.visible_to(user).aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in AlertStatus.values},
        flapping=Count("id", filter=Q(flapping=True)),
        maintenance=Count("id", filter=Q(in_maintenance=True) & ~Q(status=AlertStatus.RESOLVED)),
    )
    return rows


def integrations_list(*, user) -> QuerySet[Integration]:
    return (
        Integration.objects.visible_to(user)
        .select_related("service", "assignment_group")
        .order_by("name")
    )


@dataclass(frozen=True)
class IntegrationStats:
    events: int
    pending: int
    failed: int
    last_event_at: object
    alerts_open: int
    alerts_total: int


def integration_stats(*, integration: Integration) -> IntegrationStats:
    events = RawEvent.objects.filter(integration=integration).aggregate(
        events=Count("id"),
        failed=Count("id", filter=Q(failed_at__isnull=False)),
        last=Max("received_at"),
    )
    alerts = Alert.objects.filter(integration=integration).aggregate(
        total=Count("id"), open=Count("id", filter=~Q(status=AlertStatus.RESOLVED))
    )
    return IntegrationStats(
        events=events["events"],
        pending=pending_events().filter(integration=integration).count(),
        failed=events["failed"],
        last_event_at=events["last"],
        alerts_open=alerts["open"],
        alerts_total=alerts["total"],
    )


def integration_recent_events(*, integration: Integration, limit: int = RECENT_EVENTS):
    return list(
        RawEvent.objects.filter(integration=integration)
        .order_by("-id")
        .only("id", "received_at", "processed_at", "failed_at", "error", "items")[:limit]
    )


def ticket_alerts(*, ticket) -> list[Alert]:
    return list(
        Alert.objects.filter(incident=ticket)
        .select_related("integration")
        .order_by("-last_seen_at", "-id")[:LIST_LIMIT]
    )


def ticket_alerts_panel(ticket, user) -> dict | None:
    """The context of the console ticket page's alerts panel, or None (no panel): the alerts
    that monitoring linked to this incident, with counts and first/last seen. Staff only."""
    if not is_staff_member(user):
        return None
    alerts = ticket_alerts(ticket=ticket)
    if not alerts:
        return None
    return {
        "alerts": alerts,
        "alerts_open": sum(1 for a in alerts if a.status != AlertStatus.RESOLVED),
        "alerts_events": sum(a.count for a in alerts),
    }


def service_by_name(value: str) -> Service:
    """An active service by id or by name (in any language of the site)."""
    rows = Service.objects.filter(is_active=True)
    found = rows.filter(pk=int(value)).first() if value.isdigit() else None
    found = found or rows.filter(name=value).first() or rows.filter(name__iexact=value).first()
    if found is None:
        raise LookupError(f"No active service is named {value!r}.")
    return found


def group_by_name(value: str) -> SupportGroup:
    rows = SupportGroup.objects.filter(is_active=True)
    found = rows.filter(pk=int(value)).first() if value.isdigit() else None
    found = found or rows.filter(name=value).first() or rows.filter(name__iexact=value).first()
    if found is None:
        raise LookupError(f"No active support group is named {value!r}.")
    return found


# ---------------------------------------------------------------------------------------------
# Surges


def surge_rule_for(*, service_id: int | None, category_id: int | None) -> SurgeRule:
    """The rule of a ticket's scope: its service's (or, without a service, its category's),
    else the global rule, else the defaults (5 tickets in 15 minutes, opened at once)."""
    own = Q(service_id=service_id) if service_id else Q(category_id=category_id, service=None)
    rules = {
        (rule.service_id, rule.category_id): rule
        for rule in SurgeRule.objects.select_related("assignment_group").filter(
            own | Q(service=None, category=None)
        )
    }
    mine = (service_id, None) if service_id else (None, category_id)
    return rules.get(mine) or rules.get((None, None)) or SurgeRule()


def surge_active(*, scope: SurgeScope) -> Surge | None:
    """The scope's surge that new tickets join: proposed, or with its incident still open."""
    return (
        Surge.objects.filter(scope=scope)
        .filter(
            Q(status=SurgeStatus.PROPOSED)
            | Q(status=SurgeStatus.OPEN, incident__status__in=OPEN_STATUSES)
        )
        .select_related("incident")
        .order_by("-detected_at", "-id")
        .first()
    )


def surge_candidates(*, key: str, since) -> list[Ticket]:
    """The tickets of scope `key` logged since `since` that may make a surge, oldest first."""
    kind, _sep, pk = key.partition(":")
    rows = Ticket.objects.filter(
        kind=Kind.INCIDENT,
        status__in=OPEN_STATUSES,
        is_restricted=False,
        parent__isnull=True,
        created_at__gte=since,
    ).exclude(channel=Channel.MONITORING)
    if kind == "service":
        rows = rows.filter(service_id=int(pk))
    else:
        rows = rows.filter(category_id=int(pk), service__isnull=True)
    rows = rows.exclude(surges__isnull=False).exclude(
        pk__in=Surge.objects.filter(incident__isnull=False).values("incident_id")
    )
    return list(rows.order_by("created_at", "id"))


def surges_list(*, user, status: str = "", limit: int = LIST_LIMIT) -> list[Surge]:
    """Surges `user` may see, newest first; their ticket counts in the same query."""
    rows = (
        Surge.objects.visible_to(user)
        .select_related("service", "category", "group", "incident", "decided_by")
        .annotate(ticket_count=Count("tickets"))
    )
    if status:
        rows = rows.filter(status=status)
    return list(rows.order_by("-detected_at", "-id")[:limit])


def surge_get(*, user, pk: int) -> Surge | None:
    return (
        Surge.objects.visible_to(user)
        .select_related("service", "category", "group", "incident", "decided_by")
        .filter(pk=pk)
        .first()
    )


def surge_tickets(*, surge: Surge) -> list[Ticket]:
    return list(surge.tickets.order_by("created_at", "id"))


def surge_ticket_panel(ticket, user) -> dict | None:
    """The console ticket page's box for a ticket in a proposed surge (confirm or dismiss), or
    for a surge's incident; None otherwise. Desk staff only."""
    if not is_staff_member(user):
        return None
    surge = (
        Surge.objects.filter(Q(tickets=ticket, status=SurgeStatus.PROPOSED) | Q(incident=ticket))
        .select_related("service", "category", "incident")
        .order_by("-detected_at")
        .first()
    )
    if surge is None:
        return None
    return {
        "surge": surge,
        "count": surge.tickets.count(),
        "proposed": surge.status == SurgeStatus.PROPOSED,
        "is_incident": surge.incident_id == ticket.pk,
    }


def integration_for_reference(reference: str) -> Integration | None:
    """The active email integration an alerts mailbox names (by number or by name)."""
    reference = (reference or "").strip()
    if not reference:
        return None
    rows = Integration.objects.filter(source="email", is_active=True)
    if reference.isdigit() and int(reference) < 2**63:
        found = rows.filter(pk=int(reference)).first()
        if found is not None:
            return found
    return rows.filter(name=reference).first() or rows.filter(name__iexact=reference).first()


# Maintenance windows


def maintenance_windows_list(*, user) -> QuerySet[MaintenanceWindow]:
    return (
        MaintenanceWindow.objects.visible_to(user)
        .select_related("service", "configuration_item")
        .order_by("title", "id")
    )


@dataclass(frozen=True)
class WindowRow:
    window: MaintenanceWindow
    current: Occurrence | None
    upcoming: list[Occurrence]


def maintenance_window_rows(*, user, now=None, days: int = 31, per_window: int = 3) -> list:
    """Each window with its occurrence in progress and its next ones (console, API)."""
    now = now or timezone.now()
    rows = []
    for window in maintenance_windows_list(user=user):
        found = occurrences(window, now, now + timedelta(days=days)) if window.is_active else []
        current = next((o for o in found if o.starts_at <= now), None)
        upcoming = [o for o in found if o.starts_at > now][:per_window]
        rows.append(WindowRow(window, current, upcoming))
    return rows


def public_maintenance(start, end) -> list[MaintenanceOccurrence]:
    """The status page's provider (core.maintenance): the occurrences overlapping [start, end)
    of the active windows marked public, on a service (or a configuration item's service)."""
    windows = MaintenanceWindow.objects.filter(is_active=True, is_public=True).select_related(
        "configuration_item"
    )
    found = []
    for window in windows:
        service_id = window.service_id or (
            window.configuration_item.service_id if window.configuration_item_id else None
        )
        if service_id is None:
            continue
        for o in occurrences(window, start, end):
            found.append(
                MaintenanceOccurrence(
                    service_id=service_id,
                    starts_at=o.starts_at,
                    ends_at=o.ends_at,
                    title=window.title,
                    key=f"alerts-window-{window.pk}-{o.starts_at.isoformat()}",
                    series=f"alerts-window-{window.pk}",
                )
            )
    return found
