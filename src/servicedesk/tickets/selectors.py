"""Reads of tickets. Everything a person sees starts from the visibility contract
(`core.visibility`): `Ticket.objects.visible_to(user)`, and the rules of the timeline and files
built on it. Restricted tickets are kept out by that same rule, so no read here filters them."""

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from servicedesk.accounts.permissions import group_ids_of
from servicedesk.catalog.models import DiagnosticQuestion
from servicedesk.core.errors import Moved
from servicedesk.core.i18n import localized
from servicedesk.core.visibility import is_visible, visible_ids
from servicedesk.sla.selectors import tickets_breached, tickets_breaching_soon
from servicedesk.tickets.models import (
    Attachment,
    DiagnosisAnswer,
    SavedView,
    Ticket,
    TicketEvent,
    TierStint,
)
from servicedesk.tickets.states import OPEN_STATUSES, Status

# What the lists show. Each join must earn its place: with seven relations PostgreSQL spent
# several times longer planning every queue page than with the six below (bench/README.md).
LIST_RELATED = (
    "requester",
    "category",
    "category__parent",
    "assignment_group",
    "assignee",
)


# The columns of a row of the ticket list (payloads.ticket_list_data turns them into JSON).
TICKET_LIST_COLUMNS = (
    "id",
    "number",
    "kind",
    "status",
    "hold_reason",
    "title",
    "priority",
    "impact",
    "urgency",
    "tier",
    "requester_id",
    "requester__first_name",
    "requester__last_name",
    "requester__username",
    "requester_name",
    "category_id",
    "assignment_group_id",
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
    "channel",
    "reported_at",
    "created_at",
    "updated_at",
)


@functools.cache
def _list_rows() -> QuerySet[Ticket]:
    # Resolving these columns and their joins was a large part of every list request: the
    # queryset is built once and cloned. Never evaluated itself, so it holds no rows.
    return Ticket.objects.values(*TICKET_LIST_COLUMNS)


def ticket_rows_visible(*, user) -> QuerySet[Ticket]:
    """Rows (dicts of TICKET_LIST_COLUMNS) of the tickets `user` may see."""
    return _list_rows().all().visible_to(user)


def tickets_visible(*, user) -> QuerySet[Ticket]:
    return Ticket.objects.visible_to(user).select_related(*LIST_RELATED)


def ticket_get(*, user, number: str) -> Ticket:
    """The ticket with this number if `user` may see it; otherwise 404, never 403. An old number
    of a reclassified ticket raises Moved (a redirect to its number now)."""
    queryset = Ticket.objects.visible_to(user).select_related(
        *LIST_RELATED,
        "service",
        "configuration_item",
        "parent",
        "duplicate_of",
        "logged_by",
        "resolved_by",
    )
    if "\x00" in number:
        # A path may carry %00, and PostgreSQL cannot compare text holding a NUL (a 500).
        raise Http404("No such ticket.")
    ticket = queryset.filter(number=number.upper()).first()
    if ticket is None:
        # A number it had before it was reclassified: the same ticket, under its new number.
        moved = (
            Ticket.objects.visible_to(user)
            .filter(aliases__number=number.upper())
            .values_list("number", flat=True)
            .first()
        )
        if moved is not None:
            raise Moved(old=number, new=moved)
        raise Http404("No such ticket.")
    return ticket


def timeline_for(*, ticket: Ticket, user) -> QuerySet[TicketEvent]:
    """The ticket's timeline as `user` may read it (TicketEvent's rule: requesters see public
    rows only, and nobody the rows of a ticket they may not see)."""
    queryset = (
        TicketEvent.objects.visible_to(user)
        .filter(ticket=ticket)
        .select_related("actor")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    )
    return queryset.order_by("created_at", "id")


def attachments_for(*, ticket: Ticket, user) -> QuerySet[Attachment]:
    """The ticket's files as `user` may see them (Attachment's rule)."""
    return Attachment.objects.visible_to(user).filter(ticket=ticket).select_related("uploaded_by")


def attachment_get(*, user, ticket: Ticket, attachment_id: int) -> Attachment:
    attachment = attachments_for(ticket=ticket, user=user).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


def ticket_children_numbers(*, ticket: Ticket, user) -> list[str]:
    """The numbers of the ticket's children that `user` may see."""
    children = Ticket.objects.visible_to(user).filter(parent=ticket).order_by("id")
    return list(children.values_list("number", flat=True))


