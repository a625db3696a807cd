"""Service levels at the ticket's level: what a breach does to the ticket, and auto-close.

The SLA check (`sla.services.sla_clock_check`) reports what fired on a clock; this module acts on
it with ticket services: a breach escalates the ticket per its clock's snapshot policy, in the
same transaction as the breach. `sla_clock_due` is the due-work handler of SLA clocks
(`core/due.py`, registered in `TicketsConfig.ready()`). Auto-close closes resolved tickets nobody
confirmed or rejected within N business days of the desk calendar.
"""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from servicedesk.accounts.models import SupportGroup
from servicedesk.core.errors import ServiceError
from servicedesk.sla.calendars import Calendar, open_time_on
from servicedesk.sla.clocks import calendar_of
from servicedesk.sla.models import BusinessCalendar, SlaClock, SlaPolicy
from servicedesk.sla.services import sla_clock_check
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services.assignment import ticket_assign, ticket_escalate
from servicedesk.tickets.services.lifecycle import ticket_close
from servicedesk.tickets.states import Status

log = logging.getLogger(__name__)

# What the due-work sweep joins to each clock it claims: what the check and its mails read.
SLA_CLOCK_DUE_RELATED = ("calendar", "ticket__assignment_group", "ticket__assignee")


def sla_clock_due(clock: SlaClock, now: datetime) -> None:
    """The due-work handler of SLA clocks: send what is due and, on a breach, escalate.

    Runs in the sweep's transaction, which holds the clock's lock; the escalation is part of it,
    so a breach is never recorded without the move its policy asks for (or the reason it could
    not be made, logged).
    """
    check = sla_clock_check(clock=clock, now=now)
    if check.breached:
        _escalate_on_breach(clock.ticket, clock)


def _breach_target_group(ticket: Ticket, clock: SlaClock) -> SupportGroup | None:
    if clock.breach_action == SlaPolicy.BreachAction.GROUP:
        return clock.breach_group
    if clock.breach_action == SlaPolicy.BreachAction.NEXT_TIER and ticket.tier < 3:
        owner = ticket.service.owner_group if ticket.service_id else None
        if owner is not None and owner.tier == ticket.tier + 1 and owner.is_active:
            return owner
        return (
            SupportGroup.objects.filter(tier=ticket.tier + 1, is_active=True).order_by("id").first()
        )
    return None


def _escalate_on_breach(ticket: Ticket, clock: SlaClock) -> None:
    group = _breach_target_group(ticket, clock)
    if group is None or group.pk == ticket.assignment_group_id:
        return
    reason = f"SLA breach: {clock.get_metric_display()} target of {clock.policy_name} passed"
    try:
        with transaction.atomic():
            if group.tier > ticket.tier:
                ticket_escalate(ticket=ticket, actor=None, to_group=group, reason=reason)
            else:
                ticket_assign(ticket=ticket, actor=None, group=group, reason=reason)
    except ServiceError as error:
        # The breach itself is recorded and notified; a ticket that cannot move stays put.
        log.info("breach of %s: not escalated (%s)", ticket.number, error.message)


# ---------------------------------------------------------------------------------------------
# Auto-close


def desk_calendar() -> BusinessCalendar | None:
    """The calendar business days are counted on for auto-close: the one named in settings."""
    return (
        BusinessCalendar.objects.filter(name=settings.SERVICEDESK_DESK_CALENDAR).first()
        or BusinessCalendar.objects.filter(always_open=False).order_by("id").first()
    )


def auto_close_due_ids(*, now: datetime, limit: int = 500) -> list[int]:
    """Resolved tickets whose confirmation window (in business days) has passed."""
    days = settings.SERVICEDESK_AUTO_CLOSE_BUSINESS_DAYS
    stored = desk_calendar()
    calendar = calendar_of(stored) if stored else None
    # Business days never pass faster than calendar days, so this bound reads only candidates.
    candidates = Ticket.objects.filter(
        status=Status.RESOLVED, is_major=False, resolved_at__lte=now - timedelta(days=days)
    ).order_by("resolved_at")
    due = []
    for pk, resolved_at in candidates.values_list("pk", "resolved_at")[: limit * 4]:
        if calendar is None or now >= auto_close_deadline(calendar, resolved_at, days):
            due.append(pk)
            if len(due) >= limit:
                break
    return due


def auto_close_deadline(calendar: Calendar, resolved_at: datetime, days: int) -> datetime:
    """Local midnight after the `days`-th open day following the day of resolution.

    A day counts only if the calendar has open time on it: a one-off closure over a whole
    working day gives the requester no day to answer.
    """
    zone = calendar.zone
    day = resolved_at.astimezone(zone).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if open_time_on(calendar, day) > timedelta():
            counted += 1
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def tickets_auto_close(*, now: datetime | None = None) -> int:
    """Close resolved tickets nobody confirmed or rejected in time. Returns how many closed."""
    now = now or timezone.now()
    closed = 0
    for pk in auto_close_due_ids(now=now):
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=Status.RESOLVED)
                .first()
            )
            if ticket is None:
                continue
            ticket_close(
                ticket=ticket,
                actor=None,
                reason=f"closed automatically after "
                f"{settings.SERVICEDESK_AUTO_CLOSE_BUSINESS_DAYS} business days without an answer",
            )
            closed += 1
    return closed
