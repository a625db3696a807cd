"""SLA warnings, breaches and auto-close: the work of the periodic sweeps.

Safe on many workers at once: each clock is locked with SKIP LOCKED and re-checked inside its
own transaction; what was sent is recorded on the clock (`warned`, `breached_at`) in the same
transaction as the outbox rows, whose dedup keys make a repeated send impossible.
"""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from servicedesk.accounts.models import SupportGroup
from servicedesk.core.errors import ServiceError
from servicedesk.notifications.services import notify
from servicedesk.sla.calendars import Calendar, open_time_on
from servicedesk.sla.clocks import (
    State,
    _ledger,
    _schedule,
    calendar_of,
    clock_elapsed,
    clock_policy,
)
from servicedesk.sla.models import BusinessCalendar, SlaClock, SlaLedgerEntry, SlaPolicy
from servicedesk.tickets import events
from servicedesk.tickets import services as ticket_services
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.states import Status

log = logging.getLogger(__name__)
Event = SlaLedgerEntry.Event


def sla_due_clock_ids(*, now: datetime, limit: int) -> list[int]:
    """Clocks whose next warning or breach has come: one index range, nothing else is read."""
    return list(
        SlaClock.objects.filter(state=State.RUNNING, next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:limit]
    )


def sla_sweep(*, now: datetime | None = None, batch: int = 500) -> int:
    """Process every due clock; returns how many were processed by this call."""
    now = now or timezone.now()
    processed = 0
    while True:
        ids = sla_due_clock_ids(now=now, limit=batch)
        if not ids:
            return processed
        done = sum(sla_clock_check(clock_id=pk, now=now) for pk in ids)
        processed += done
        if done == 0:
            # Every due clock is locked by another worker; it will process them.
            return processed


@transaction.atomic
def sla_clock_check(*, clock_id: int, now: datetime) -> bool:
    """Send the warnings and the breach that have come due for one clock, once each."""
    clock = (
        SlaClock.objects.select_for_update(skip_locked=True)
        .select_related("calendar")
        .filter(pk=clock_id, state=State.RUNNING, next_check_at__lte=now)
        .first()
    )
    if clock is None:
        return False
    ticket = Ticket.objects.select_related("assignment_group", "assignee").get(pk=clock.ticket_id)
    elapsed = clock_elapsed(clock, now)
    for threshold in clock.warning_thresholds:
        mark = clock.target * threshold / 100
        if threshold in clock.warned or elapsed < mark or elapsed >= clock.target:
            continue
        clock.warned = sorted([*clock.warned, threshold])
        _ledger(clock, Event.WARNING, now, f"{threshold}% of the target", elapsed)
        _record(ticket, clock, "warning", threshold=threshold, elapsed=elapsed)
        _notify_team(ticket, clock, "sla.warning", key=f"warn:{threshold}", threshold=threshold)
    breached = False
    if clock.breached_at is None and elapsed >= clock.target:
        clock.breached_at = clock.due_at or now
        clock.warned = sorted(set(clock.warned) | set(clock.warning_thresholds))
        _ledger(clock, Event.BREACH, clock.breached_at, "target passed", elapsed)
        _record(ticket, clock, "breach", elapsed=elapsed)
        _notify_manager(ticket, clock)
        breached = True
    _schedule(clock)
    clock.save()
    if breached:
        _escalate_on_breach(ticket, clock)
    return True


def _record(ticket: Ticket, clock: SlaClock, what: str, **data) -> None:
    events.event_sla(
        ticket,
        timezone.now(),
        metric=clock.metric,
        what=what,
        target_minutes=int(clock.target.total_seconds() // 60),
        elapsed_minutes=int(data.pop("elapsed").total_seconds() // 60),
        **data,
    )


def _team(ticket: Ticket) -> list:
    """Who works the ticket: its assignee and its group (the group's address, or its members)."""
    return [ticket.assignee, ticket.assignment_group]


def _notify(ticket: Ticket, clock: SlaClock, audience, topic: str, *, key: str, **context):
    notify(
        topic,
        ticket,
        audience,
        # The policy itself (when active) so that the email names it in each recipient's language.
        {"ticket": ticket, "clock": clock, "policy": clock_policy(clock), **context},
        dedup_key=f"sla:{clock.pk}:{key}",
    )


def _notify_team(ticket: Ticket, clock: SlaClock, topic: str, *, key: str, **context) -> None:
    _notify(ticket, clock, _team(ticket), topic, key=key, **context)


def _notify_manager(ticket: Ticket, clock: SlaClock) -> None:
    group = ticket.assignment_group
    manager = group.manager if group is not None else None
    _notify(ticket, clock, [manager, *_team(ticket)], "sla.breach", key="breach")


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
                ticket_services.ticket_escalate(
                    ticket=ticket, actor=None, to_group=group, reason=reason
                )
            else:
                ticket_services.ticket_assign(ticket=ticket, actor=None, group=group, reason=reason)
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
            ticket_services.ticket_close(
                ticket=ticket,
                actor=None,
                reason=f"closed automatically after "
                f"{settings.SERVICEDESK_AUTO_CLOSE_BUSINESS_DAYS} business days without an answer",
            )
            closed += 1
    return closed
