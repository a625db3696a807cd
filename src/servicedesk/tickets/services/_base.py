"""What every ticket write shares: locking, saving, permission and transition checks,
and telling the people concerned."""

from datetime import datetime

from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.core.errors import (
    NotPermitted,
    StaleVersion,
)
from servicedesk.notifications.services import notify, person_recipient
from servicedesk.sla.causes import Cause, action_cause
from servicedesk.sla.clocks import (
    clocks_on_first_response,
    clocks_on_status_change,
)
from servicedesk.tickets import events
from servicedesk.tickets.models import (
    Ticket,
)
from servicedesk.tickets.permissions import can_perform
from servicedesk.tickets.priority import Level
from servicedesk.tickets.states import (
    Action,
    next_status,
)


def _level_errors(**levels: str) -> dict[str, str]:
    return {
        name: _("'%(value)s' is not one of: high, medium, low.") % {"value": value}
        for name, value in levels.items()
        if value not in Level.values
    }


def _catalog_errors(*, category, service, ci) -> dict[str, str]:
    errors = {}
    if category is not None and not category.is_active:
        errors["category"] = _("This category is no longer in use.")
    if service is not None and not service.is_active:
        errors["service"] = _("This service is no longer in use.")
    if ci is not None and not ci.is_active:
        errors["configuration_item"] = _("This configuration item is no longer in use.")
    return errors


def _lock(ticket: Ticket, *, expected_version: int | None = None) -> Ticket:
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion()
    return locked


def _save(ticket: Ticket, now: datetime, fields: list[str]) -> None:
    ticket.version += 1
    ticket.updated_at = now
    ticket.save(update_fields=[*fields, "version", "updated_at"])


def _require(actor: User | None, ticket: Ticket, action: str, message: str = "") -> None:
    """Refuse the action (a name of permissions.ACTION_POLICIES, as the registry spells it) to an
    actor without the permission; None is the desk itself (sweeps)."""
    if actor is not None and not can_perform(actor, ticket, action):
        label = Action(action).label.lower() if action in Action.values else action
        raise NotPermitted(message or _("You may not %(action)s this ticket.") % {"action": label})


def _transition(
    ticket: Ticket, actor: User, action: str, now: datetime, *, reason="", record=True
) -> str:
    """Move `ticket` by `action` through the table and record it; returns the old status.

    `record=False` when the caller's own timeline row tells the change (an escalation names
    its groups and the new status in one row, with its reason once)."""
    old = ticket.status
    ticket.status = next_status(old, action)
    if ticket.status != old:
        clocks_on_status_change(
            ticket=ticket, old=old, new=ticket.status, now=now, cause=action_cause(action, reason)
        )
        if record:
            events.event_status(
                ticket, actor, now, action=action, old=old, new=ticket.status, reason=reason
            )
    return old


def _resume(ticket: Ticket, actor: User, action: str, now: datetime) -> Ticket:
    _transition(ticket, actor, action, now)
    ticket.hold_reason = ""
    _save(ticket, now, ["status", "hold_reason"])
    return ticket


def _mark_first_response(ticket: Ticket, actor: User, now: datetime) -> list[str]:
    if ticket.first_response_at is None and actor.pk != ticket.requester_id:
        ticket.first_response_at = now
        clocks_on_first_response(
            ticket=ticket, now=now, cause=Cause("first_reply", {"person": str(actor)})
        )
        return ["first_response_at"]
    return []


# ---------------------------------------------------------------------------------------------
# Notifications


def _notify(ticket: Ticket, topic: str, audience, *, key: str, context=None, fresh=False):
    """Tell `audience` about the ticket through the notification seam, and note each email in
    the ticket's timeline (the communication history)."""
    messages = notify(
        topic,
        ticket,
        audience,
        {"ticket": ticket, **(context or {})},
        dedup_key=f"ticket:{ticket.pk}:{key}",
        fresh=fresh,
    )
    for message in messages:
        if message.channel == "email":
            events.event_email(
                ticket,
                message.created_at,
                to=message.destination,
                subject=message.title,
                topic=topic,
            )


def _notify_requester(ticket: Ticket, topic: str, *, key: str, context=None, fresh=False):
    """The requester, at the address they gave when the ticket was logged."""
    audience = person_recipient(ticket.requester, email=ticket.requester_email)
    _notify(ticket, topic, audience, key=key, context=context, fresh=fresh)
