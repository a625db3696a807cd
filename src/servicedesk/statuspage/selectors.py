"""Every read of the status page: what the public sees (the page, its history, the JSON) and
what the desk sees (proposed statuses from open P1/P2 incidents, a ticket's public incident)."""

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Case, Prefetch, When
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.core.maintenance import maintenance_occurrences
from servicedesk.statuspage.models import (
    Component,
    ComponentGroup,
    ComponentStatusChange,
    IncidentUpdate,
    Maintenance,
    PublicIncident,
    Subscriber,
)
from servicedesk.statuspage.states import (
    OPEN_INCIDENT_STATUSES,
    PROPOSED_BY_PRIORITY,
    SEVERITY,
    ComponentStatus,
    IncidentStatus,
)
from servicedesk.tickets.models import Ticket

HISTORY_DAYS = 90
RECENT_DAYS = 7
#: weight of a minute of partial outage in the uptime figure (a major outage's minute counts 1)
PARTIAL_WEIGHT = 0.3
PAGE_ID = "servicedesk"


def page_name() -> str:
    return getattr(settings, "SERVICEDESK_STATUS_PAGE_NAME", "") or _("Service status")


def _zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _updates_prefetch():
    return Prefetch("updates", queryset=IncidentUpdate.objects.order_by("-created_at", "-id"))


def _public_components():
    return Component.objects.filter(is_public=True).order_by("position", "name")


def maintenances_visible(now):
    """Maintenance not cancelled that is still ahead or in progress, soonest first."""
    return (
        Maintenance.objects.filter(cancelled_at__isnull=True, ends_at__gt=now)
        .prefetch_related(Prefetch("components", queryset=_public_components()))
        .order_by("starts_at", "id")
    )


#: maintenance planned by other apps (core.maintenance) is shown this many days ahead
PLANNED_DAYS = 14


class _Members(list):
    def all(self):
        return self


@dataclass
class PlannedMaintenance:
    """Maintenance another app planned (read through core.maintenance), shaped like a
    Maintenance for the page and the JSON: one per series, its occurrence in progress or next."""

    pk: str
    title: str
    message: str
    starts_at: datetime
    ends_at: datetime
    components: _Members
    created_at: datetime
    updated_at: datetime
    cancelled_at = None

    state_at = Maintenance.state_at


def planned_maintenances(now) -> list[PlannedMaintenance]:
    found, seen = [], set()
    for o in maintenance_occurrences(now, now + timedelta(days=PLANNED_DAYS)):
        if o.series and o.series in seen:
            continue
        seen.add(o.series or o.key)
        found.append(o)
    if not found:
        return []
    components = {
        c.service_id: c
        for c in _public_components().filter(service_id__in={o.service_id for o in found})
    }
    return [
        PlannedMaintenance(
            pk=o.key,
            title=o.title,
            message="",
            starts_at=o.starts_at,
            ends_at=o.ends_at,
            components=_Members([components[o.service_id]]),
            created_at=min(o.starts_at, now),
            updated_at=min(o.starts_at, now),
        )
        for o in found
        if o.service_id in components
    ]


def _maintenances(now) -> list:
    """The desk's announced maintenance and the maintenance other apps planned, soonest first."""
    return sorted(
        [*maintenances_visible(now), *planned_maintenances(now)],
        key=lambda m: (m.starts_at, str(m.pk)),
    )


def shown_status(component: Component, in_maintenance: set[int]) -> str:
    """The status the public reads: under maintenance while a window covers an operational one."""
    if component.pk in in_maintenance and component.status == ComponentStatus.OPERATIONAL:
        return ComponentStatus.MAINTENANCE
    return component.status


def indicator_for(statuses: list[str], open_incidents: int) -> tuple[str, str]:
    """The page's overall indicator and its words (Statuspage's `status` object)."""
    worst = max((SEVERITY[s] for s in statuses), default=0)
    key = {4: "critical", 3: "major", 2: "minor", 1: "maintenance"}.get(worst, "none")
    if key in ("none", "maintenance") and open_incidents:
        key = "minor"
    return key, str(
        {
            "critical": _("Major system outage"),
            "major": _("Partial system outage"),
            "minor": _("Minor service outage"),
            "maintenance": _("Service under maintenance"),
            "none": _("All systems operational"),
        }[key]
    )


@dataclass
class Day:
    date: object
    level: str  # a ComponentStatus, or "none" before the component existed
    outage_minutes: int


@dataclass
class ComponentRow:
    component: Component
    status: str
    days: list[Day] = field(default_factory=list)
    uptime: float | None = None

    @property
    def label(self) -> str:
        return ComponentStatus(self.status).label


