"""Reads of SLA clocks: a ticket's clocks with their ledger, and the at-risk and breached queues."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from servicedesk.sla.clocks import State, clock_elapsed, clock_policy
from servicedesk.sla.models import SlaClock, SlaLedgerEntry
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.states import OPEN_STATUSES

# "Breaching soon" looks this far ahead.
AT_RISK_WINDOW = timedelta(hours=4)


@dataclass(frozen=True)
class ClockView:
    metric: str
    policy: str
    calendar: str
    state: str
    target: timedelta
    elapsed: timedelta
    remaining: timedelta
    started_at: datetime
    due_at: datetime | None
    stopped_at: datetime | None
    breached_at: datetime | None
    warned: list
    ledger: list[SlaLedgerEntry]


def clocks_for(*, ticket: Ticket, now: datetime | None = None) -> list[ClockView]:
    now = now or timezone.now()
    clocks = SlaClock.objects.filter(ticket=ticket).select_related("calendar").order_by("-metric")
    entries: dict[int, list[SlaLedgerEntry]] = {}
    for entry in SlaLedgerEntry.objects.filter(clock__ticket=ticket).order_by("at", "id"):
        entries.setdefault(entry.clock_id, []).append(entry)
    views = []
    for clock in clocks:
        elapsed = clock_elapsed(clock, now)
        views.append(
            ClockView(
                metric=clock.metric,
                policy=_policy_name(clock),
                calendar=clock.calendar.name,
                state=clock.state,
                target=clock.target,
                elapsed=elapsed,
                remaining=clock.target - elapsed,
                started_at=clock.started_at,
                due_at=clock.due_at,
                stopped_at=clock.stopped_at,
                breached_at=clock.breached_at,
                warned=clock.warned,
                ledger=entries.get(clock.pk, []),
            )
        )
    return views


def _policy_name(clock: SlaClock) -> str:
    policy = clock_policy(clock)
    return policy.name if policy is not None else clock.policy_name


def with_sla_due(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate `sla_due_at`: the earliest due time of the ticket's running clocks."""
    earliest = (
        SlaClock.objects.filter(ticket=OuterRef("pk"), state=State.RUNNING)
        .order_by("due_at")
        .values("due_at")[:1]
    )
    return queryset.annotate(sla_due_at=Subquery(earliest))


def tickets_breaching_soon(queryset: QuerySet[Ticket], *, now: datetime) -> QuerySet[Ticket]:
    """Open tickets with a running clock not yet breached and due within the window."""
    at_risk = SlaClock.objects.filter(
        ticket=OuterRef("pk"),
        state=State.RUNNING,
        breached_at__isnull=True,
        due_at__lte=now + AT_RISK_WINDOW,
    )
    return with_sla_due(queryset.filter(status__in=OPEN_STATUSES).filter(Exists(at_risk)))


def tickets_breached(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Open tickets with at least one breached clock."""
    breached = SlaClock.objects.filter(ticket=OuterRef("pk"), breached_at__isnull=False)
    queryset = queryset.filter(status__in=OPEN_STATUSES).filter(Exists(breached))
    return with_sla_due(queryset)
