"""SLA warnings and breaches: what one check of a due clock fires.

`sla_clock_check` runs inside the transaction of the due-work sweep (`core/due.py`), which has
claimed the clock with SKIP LOCKED and re-checked that it is due; what was sent is recorded on
the clock (`warned`, `breached_at`) in the same transaction as the outbox rows, whose dedup keys
make a repeated send impossible. The check reports what fired (`SlaCheck`); the escalation a
breach asks for and auto-close live above it, in `tickets.services.service_levels`.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from servicedesk.notifications.services import notify
from servicedesk.sla.causes import Cause
from servicedesk.sla.clocks import (
    State,
    _ledger,
    _schedule,
    clock_elapsed,
    clock_policy,
)
from servicedesk.sla.models import SlaClock, SlaLedgerEntry
from servicedesk.tickets import events
from servicedesk.tickets.models import Ticket

Event = SlaLedgerEntry.Event


@dataclass(frozen=True)
class SlaCheck:
    """What one check of a clock fired: the warning thresholds sent, and whether it breached."""

    warnings: tuple[int, ...] = ()
    breached: bool = False


def sla_clock_check(*, clock: SlaClock, now: datetime) -> SlaCheck:
    """Send the warnings and the breach that have come due for one clock, once each.

    Call it inside the transaction that holds the clock's row lock (the due-work sweep's), with
    its calendar and its ticket (with assignment group and assignee) loaded. It records the
    ledger lines, timeline events and notifications of what fired, and sets `next_check_at` to
    the clock's next warning or breach, or None.
    """
    if clock.state != State.RUNNING:
        # Only a running clock has checks; a stale next_check_at must not bring it back.
        clock.next_check_at = None
        clock.save(update_fields=["next_check_at"])
        return SlaCheck()
    ticket = clock.ticket
    elapsed = clock_elapsed(clock, now)
    warnings = []
    for threshold in clock.warning_thresholds:
        mark = clock.target * threshold / 100
        if threshold in clock.warned or elapsed < mark or elapsed > clock.target:
            continue
        clock.warned = sorted([*clock.warned, threshold])
        _ledger(clock, Event.WARNING, now, Cause("warning", {"threshold": threshold}), elapsed)
        _record(ticket, clock, "warning", threshold=threshold, elapsed=elapsed)
        _notify_team(ticket, clock, "sla.warning", key=f"warn:{threshold}", threshold=threshold)
        warnings.append(threshold)
    breached = False
    # Met at exactly the target, breached once past it: the rule of clocks.target_passed_at.
    if clock.breached_at is None and elapsed > clock.target:
        clock.breached_at = clock.due_at or now
        clock.warned = sorted(set(clock.warned) | set(clock.warning_thresholds))
        _ledger(clock, Event.BREACH, clock.breached_at, Cause("target_passed"), elapsed)
        _record(ticket, clock, "breach", elapsed=elapsed)
        _notify_manager(ticket, clock)
        breached = True
    _schedule(clock)
    clock.save()
    return SlaCheck(warnings=tuple(warnings), breached=breached)


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
