"""Service-desk metrics: every figure of the reports, computed from three bounded queries.

The tickets of the period, the SLA clocks of those tickets, and the open tickets (the backlog) are
read with `values_list` (each starting from `Ticket.objects.visible_to(user)`); everything else is
plain Python over those values, so the results are the same on SQLite and PostgreSQL and the number
of queries does not depend on the number of tickets. docs/reports.md defines each figure.

Two populations, each counted in the period by its own timestamp:

- tickets *logged* in the period (`created_at`): volume, time to first response, SLA compliance;
- tickets *resolved* in the period (`resolved_at`): time to resolution, first-level resolution,
  reopen rate, reassignments.

The backlog is a snapshot of the open tickets now, whatever the period.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Tier
from servicedesk.core.i18n import localized, sort_key
from servicedesk.sla.models import SlaClock
from servicedesk.tickets.models import Kind, Ticket
from servicedesk.tickets.priority import Priority
from servicedesk.tickets.states import Status

PERIOD_BREAKDOWNS = ("day", "week", "month")
BREAKDOWN_CHOICES = [
    ("priority", _("Priority")),
    ("kind", _("Kind")),
    ("category", _("Category")),
    ("service", _("Service")),
    ("group", _("Support group")),
    ("agent", _("Resolved by")),
    ("tier", _("Tier")),
    ("day", _("Day")),
    ("week", _("Week")),
    ("month", _("Month")),
]
BREAKDOWNS = tuple(value for value, _label in BREAKDOWN_CHOICES)
DEFAULT_BREAKDOWN = "priority"
DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 366

# (key, label, lower bound inclusive, upper bound exclusive); ages are measured from reported_at.
AGE_BUCKETS = (
    ("lt_1d", _("under 1 day"), timedelta(0), timedelta(days=1)),
    ("1d_3d", _("1 to 3 days"), timedelta(days=1), timedelta(days=3)),
    ("3d_7d", _("3 to 7 days"), timedelta(days=3), timedelta(days=7)),
    ("gt_7d", _("over 7 days"), timedelta(days=7), None),
)

_RESOLVED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


def _ticket_fields() -> tuple:
    """The values of a ticket the figures count, names in the reader's language (`core.i18n`)."""
    return (
        "pk",
        "status",
        "kind",
        "priority",
        "tier",
        "category_id",
        localized("category__name"),
        localized("category__parent__name"),
        "service_id",
        localized("service__name"),
        "assignment_group_id",
        localized("assignment_group__name"),
        "reported_at",
        "created_at",
        "first_response_at",
        "resolved_at",
        "escalation_count",
        "reassignment_count",
        "reopen_count",
        "resolved_by_id",
        "resolved_by__first_name",
        "resolved_by__last_name",
        "resolved_by__username",
        "satisfaction__rating",
    )


_CLOCK_FIELDS = ("ticket_id", "metric", "state", "elapsed_before", "breached_at", "due_at")


def desk_zone() -> ZoneInfo:
    """The zone whose calendar days the reports count in: the desk's (TIME_ZONE), the same for
    every reader, so the dashboard, the CSV and the API agree whoever asks."""
    return ZoneInfo(settings.TIME_ZONE)


def resolution_promise() -> timedelta:
    """The desk's promise: tickets are resolved within this much business time on average."""
    return timedelta(hours=getattr(settings, "SERVICEDESK_RESOLUTION_PROMISE_HOURS", 24))


# ---------------------------------------------------------------------------------------------
# Statistics