def _segments(component: Component, changes: list, start, end) -> list[tuple]:
    """(from, to, status) pieces of [start, end) from the component's changes in that window."""
    status = changes[0].previous if changes else component.status
    at = max(start, component.created_at)
    pieces = []
    for change in changes:
        if change.at > at:
            pieces.append((at, change.at, status))
        at = max(at, change.at)
        status = change.status
    if end > at:
        pieces.append((at, end, status))
    return pieces


def uptime_rows(components: list[Component], *, in_maintenance: set[int], now=None) -> list:
    """Each component with its last HISTORY_DAYS local days: the worst status of each day, the
    minutes of outage, and the uptime (partial outage weighted PARTIAL_WEIGHT). One query."""
    now = now or timezone.now()
    zone = _zone()
    today = timezone.localtime(now, zone).date()
    first = today - timedelta(days=HISTORY_DAYS - 1)
    start = datetime.combine(first, time.min, zone)
    by_component: dict[int, list] = {c.pk: [] for c in components}
    for change in ComponentStatusChange.objects.filter(
        at__gte=start, component__in=by_component
    ).order_by("at", "id"):
        by_component[change.component_id].append(change)
    rows = []
    for component in components:
        pieces = _segments(component, by_component[component.pk], start, now)
        days, weighted, counted = [], 0.0, 0.0
        index = 0
        for offset in range(HISTORY_DAYS):
            date = first + timedelta(days=offset)
            day_start = datetime.combine(date, time.min, zone)
            day_end = min(datetime.combine(date + timedelta(days=1), time.min, zone), now)
            worst, outage, seen = None, 0.0, False
            while index < len(pieces) and pieces[index][1] <= day_start:
                index += 1
            j = index
            while j < len(pieces) and pieces[j][0] < day_end:
                lo, hi, status = pieces[j]
                minutes = (min(hi, day_end) - max(lo, day_start)).total_seconds() / 60
                if minutes > 0:
                    seen = True
                    if worst is None or SEVERITY[status] > SEVERITY[worst]:
                        worst = status
                    if status == ComponentStatus.MAJOR:
                        outage += minutes
                        weighted += minutes
                    elif status == ComponentStatus.PARTIAL:
                        outage += minutes
                        weighted += minutes * PARTIAL_WEIGHT
                    counted += minutes
                j += 1
            days.append(Day(date, worst if seen else "none", round(outage)))
        uptime = round(100 * (1 - weighted / counted), 2) if counted else None
        rows.append(ComponentRow(component, shown_status(component, in_maintenance), days, uptime))
    return rows


@dataclass
class StatusPage:
    name: str
    indicator: str
    description: str
    groups: list  # [(ComponentGroup | None, [ComponentRow])]
    active: list
    recent: list
    maintenances: list
    in_maintenance: set
    now: object
    updated_at: object


def status_page(*, now=None) -> StatusPage:
    """Everything `/status/` shows, in a bounded number of queries whatever the history."""
    now = now or timezone.now()
    maintenances = _maintenances(now)
    in_maintenance = {c.pk for m in maintenances if m.starts_at <= now for c in m.components.all()}
    components = [
        c
        for c in _public_components().select_related("group")
        if not (
            c.only_show_if_degraded
            and shown_status(c, in_maintenance) == ComponentStatus.OPERATIONAL
        )
    ]
    rows = uptime_rows(components, in_maintenance=in_maintenance, now=now)
    by_group: dict = {}
    for row in rows:
        by_group.setdefault(row.component.group, []).append(row)
    # Components without a group first, then the groups in their order.
    groups = sorted(
        by_group.items(),
        key=lambda item: (
            item[0] is not None,
            item[0].position if item[0] else 0,
            item[0].name if item[0] else "",
        ),
    )
    incidents = PublicIncident.objects.prefetch_related(
        _updates_prefetch(), Prefetch("components", queryset=_public_components())
    )
    active = list(incidents.filter(status__in=OPEN_INCIDENT_STATUSES).order_by("-created_at"))
    recent = list(
        incidents.exclude(status__in=OPEN_INCIDENT_STATUSES)
        .filter(resolved_at__gte=now - timedelta(days=RECENT_DAYS))
        .order_by("-resolved_at")[:20]
    )
    indicator, description = indicator_for([r.status for r in rows], len(active))
    stamps = [c.updated_at for c in components] + [i.updated_at for i in active + recent]
    stamps += [m.updated_at for m in maintenances]
    return StatusPage(
        name=page_name(),
        indicator=indicator,
        description=description,
        groups=groups,
        active=active,
        recent=recent,
        maintenances=maintenances,
        in_maintenance=in_maintenance,
        now=now,
        updated_at=max(stamps, default=now),
    )