def linked_number(*, other: Ticket | None, user) -> str | None:
    """The number of a linked ticket (parent, duplicate of) if `user` may see that ticket.

    One query when there is a link: the rule is asked of the database, so a restriction made
    since the ticket was read already counts.
    """
    return other.number if other is not None and is_visible(other, user) else None


@dataclass(frozen=True)
class TierTime:
    group: str
    tier: int
    started_at: datetime
    ended_at: datetime | None
    duration: timedelta


def tier_history(*, ticket: Ticket, now: datetime | None = None) -> list[TierTime]:
    """Each stretch the ticket spent with a group, with its length (open stretches run to now)."""
    now = now or timezone.now()
    return [
        TierTime(
            group=stint.group.name,
            tier=stint.tier,
            started_at=stint.started_at,
            ended_at=stint.ended_at,
            duration=(stint.ended_at or now) - stint.started_at,
        )
        for stint in TierStint.objects.filter(ticket=ticket).select_related("group")
    ]


def time_per_tier(*, ticket: Ticket, now: datetime | None = None) -> dict[int, timedelta]:
    totals: dict[int, timedelta] = {}
    for stint in tier_history(ticket=ticket, now=now):
        totals[stint.tier] = totals.get(stint.tier, timedelta()) + stint.duration
    return totals


# ---------------------------------------------------------------------------------------------
# The console's queues


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    #: where the queue is listed: "work" (one's own), "desk", "tier" or "sla"
    section: str
    #: the sort the queue opens with (a key of QUEUE_SORTS)
    sort: str = "priority"


QUEUES = (
    Queue("mine", _("My tickets"), "work"),
    Queue("groups", _("My groups"), "work"),
    Queue("unassigned", _("Unassigned"), "desk"),
    Queue("open", _("All open"), "desk"),
    Queue("recent", _("Recently updated"), "desk", sort="updated"),
    Queue("tier1", _("L1 – service desk"), "tier"),
    Queue("tier2", _("L2 – specialist support"), "tier"),
    Queue("tier3", _("L3 – engineering"), "tier"),
    Queue("breaching", pgettext_lazy("queue", "Breaching soon"), "sla", sort="due"),
    Queue("breached", pgettext_lazy("queue", "Breached"), "sla"),
)
QUEUES_BY_KEY = {queue.key: queue for queue in QUEUES}
#: sort key → ordering of the keyset paginator ("due" exists only in the breaching-soon queue)
QUEUE_SORTS = {
    "priority": "priority,created_at",
    "oldest": "created_at",
    "newest": "-created_at",
    "updated": "-updated_at",
    "due": "sla_due_at",
}
# "Recently updated" looks this far back.
RECENT_WINDOW = timedelta(hours=24)
# Counts stop at this many: a queue of a thousand reads the same as one of a million, and each
# count stays one short index range whatever the size of the desk.
QUEUE_COUNT_CAP = 1000


# What a row of the console's queue shows, read as plain values (no model instances).
QUEUE_ROW_COLUMNS = (
    "id",
    "number",
    "title",
    "is_major",
    "is_restricted",
    "status",
    "hold_reason",
    "priority",
    "requester_name",
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
    "created_at",
    "updated_at",
)


def queue_rows(queryset: QuerySet[Ticket]) -> QuerySet:
    """A queue's tickets as the values its rows show (with the SLA due time where annotated).

    The category's and the group's names are read in the active language (`core.i18n`).
    """
    columns = QUEUE_ROW_COLUMNS
    if "sla_due_at" in queryset.query.annotations:
        columns = (*columns, "sla_due_at")
    return queryset.values(
        *columns,
        category_name=localized("category__name"),
        category_parent_name=localized("category__parent__name"),
        group_name=localized("assignment_group__name"),
    )


def queue_tickets(*, user, queue: str, now: datetime | None = None) -> QuerySet[Ticket]:
    """The tickets of one console queue, unordered (the caller sorts and pages them)."""
    return _queue(tickets_visible(user=user), user=user, queue=queue, now=now or timezone.now())


def _queue(visible: QuerySet[Ticket], *, user, queue: str, now: datetime) -> QuerySet[Ticket]:
    open_ = visible.filter(status__in=OPEN_STATUSES)
    match queue:
        case "mine":
            return open_.filter(assignee_id=user.pk)
        case "groups":
            return open_.filter(assignment_group_id__in=group_ids_of(user))
        case "unassigned":
            return open_.filter(assignee__isnull=True)
        case "tier1" | "tier2" | "tier3":
            return open_.filter(tier=int(queue[-1]))
        case "open":
            return open_
        case "recent":
            # Naming every status lets the (status, updated_at) index serve the range.
            return visible.filter(status__in=Status.values, updated_at__gte=now - RECENT_WINDOW)
        case "breaching":
            return tickets_breaching_soon(visible, now=now)
        case "breached":
            return tickets_breached(visible)
    raise ValueError(f"no queue {queue!r}")