def percentile(values: list, p: int):
    """The p-th percentile by the nearest-rank method: the smallest observed value such that at
    least p % of the values are at or below it, i.e. the ⌈p·n/100⌉-th smallest (None if empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, (p * len(ordered) + 99) // 100)
    return ordered[rank - 1]


def median(values: list):
    """The middle value; with an even count, the mean of the two middle values (None if empty)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def mean(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    return sum(values, timedelta()) / len(values)


@dataclass(frozen=True)
class Distribution:
    """Durations summarised: how many, their mean, median and 90th percentile (nearest rank)."""

    count: int
    mean: timedelta | None
    median: timedelta | None
    p90: timedelta | None

    @classmethod
    def of(cls, values: list[timedelta]) -> "Distribution":
        return cls(len(values), mean(values), median(values), percentile(values, 90))


@dataclass(frozen=True)
class Rate:
    """`count` of `total`, as a percentage (None when there is nothing to count)."""

    count: int
    total: int

    @property
    def percent(self) -> float | None:
        return 100 * self.count / self.total if self.total else None


@dataclass(frozen=True)
class Compliance:
    """SLA clocks that met or breached their target; pending clocks are not yet decided."""

    met: int
    breached: int
    pending: int

    @property
    def counted(self) -> int:
        return self.met + self.breached

    @property
    def percent(self) -> float | None:
        return 100 * self.met / self.counted if self.counted else None


@dataclass(frozen=True)
class Satisfaction:
    """The requesters' ratings (1–5) of the tickets resolved in the period that they rated."""

    count: int
    mean: float | None
    #: how many gave each rating, 1 to 5
    spread: tuple[int, int, int, int, int]


@dataclass(frozen=True)
class AgeBucket:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Backlog:
    """The open tickets now and how long their requesters have waited (from reported_at)."""

    count: int
    buckets: tuple[AgeBucket, ...]
    mean_age: timedelta | None
    median_age: timedelta | None


@dataclass(frozen=True)
class Figures:
    """Every figure for one slice of the tickets: the whole period, or one breakdown value."""

    logged: int
    cancelled: int
    resolved: int
    response_business: Distribution
    response_wall: Distribution
    resolution_business: Distribution
    resolution_wall: Distribution
    sla_response: Compliance
    sla_resolution: Compliance
    first_level_resolution: Rate
    reopened: Rate
    reassigned: Rate
    reassignment_mean: float | None
    satisfaction: "Satisfaction"
    # None in a breakdown by period: the backlog is a snapshot of now, not of a period.
    backlog: Backlog | None


@dataclass(frozen=True)
class Row:
    key: str | None
    label: str
    figures: Figures


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    breakdown: str
    time_zone: str
    generated_at: datetime
    totals: Figures
    breakdowns: dict[str, list[Row]]
    resolution_promise: timedelta

    @property
    def rows(self) -> list[Row]:
        return self.breakdowns[self.breakdown]

    @property
    def within_promise(self) -> bool | None:
        """Whether the mean business time to resolution keeps the promise (None: nothing resolved)."""
        average = self.totals.resolution_business.mean
        return None if average is None else average <= self.resolution_promise


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class _Ticket:
    pk: int
    status: str
    kind: str
    priority: int
    tier: int
    category_id: int | None
    category_name: str | None
    category_parent_name: str | None
    service_id: int | None
    service_name: str | None
    group_id: int | None
    group_name: str | None
    reported_at: datetime
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    escalation_count: int
    reassignment_count: int
    reopen_count: int
    resolver_id: int | None
    resolver_first_name: str | None
    resolver_last_name: str | None
    resolver_username: str | None
    rating: int | None


@dataclass(frozen=True)
class _Clock:
    state: str
    elapsed_before: timedelta
    breached_at: datetime | None
    due_at: datetime | None

    def outcome(self, now: datetime) -> str:
        """'met' or 'breached' once decided; 'pending' while the clock may still meet its target."""
        if self.state == SlaClock.State.STOPPED:
            return "breached" if self.breached_at is not None else "met"
        overdue = (
            self.state == SlaClock.State.RUNNING and self.due_at is not None and self.due_at < now
        )
        return "breached" if self.breached_at is not None or overdue else "pending"


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the start of `start` to the end of `end` (inclusive), in the desk's time zone."""
    zone = desk_zone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return since, until


def _tickets_of_period(user, since: datetime, until: datetime):
    return Ticket.objects.visible_to(user).filter(
        Q(created_at__gte=since, created_at__lt=until)
        | Q(resolved_at__gte=since, resolved_at__lt=until)
    )


def _read(user, since: datetime, until: datetime):
    period = _tickets_of_period(user, since, until)
    tickets = [_Ticket(*row) for row in period.values_list(*_ticket_fields())]
    clocks: dict[int, dict[str, _Clock]] = {}
    clock_rows = SlaClock.objects.filter(
        ticket__in=period.exclude(status=Status.CANCELLED).values("pk")
    ).values_list(*_CLOCK_FIELDS)
    for ticket_id, metric, *rest in clock_rows:
        clocks.setdefault(ticket_id, {})[metric] = _Clock(*rest)
    backlog = [
        _Ticket(*row)
        for row in Ticket.objects.visible_to(user).open().values_list(*_ticket_fields())
    ]
    return tickets, clocks, backlog


# ---------------------------------------------------------------------------------------------
# Tallying


@dataclass
class _Tally:
    logged: int = 0
    cancelled: int = 0
    resolved: int = 0
    response_business: list[timedelta] = field(default_factory=list)
    response_wall: list[timedelta] = field(default_factory=list)
    resolution_business: list[timedelta] = field(default_factory=list)
    resolution_wall: list[timedelta] = field(default_factory=list)
    sla: dict[tuple[str, str], int] = field(default_factory=dict)
    first_level: int = 0
    reopened: int = 0
    reassigned: int = 0
    reassignments: int = 0
    ages: list[timedelta] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)

    def add_logged(self, ticket: _Ticket, clocks: dict[str, _Clock], now: datetime) -> None:
        self.logged += 1
        if ticket.status == Status.CANCELLED:
            self.cancelled += 1
            return
        if ticket.first_response_at is not None:
            self.response_wall.append(ticket.first_response_at - ticket.reported_at)
        response = clocks.get(SlaClock.Metric.RESPONSE)
        if response is not None and response.state == SlaClock.State.STOPPED:
            self.response_business.append(response.elapsed_before)
        for metric, clock in clocks.items():
            key = (metric, clock.outcome(now))
            self.sla[key] = self.sla.get(key, 0) + 1

    def add_resolved(self, ticket: _Ticket, clocks: dict[str, _Clock]) -> None:
        self.resolved += 1
        self.resolution_wall.append(ticket.resolved_at - ticket.reported_at)
        resolution = clocks.get(SlaClock.Metric.RESOLUTION)
        if resolution is not None and resolution.state == SlaClock.State.STOPPED:
            self.resolution_business.append(resolution.elapsed_before)
        if ticket.escalation_count == 0 and ticket.tier == Tier.L1:
            self.first_level += 1
        if ticket.reopen_count > 0:
            self.reopened += 1
        if ticket.reassignment_count > 0:
            self.reassigned += 1
        self.reassignments += ticket.reassignment_count
        if ticket.rating is not None:
            self.ratings.append(ticket.rating)

    def add_open(self, ticket: _Ticket, now: datetime) -> None:
        self.ages.append(max(now - ticket.reported_at, timedelta()))

    def _compliance(self, metric: str) -> Compliance:
        return Compliance(
            met=self.sla.get((metric, "met"), 0),
            breached=self.sla.get((metric, "breached"), 0),
            pending=self.sla.get((metric, "pending"), 0),
        )

    def figures(self, *, with_backlog: bool) -> Figures:
        backlog = None
        if with_backlog:
            backlog = Backlog(
                count=len(self.ages),
                buckets=tuple(
                    AgeBucket(
                        key,
                        str(label),
                        sum(1 for age in self.ages if low <= age and (high is None or age < high)),
                    )
                    for key, label, low, high in AGE_BUCKETS
                ),
                mean_age=mean(self.ages),
                median_age=median(self.ages),
            )
        return Figures(
            logged=self.logged,
            cancelled=self.cancelled,
            resolved=self.resolved,
            response_business=Distribution.of(self.response_business),
            response_wall=Distribution.of(self.response_wall),
            resolution_business=Distribution.of(self.resolution_business),
            resolution_wall=Distribution.of(self.resolution_wall),
            sla_response=self._compliance(SlaClock.Metric.RESPONSE),
            sla_resolution=self._compliance(SlaClock.Metric.RESOLUTION),
            first_level_resolution=Rate(self.first_level, self.resolved),
            reopened=Rate(self.reopened, self.resolved),
            reassigned=Rate(self.reassigned, self.resolved),
            reassignment_mean=self.reassignments / self.resolved if self.resolved else None,
            satisfaction=Satisfaction(
                count=len(self.ratings),
                mean=sum(self.ratings) / len(self.ratings) if self.ratings else None,
                spread=tuple(self.ratings.count(n) for n in range(1, 6)),
            ),
            backlog=backlog,
        )


