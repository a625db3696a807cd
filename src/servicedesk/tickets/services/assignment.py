"""Who works a ticket: assignment, starting work, functional and hierarchical escalation."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import SupportGroup, User
from servicedesk.core.errors import (
    ValidationFailed,
)
from servicedesk.tickets import events
from servicedesk.tickets.models import (
    Ticket,
    TierStint,
)
from servicedesk.tickets.services._base import (
    _lock,
    _notify,
    _require,
    _save,
    _transition,
)
from servicedesk.tickets.states import (
    Action,
    next_status,
)


def _move_to_group(ticket: Ticket, group: SupportGroup, now: datetime) -> None:
    """Close the current tier stint and open one with `group`; counts as a reassignment."""
    if ticket.assignment_group_id == group.pk:
        return
    TierStint.objects.filter(ticket=ticket, ended_at__isnull=True).update(ended_at=now)
    TierStint.objects.create(ticket=ticket, group=group, tier=group.tier, started_at=now)
    if ticket.assignment_group_id is not None:
        ticket.reassignment_count += 1
    ticket.assignment_group = group
    ticket.tier = group.tier


def _assignee_errors(group: SupportGroup | None, assignee: User | None) -> dict[str, str]:
    if assignee is None:
        return {}
    if not assignee.is_active or not assignee.is_desk_staff:
        return {"assignee": _("Tickets can be assigned only to active desk staff.")}
    if group is not None and not group.members.filter(pk=assignee.pk).exists():
        return {
            "assignee": _("%(person)s is not a member of %(group)s.")
            % {"person": assignee, "group": group.name}
        }
    return {}


@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    actor: User,
    group: SupportGroup | None = None,
    assignee: User | None = None,
    reason: str = "",
) -> Ticket:
    """Give the ticket to a group at the same tier and/or a person of its group."""
    ticket = _lock(ticket)
    _require(actor, ticket, Action.ASSIGN)
    group = group or ticket.assignment_group
    errors: dict[str, str] = {}
    if group is None:
        errors["group"] = _("Choose a support group.")
    elif (
        group.pk != ticket.assignment_group_id
        and ticket.assignment_group_id is not None
        and group.tier != ticket.tier
    ):
        errors["group"] = _("That group is at another tier: escalate or de-escalate instead.")
    if group is not None and not group.is_active:
        errors["group"] = _("This group is not active.")
    errors |= _assignee_errors(group, assignee)
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    old_group, old_assignee = ticket.assignment_group, ticket.assignee
    old_status = _transition(ticket, actor, Action.ASSIGN, now, reason=reason)
    _move_to_group(ticket, group, now)
    ticket.assignee = assignee
    if assignee is not None and ticket.assigned_at is None:
        ticket.assigned_at = now
    changes = [
        c
        for c in (
            events.change("assignment_group", old_group, group),
            events.change("assignee", old_assignee, assignee),
        )
        if c["from"] != c["to"]
    ]
    if not changes and old_status == ticket.status:
        raise ValidationFailed({"assignee": _("The ticket is already assigned so.")})
    _save(
        ticket,
        now,
        ["status", "assignment_group", "tier", "assignee", "assigned_at", "reassignment_count"],
    )
    if changes:
        events.event_assigned(ticket, actor, now, changes, reason=reason)
    return ticket


@transaction.atomic
def ticket_start(*, ticket: Ticket, actor: User) -> Ticket:
    """The assignee begins work; an unassigned ticket is taken by whoever starts it."""
    ticket = _lock(ticket)
    _require(actor, ticket, Action.START)
    now = timezone.now()
    _transition(ticket, actor, Action.START, now)
    if ticket.assignee_id is None:
        ticket.assignee = actor
        ticket.assigned_at = ticket.assigned_at or now
    _save(ticket, now, ["status", "assignee", "assigned_at"])
    return ticket


def _escalation_target_errors(
    ticket: Ticket, to_group: SupportGroup | None, reason: str, *, up: bool
):
    errors: dict[str, str] = {}
    if to_group is None or not to_group.is_active:
        errors["to_group"] = _("Choose an active support group.")
    elif up and to_group.tier <= ticket.tier:
        errors["to_group"] = _("Escalation goes to a group of a higher tier than L%(tier)s.") % {
            "tier": ticket.tier
        }
    elif up and to_group.tier > ticket.tier + 1 and ticket.priority > 2:
        errors["to_group"] = _("Only critical tickets (P1, P2) may skip a tier.")
    elif not up and to_group.tier >= ticket.tier:
        errors["to_group"] = _("De-escalation goes to a group of a lower tier than L%(tier)s.") % {
            "tier": ticket.tier
        }
    if not reason or not reason.strip():
        errors["reason"] = _("A reason is required.")
    return errors


@transaction.atomic
def ticket_escalate(*, ticket: Ticket, actor: User, to_group: SupportGroup, reason: str) -> Ticket:
    """Functional escalation: to a group of a higher tier (L1→L2→L3; P1/P2 may go straight to L3)."""
    return _tier_move(ticket, actor, to_group, reason, up=True)


@transaction.atomic
def ticket_de_escalate(
    *, ticket: Ticket, actor: User, to_group: SupportGroup, reason: str
) -> Ticket:
    """Send the ticket back to a lower tier (e.g. the fix is known and L1 can apply it)."""
    return _tier_move(ticket, actor, to_group, reason, up=False)


def _tier_move(ticket: Ticket, actor: User, to_group: SupportGroup, reason: str, *, up: bool):
    """Move the ticket to a group of another tier; it waits there, New, for someone to take it."""
    action = Action.ESCALATE if up else Action.DE_ESCALATE
    ticket = _lock(ticket)
    _require(actor, ticket, "escalate" if up else "de-escalate")
    next_status(ticket.status, action)
    errors = _escalation_target_errors(ticket, to_group, reason, up=up)
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    from_group = ticket.assignment_group
    old_status = _transition(ticket, actor, action, now, reason=reason, record=False)
    _move_to_group(ticket, to_group, now)
    ticket.assignee = None
    ticket.escalation_count += up
    fields = ["status", "assignment_group", "tier", "assignee", "reassignment_count"]
    _save(ticket, now, [*fields, "escalation_count"] if up else fields)
    write = events.event_escalated if up else events.event_de_escalated
    write(
        ticket,
        actor,
        now,
        from_group=from_group,
        to_group=to_group,
        reason=reason,
        old_status=old_status,
    )
    return ticket


@transaction.atomic
def ticket_escalate_to_manager(*, ticket: Ticket, actor: User, reason: str) -> Ticket:
    """Hierarchical escalation: flag the ticket and tell the group's manager."""
    ticket = _lock(ticket)
    _require(actor, ticket, "escalate-to-manager", _("You may not escalate this ticket."))
    errors = {}
    if not reason or not reason.strip():
        errors["reason"] = _("A reason is required.")
    group = ticket.assignment_group
    if group is None or group.manager_id is None:
        errors["assignment_group"] = _("The ticket's group has no manager to escalate to.")
    if not ticket.is_open:
        errors["status"] = _("Only open tickets can be escalated.")
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    ticket.manager_escalated_at = now
    _save(ticket, now, ["manager_escalated_at"])
    manager = group.manager
    events.event_manager_escalated(ticket, actor, now, manager=manager, reason=reason)
    _notify(
        ticket,
        "ticket.manager_escalation",
        [manager],
        key=f"manager:{ticket.version}",
        context={"actor": actor.display_name, "reason": reason},
    )
    return ticket
