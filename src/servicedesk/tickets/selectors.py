"""Reads of tickets. Everything a person sees starts from `Ticket.objects.visible_to(user)`."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from servicedesk.accounts.permissions import group_ids_of
from servicedesk.tickets.models import Attachment, Ticket, TicketEvent, TierStint
from servicedesk.tickets.permissions import can_perform, can_see_internal
from servicedesk.tickets.states import OPEN_STATUSES, Action, actions_from

LIST_RELATED = (
    "requester",
    "category",
    "category__parent",
    "service",
    "assignment_group",
    "assignee",
)


def tickets_visible(*, user) -> QuerySet[Ticket]:
    return Ticket.objects.visible_to(user).select_related(*LIST_RELATED)


def ticket_get(*, user, number: str, for_update: bool = False) -> Ticket:
    """The ticket with this number if `user` may see it; otherwise 404, never 403."""
    queryset = Ticket.objects.visible_to(user).select_related(
        *LIST_RELATED, "configuration_item", "parent", "duplicate_of", "logged_by"
    )
    ticket = queryset.filter(number=number.upper()).first()
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def queue_for(*, user, group_id: int | None = None, mine: bool = False) -> QuerySet[Ticket]:
    """Open tickets by priority then age: a group's queue, or the person's own work."""
    queryset = tickets_visible(user=user).filter(status__in=OPEN_STATUSES)
    if group_id is not None:
        queryset = queryset.filter(assignment_group_id=group_id)
    if mine:
        queryset = queryset.filter(Q(assignee=user) | Q(assignment_group_id__in=group_ids_of(user)))
    return queryset.order_by("priority", "created_at", "id")


def timeline_for(*, ticket: Ticket, user) -> QuerySet[TicketEvent]:
    """The ticket's timeline as `user` may read it: requesters see public rows only."""
    queryset = ticket.events.select_related("actor").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    if not can_see_internal(user):
        queryset = queryset.filter(is_public=True)
    return queryset.order_by("created_at", "id")


def attachments_for(*, ticket: Ticket, user) -> QuerySet[Attachment]:
    queryset = ticket.attachments.select_related("uploaded_by")
    if not can_see_internal(user):
        queryset = queryset.filter(is_public=True)
    return queryset


def attachment_get(*, user, ticket: Ticket, attachment_id: int) -> Attachment:
    attachment = attachments_for(ticket=ticket, user=user).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


def actions_available(*, ticket: Ticket, user) -> list[Action]:
    """The buttons to show: allowed from the current state and permitted to this person."""
    return [action for action in actions_from(ticket.status) if can_perform(user, ticket, action)]


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