def queue_now() -> datetime:
    """The moment the console's queues are read at, to the minute.

    "Recently updated" and "breaching soon" are windows of hours; reading them to the minute lets
    the rows and the counts of one page agree, and the counts' statement be reused (see below).
    """
    return timezone.now().replace(second=0, microsecond=0)


# Compiled count statements by (person, their groups, minute): building ten querysets into SQL
# cost more than running them, and an open queue asks for the same counts every poll.
_count_statements: dict[tuple, tuple[str, list]] = {}
_COUNT_STATEMENTS_MAX = 1000


def queue_counts(*, user, now: datetime | None = None) -> dict[str, int]:
    """How many tickets each queue holds now, up to QUEUE_COUNT_CAP.

    One statement of one bounded subquery per queue: a single round trip to the database. The
    statement's text is kept for the minute; the counts are always read afresh.
    """
    now = now or queue_now()
    key = (user.pk, user.is_active, user.is_desk_staff, frozenset(group_ids_of(user)), now)
    statement = _count_statements.get(key)
    if statement is None:
        statement = _count_statement(user, now)
        if len(_count_statements) >= _COUNT_STATEMENTS_MAX:
            _count_statements.clear()
        _count_statements[key] = statement
    sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = cursor.fetchone()
    return {queue.key: count for queue, count in zip(QUEUES, counts, strict=True)}


def _count_statement(user, now: datetime) -> tuple[str, list]:
    visible = Ticket.objects.visible_to(user)
    parts, params = [], []
    for n, queue in enumerate(QUEUES):
        limited = _queue(visible, user=user, queue=queue.key, now=now).order_by().values("pk")
        try:
            sql, sub_params = limited[:QUEUE_COUNT_CAP].query.sql_with_params()
        except EmptyResultSet:
            # A queue that can hold nothing (e.g. "my groups" of someone in no group).
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS queue_{n})")
        params.extend(sub_params)
    return "SELECT " + ", ".join(parts), params


def saved_views_for(*, user) -> QuerySet[SavedView]:
    return SavedView.objects.filter(user=user).order_by("name", "id")


# ---------------------------------------------------------------------------------------------
# What the ticket page shows beside the timeline


@dataclass(frozen=True)
class DiagnosisRow:
    question: DiagnosticQuestion
    answer: DiagnosisAnswer | None


def diagnosis_for(*, ticket: Ticket) -> list[DiagnosisRow]:
    """The questions of the ticket's category, each with its recorded answer (or None).

    Answers to questions of a category the ticket no longer has are listed after them.
    """
    answers = {a.question_id: a for a in ticket.diagnosis.select_related("answered_by")}
    rows = []
    if ticket.category_id is not None:
        for question in DiagnosticQuestion.objects.filter(category_id=ticket.category_id):
            rows.append(DiagnosisRow(question, answers.pop(question.pk, None)))
    rows += [DiagnosisRow(answer.question, answer) for answer in answers.values()]
    return rows


@dataclass(frozen=True)
class TicketLinks:
    parent: Ticket | None
    children: list[Ticket]
    duplicate_of: Ticket | None
    duplicates: list[Ticket]


def links_for(*, ticket: Ticket, user) -> TicketLinks:
    """The tickets linked to this one that `user` may see."""
    related = Ticket.objects.visible_to(user).only("number", "title", "status", "priority")
    # A ticket may be linked to one its reader may not see (someone else's, a restricted one).
    seen = visible_ids(Ticket, user, [ticket.parent_id, ticket.duplicate_of_id])
    parent = ticket.parent if ticket.parent_id in seen else None
    duplicate_of = ticket.duplicate_of if ticket.duplicate_of_id in seen else None
    return TicketLinks(
        parent=parent,
        children=list(related.filter(parent=ticket).order_by("id")),
        duplicate_of=duplicate_of,
        duplicates=list(related.filter(duplicate_of=ticket).order_by("id")),
    )


def ticket_numbers_visible(*, user, numbers: list[str]) -> list[Ticket]:
    """The tickets among `numbers` that `user` may see, in the order given."""
    wanted = [n.strip().upper() for n in numbers if n.strip()]
    found = {t.number: t for t in Ticket.objects.visible_to(user).filter(number__in=wanted)}
    return [found[n] for n in wanted if n in found]