# ---------------------------------------------------------------------------------------------
# Breakdowns: the key and label of a ticket's slice, and the slices always shown

# A slice key: (sort key, key as reported, label).
_Slice = tuple[tuple, str | None, str]


def _period_start(breakdown: str, day: date) -> date:
    if breakdown == "week":
        return day - timedelta(days=day.weekday())
    if breakdown == "month":
        return day.replace(day=1)
    return day


def _period_slice(breakdown: str, day: date) -> _Slice:
    first = _period_start(breakdown, day)
    if breakdown == "week":
        year, week, _weekday = first.isocalendar()
        label = f"{year}-W{week:02d}"
    elif breakdown == "month":
        label = first.strftime("%Y-%m")
    else:
        label = first.isoformat()
    return ((first,), first.isoformat(), label)


def _named(pk: int | None, name: str | None, none_label) -> _Slice:
    if pk is None:
        return ((1, ""), None, str(none_label))
    return ((0, sort_key(name), pk), str(pk), name)


def _slice_of(breakdown: str, ticket: _Ticket, when: datetime | None) -> _Slice:
    if breakdown in PERIOD_BREAKDOWNS:
        return _period_slice(breakdown, when.astimezone(desk_zone()).date())
    if breakdown == "priority":
        return ((ticket.priority,), str(ticket.priority), str(Priority(ticket.priority).label))
    if breakdown == "kind":
        return ((Kind.values.index(ticket.kind),), ticket.kind, str(Kind(ticket.kind).label))
    if breakdown == "tier":
        return ((ticket.tier,), str(ticket.tier), str(Tier(ticket.tier).label))
    if breakdown == "category":
        name = ticket.category_name
        if ticket.category_parent_name:
            name = f"{ticket.category_parent_name} › {name}"
        return _named(ticket.category_id, name, _("No category"))
    if breakdown == "service":
        return _named(ticket.service_id, ticket.service_name, _("No service"))
    if breakdown == "group":
        return _named(ticket.group_id, ticket.group_name, _("No group"))
    if breakdown == "agent":
        name = (
            f"{ticket.resolver_first_name or ''} {ticket.resolver_last_name or ''}".strip()
            or ticket.resolver_username
        )
        return _named(ticket.resolver_id, name, _("Not resolved"))
    raise ValueError(f"Unknown breakdown {breakdown!r}")