def incidents_history():
    """Every public incident, newest first (the history page pages it)."""
    return PublicIncident.objects.prefetch_related(
        _updates_prefetch(), Prefetch("components", queryset=_public_components())
    ).order_by("-created_at", "-id")


def incident_public_get(*, pk: int) -> PublicIncident | None:
    return incidents_history().filter(pk=pk).first()


def maintenances_for_feed(*, limit: int = 20):
    return Maintenance.objects.filter(cancelled_at__isnull=True).order_by("-created_at")[:limit]


def feed_items(*, limit: int = 50) -> list:
    """The Atom feed's entries: the latest incident updates and maintenance announcements."""
    updates = list(
        IncidentUpdate.objects.select_related("incident").order_by("-created_at", "-id")[:limit]
    )
    maintenances = list(maintenances_for_feed(limit=limit))
    items = updates + maintenances
    items.sort(key=lambda item: item.created_at, reverse=True)
    return items[:limit]


# ---------------------------------------------------------------------------------------------
# The JSON of Atlassian Statuspage's v2 API


def _iso(value) -> str | None:
    return (
        value.astimezone(zoneinfo.ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")
        if value
        else None
    )


def _component_json(component: Component, status: str) -> dict:
    return {
        "id": str(component.pk),
        "name": component.public_name,
        "status": status,
        "created_at": _iso(component.created_at),
        "updated_at": _iso(component.updated_at),
        "position": component.position,
        "description": component.public_description or None,
        "showcase": True,
        "start_date": None,
        "group_id": f"g{component.group_id}" if component.group_id else None,
        "page_id": PAGE_ID,
        "group": False,
        "only_show_if_degraded": component.only_show_if_degraded,
    }


def _group_json(group: ComponentGroup, members: list[Component]) -> dict:
    return {
        "id": f"g{group.pk}",
        "name": group.public_name,
        "status": max(
            (m.status for m in members), key=lambda s: SEVERITY[s], default="operational"
        ),
        "created_at": _iso(group.created_at),
        "updated_at": _iso(group.updated_at),
        "position": group.position,
        "description": None,
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": PAGE_ID,
        "group": True,
        "only_show_if_degraded": False,
        "components": [str(m.pk) for m in members],
    }


def _update_json(update: IncidentUpdate, incident_id: int) -> dict:
    return {
        "id": str(update.pk),
        "status": update.status,
        "body": update.body,
        "incident_id": str(incident_id),
        "created_at": _iso(update.created_at),
        "updated_at": _iso(update.created_at),
        "display_at": _iso(update.created_at),
    }


def _incident_json(incident: PublicIncident, in_maintenance: set) -> dict:
    return {
        "id": str(incident.pk),
        "name": incident.title,
        "status": incident.status,
        "impact": incident.impact,
        "created_at": _iso(incident.created_at),
        "updated_at": _iso(incident.updated_at),
        "monitoring_at": _iso(incident.monitoring_at),
        "resolved_at": _iso(incident.resolved_at),
        "started_at": _iso(incident.created_at),
        "shortlink": settings.SITE_URL + f"/status/incidents/{incident.pk}/",
        "page_id": PAGE_ID,
        "incident_updates": [_update_json(u, incident.pk) for u in incident.updates.all()],
        "components": [
            _component_json(c, shown_status(c, in_maintenance)) for c in incident.components.all()
        ],
    }


def _maintenance_json(m: Maintenance, now, in_maintenance: set) -> dict:
    state = m.state_at(now)
    status = {"scheduled": "scheduled", "in_progress": "in_progress"}.get(state, "completed")
    return {
        "id": f"m{m.pk}",
        "name": m.title,
        "status": status,
        "impact": "maintenance",
        "created_at": _iso(m.created_at),
        "updated_at": _iso(m.updated_at),
        "monitoring_at": None,
        "resolved_at": _iso(m.ends_at) if status == "completed" else None,
        "scheduled_for": _iso(m.starts_at),
        "scheduled_until": _iso(m.ends_at),
        "shortlink": settings.SITE_URL + "/status/",
        "page_id": PAGE_ID,
        "incident_updates": [
            {
                "id": f"m{m.pk}-1",
                "status": "scheduled",
                "body": m.message,
                "incident_id": f"m{m.pk}",
                "created_at": _iso(m.created_at),
                "updated_at": _iso(m.updated_at),
                "display_at": _iso(m.created_at),
            }
        ],
        "components": [
            _component_json(c, shown_status(c, in_maintenance)) for c in m.components.all()
        ],
    }


def summary(*, now=None) -> dict:
    """`/status/api/v2/summary.json`: page, status, components, unresolved incidents and
    upcoming or active maintenance, as Statuspage's v2 API writes them."""
    now = now or timezone.now()
    maintenances = _maintenances(now)
    in_maintenance = {c.pk for m in maintenances if m.starts_at <= now for c in m.components.all()}
    components = list(_public_components())
    groups = {g.pk: g for g in ComponentGroup.objects.all()}
    statuses = {c.pk: shown_status(c, in_maintenance) for c in components}
    active = list(
        PublicIncident.objects.filter(status__in=OPEN_INCIDENT_STATUSES)
        .prefetch_related(
            _updates_prefetch(), Prefetch("components", queryset=_public_components())
        )
        .order_by("-created_at")
    )
    indicator, description = indicator_for(list(statuses.values()), len(active))
    members: dict[int, list] = {}
    for c in components:
        if c.group_id:
            members.setdefault(c.group_id, []).append(c)
    component_rows = [_component_json(c, statuses[c.pk]) for c in components]
    component_rows += [_group_json(groups[gid], ms) for gid, ms in members.items()]
    stamps = [c.updated_at for c in components] + [i.updated_at for i in active]
    return {
        "page": {
            "id": PAGE_ID,
            "name": page_name(),
            "url": settings.SITE_URL + "/status/",
            "time_zone": settings.TIME_ZONE,
            "updated_at": _iso(max(stamps, default=now)),
        },
        "status": {"indicator": indicator, "description": description},
        "components": component_rows,
        "incidents": [_incident_json(i, in_maintenance) for i in active],
        "scheduled_maintenances": [_maintenance_json(m, now, in_maintenance) for m in maintenances],
    }


def incidents_json(*, limit: int = 50) -> list[dict]:
    return [_incident_json(i, set()) for i in incidents_history()[:limit]]


# ---------------------------------------------------------------------------------------------
# The desk


@dataclass
class Proposal:
    component: Component
    status: str
    tickets: list

    @property
    def label(self) -> str:
        return ComponentStatus(self.status).label


def proposals() -> list[Proposal]:
    """A status for each component whose service has open P1/P2 incidents, worse than the one
    published: the desk may publish it with one click (nothing is published by itself)."""
    open_tickets = (
        Ticket.objects.open()
        .filter(
            kind="incident",
            priority__in=list(PROPOSED_BY_PRIORITY),
            service__status_component__isnull=False,
        )
        .order_by("priority", "created_at")
        .values("number", "title", "priority", "service__status_component")
    )
    found: dict[int, list] = {}
    for row in open_tickets[:500]:
        found.setdefault(row["service__status_component"], []).append(row)
    result = []
    for component in Component.objects.filter(pk__in=found):
        tickets = found[component.pk]
        status = PROPOSED_BY_PRIORITY[min(t["priority"] for t in tickets)]
        if SEVERITY[status] > SEVERITY[component.status]:
            result.append(Proposal(component, status, tickets))
    return sorted(result, key=lambda p: (-SEVERITY[p.status], p.component.position))


def components_all():
    return Component.objects.select_related("group", "service").order_by("position", "name")


def component_history(*, limit: int = 50):
    return ComponentStatusChange.objects.select_related("component", "actor").order_by(
        "-at", "-id"
    )[:limit]


def incidents_open():
    return (
        PublicIncident.objects.filter(status__in=OPEN_INCIDENT_STATUSES)
        .select_related("ticket")
        .prefetch_related("components")
        .order_by("-created_at")
    )


def incident_for_ticket(*, ticket: Ticket) -> PublicIncident | None:
    """The ticket's public incident: the open one, or else the latest."""
    return (
        PublicIncident.objects.filter(ticket=ticket)
        .prefetch_related(_updates_prefetch(), "components")
        .order_by(Case(When(status=IncidentStatus.RESOLVED, then=1), default=0), "-created_at")
        .first()
    )


def incident_get(*, pk: int) -> PublicIncident | None:
    return PublicIncident.objects.select_related("ticket").filter(pk=pk).first()


def maintenances_upcoming(*, now=None):
    return maintenances_visible(now or timezone.now())


def subscribers_count() -> int:
    return Subscriber.objects.filter(
        confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).count()