def _slices_always_shown(breakdown: str, start: date, end: date) -> Iterable[_Slice]:
    """Every period of the range, every priority, kind and tier, even with no ticket in them."""
    if breakdown in PERIOD_BREAKDOWNS:
        seen, day = set(), start
        while day <= end:
            first = _period_start(breakdown, day)
            if first not in seen:
                seen.add(first)
                yield _period_slice(breakdown, day)
            day += timedelta(days=1)
    elif breakdown == "priority":
        yield from (((p.value,), str(p.value), str(p.label)) for p in Priority)
    elif breakdown == "kind":
        yield from (((i,), k.value, str(k.label)) for i, k in enumerate(Kind))
    elif breakdown == "tier":
        yield from (((t.value,), str(t.value), str(t.label)) for t in Tier)


class _Slices:
    """The tallies of one breakdown, by slice."""

    def __init__(self, breakdown: str, start: date, end: date):
        self.breakdown = breakdown
        self.tallies: dict[_Slice, _Tally] = {
            key: _Tally() for key in _slices_always_shown(breakdown, start, end)
        }

    def tally(self, ticket: _Ticket, when: datetime | None) -> _Tally:
        key = _slice_of(self.breakdown, ticket, when)
        found = self.tallies.get(key)
        if found is None:
            found = self.tallies[key] = _Tally()
        return found

    def rows(self) -> list[Row]:
        with_backlog = self.breakdown not in PERIOD_BREAKDOWNS
        return [
            Row(key=key, label=label, figures=tally.figures(with_backlog=with_backlog))
            for (_sort, key, label), tally in sorted(self.tallies.items(), key=lambda i: i[0][0])
        ]


def report_build(
    *,
    user,
    start: date,
    end: date,
    breakdown: str = DEFAULT_BREAKDOWN,
    also: Iterable[str] = (),
    now: datetime | None = None,
) -> Report:
    """The figures of tickets `user` may see, for the days `start`–`end` (inclusive, desk time).

    `breakdown` is the main slicing; `also` asks for more slicings computed from the same reads.
    """
    now = now or timezone.now()
    wanted = list(dict.fromkeys([breakdown, *also]))
    for name in wanted:
        if name not in BREAKDOWNS:
            raise ValueError(f"Unknown breakdown {name!r}")
    since, until = period_bounds(start, end)
    tickets, clocks, backlog = _read(user, since, until)

    total = _Tally()
    slicings = [_Slices(name, start, end) for name in wanted]
    for ticket in tickets:
        ticket_clocks = clocks.get(ticket.pk, {})
        if since <= ticket.created_at < until:
            total.add_logged(ticket, ticket_clocks, now)
            for slices in slicings:
                slices.tally(ticket, ticket.created_at).add_logged(ticket, ticket_clocks, now)
        if (
            ticket.resolved_at is not None
            and since <= ticket.resolved_at < until
            and ticket.status in _RESOLVED_STATUSES
        ):
            total.add_resolved(ticket, ticket_clocks)
            for slices in slicings:
                slices.tally(ticket, ticket.resolved_at).add_resolved(ticket, ticket_clocks)
    # The backlog is a snapshot of now: it has no place in a slicing by period.
    snapshot_slicings = [s for s in slicings if s.breakdown not in PERIOD_BREAKDOWNS]
    for ticket in backlog:
        total.add_open(ticket, now)
        for slices in snapshot_slicings:
            slices.tally(ticket, None).add_open(ticket, now)

    return Report(
        start=start,
        end=end,
        breakdown=breakdown,
        time_zone=settings.TIME_ZONE,
        generated_at=now,
        totals=total.figures(with_backlog=True),
        breakdowns={slices.breakdown: slices.rows() for slices in slicings},
        resolution_promise=resolution_promise(),
    )


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last DEFAULT_PERIOD_DAYS days, today included."""
    today = today or timezone.localdate(timezone=desk_zone())
    return today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today
