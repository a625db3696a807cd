"""Hold, resume, resolve, confirm, close, reopen and cancel."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.core.errors import (
    NotPermitted,
    ValidationFailed,
)
from servicedesk.core.visibility import is_visible
from servicedesk.tickets import events
from servicedesk.tickets.models import (
    Kind,
    Ticket,
    TierStint,
)
from servicedesk.tickets.services._base import (
    _lock,
    _mark_first_response,
    _notify_requester,
    _require,
    _resume,
    _save,
    _transition,
)
from servicedesk.tickets.states import (
    OPEN_STATUSES,
    Action,
    CancelReason,
    HoldReason,
    ResolutionCode,
    next_status,
)


@transaction.atomic
def ticket_hold(*, ticket: Ticket, actor: User, reason: str, note: str = "") -> Ticket:
    """Pause work awaiting the caller, a vendor or a change; the requester is told when it is them."""
    ticket = _lock(ticket)
    _require(actor, ticket, Action.HOLD)
    next_status(ticket.status, Action.HOLD)
    if reason not in HoldReason.values:
        raise ValidationFailed({"reason": _("Must be one of: %s.") % ", ".join(HoldReason.values)})
    now = timezone.now()
    # A note to the caller is a response, given before the wait begins.
    first_response = _mark_first_response(ticket, actor, now) if note.strip() else []
    ticket.hold_reason = reason  # before the transition: the SLA clocks pause by reason
    _transition(ticket, actor, Action.HOLD, now, reason=reason)
    _save(ticket, now, ["status", "hold_reason", *first_response])
    if note.strip():
        events.event_comment(ticket, actor, now, body=note, public=True)
    if reason == HoldReason.AWAITING_CALLER:
        _notify_requester(
            ticket, "ticket.awaiting_caller", key=f"hold:{ticket.version}", context={"note": note}
        )
    return ticket


@transaction.atomic
def ticket_resume(*, ticket: Ticket, actor: User) -> Ticket:
    ticket = _lock(ticket)
    _require(actor, ticket, Action.RESUME)
    return _resume(ticket, actor, Action.RESUME, timezone.now())


@transaction.atomic
def ticket_resolve(
    *,
    ticket: Ticket,
    actor: User,
    resolution_code: str,
    resolution_notes: str,
    service_restored: bool | None = None,
) -> Ticket:
    """Resolve; an incident needs a code, notes and confirmation that the service is restored.

    Resolving a parent resolves its open children with the same resolution.
    """
    ticket = _lock(ticket)
    _require(actor, ticket, Action.RESOLVE)
    next_status(ticket.status, Action.RESOLVE)
    errors: dict[str, str] = {}
    allowed = [code for code, _label in ResolutionCode.for_kind(ticket.kind)]
    if resolution_code not in allowed:
        errors["resolution_code"] = _("Must be one of: %s.") % ", ".join(allowed)
    if not (resolution_notes or "").strip():
        errors["resolution_notes"] = _("Describe what was done to resolve the ticket.")
    if ticket.kind == Kind.INCIDENT and service_restored is not True:
        errors["service_restored"] = _("Confirm that the service is restored before resolving.")
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    _resolve(ticket, actor, now, resolution_code, resolution_notes.strip(), service_restored)
    for child in (
        ticket.children.select_for_update().filter(status__in=OPEN_STATUSES).order_by("id")
    ):
        # The parent's fix is the children's fix, whichever group holds them.
        notes = _("Resolved with parent %(number)s: %(notes)s") % {
            "number": ticket.number,
            "notes": ticket.resolution_notes,
        }
        restored = True if child.kind == Kind.INCIDENT else service_restored
        _resolve(child, actor, now, resolution_code, notes, restored)
    return ticket


def _resolve(ticket, actor, now, resolution_code, resolution_notes, service_restored) -> None:
    _transition(ticket, actor, Action.RESOLVE, now, reason=resolution_code)
    ticket.resolution_code = resolution_code
    ticket.resolution_notes = resolution_notes
    ticket.service_restored = service_restored
    ticket.resolved_at = now
    ticket.resolved_by = actor
    ticket.hold_reason = ""
    _save(
        ticket,
        now,
        [
            "status",
            "resolved_by",
            "resolution_code",
            "resolution_notes",
            "service_restored",
            "resolved_at",
            "hold_reason",
        ],
    )
    TierStint.objects.filter(ticket=ticket, ended_at__isnull=True).update(ended_at=now)
    _notify_requester(
        ticket,
        "ticket.resolved",
        key=f"resolved:{ticket.version}",
        context={"reopen_days": settings.SERVICEDESK_REOPEN_WINDOW_DAYS},
    )


def reopen_deadline(ticket: Ticket) -> datetime | None:
    if ticket.resolved_at is None:
        return None
    return ticket.resolved_at + timedelta(days=settings.SERVICEDESK_REOPEN_WINDOW_DAYS)


@transaction.atomic
def ticket_confirm(*, ticket: Ticket, actor: User) -> Ticket:
    """The requester confirms the fix: the ticket closes."""
    ticket = _lock(ticket)
    _require(actor, ticket, Action.CONFIRM)
    return _close(ticket, actor, Action.CONFIRM, timezone.now())


@transaction.atomic
def ticket_close(*, ticket: Ticket, actor: User | None, reason: str = "") -> Ticket:
    """Close a resolved ticket (staff, or the auto-close job with actor=None)."""
    ticket = _lock(ticket)
    if actor is not None:
        _require(actor, ticket, Action.CLOSE)
    return _close(ticket, actor, Action.CLOSE, timezone.now(), reason=reason)


def _close(
    ticket: Ticket, actor: User | None, action: str, now: datetime, reason: str = ""
) -> Ticket:
    _transition(ticket, actor, action, now, reason=reason)
    ticket.closed_at = now
    _save(ticket, now, ["status", "closed_at"])
    _notify_requester(ticket, "ticket.closed", key="closed")
    return ticket


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, actor: User, reason: str) -> Ticket:
    """The fix did not hold: back to in progress, counted as a reopen, with the requester's reason."""
    ticket = _lock(ticket)
    _require(actor, ticket, Action.REOPEN)
    next_status(ticket.status, Action.REOPEN)
    now = timezone.now()
    errors = {}
    if not reason or not reason.strip():
        errors["reason"] = _("Say why the ticket is not resolved.")
    if not is_staff_member(actor) and now > reopen_deadline(ticket):
        errors["status"] = _("The time to reopen this ticket has passed; please report a new one.")
    if errors:
        raise ValidationFailed(errors)
    _transition(ticket, actor, Action.REOPEN, now, reason=reason)
    ticket.reopen_count += 1
    ticket.resolved_at = None
    ticket.resolved_by = None
    ticket.service_restored = None
    _save(ticket, now, ["status", "reopen_count", "resolved_at", "resolved_by", "service_restored"])
    if ticket.assignment_group_id:
        TierStint.objects.create(
            ticket=ticket, group=ticket.assignment_group, tier=ticket.tier, started_at=now
        )
    events.event_comment(ticket, actor, now, body=reason, public=True)
    return ticket


@transaction.atomic
def ticket_cancel(
    *, ticket: Ticket, actor: User, reason: str, note: str = "", duplicate_of: Ticket | None = None
) -> Ticket:
    """Cancel an open ticket as a duplicate, not an incident, or withdrawn by its requester."""
    ticket = _lock(ticket)
    _require(actor, ticket, Action.CANCEL)
    next_status(ticket.status, Action.CANCEL)
    # A requester speaks only for themselves: they may withdraw, not judge the ticket.
    withdrawn_only = not is_staff_member(actor) and reason in CancelReason.values
    if withdrawn_only and reason != CancelReason.WITHDRAWN:
        raise NotPermitted({"reason": _("A requester can only withdraw a ticket.")})
    errors: dict[str, str] = {}
    if reason not in CancelReason.values:
        errors["reason"] = _("Must be one of: %s.") % ", ".join(CancelReason.values)
    if reason == CancelReason.DUPLICATE:
        if duplicate_of is None:
            errors["duplicate_of"] = _("Name the ticket this one duplicates.")
        elif duplicate_of.pk == ticket.pk:
            errors["duplicate_of"] = _("A ticket cannot duplicate itself.")
        elif actor is not None and not is_visible(duplicate_of, actor):
            # Not a hint that a restricted ticket exists: the same words as a wrong number.
            errors["duplicate_of"] = _("There is no ticket %(number)s.") % {
                "number": duplicate_of.number
            }
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    _transition(ticket, actor, Action.CANCEL, now, reason=reason)
    ticket.cancel_reason = reason
    ticket.cancelled_at = now
    ticket.hold_reason = ""
    ticket.duplicate_of = duplicate_of if reason == CancelReason.DUPLICATE else None
    _save(ticket, now, ["status", "cancel_reason", "cancelled_at", "hold_reason", "duplicate_of"])
    TierStint.objects.filter(ticket=ticket, ended_at__isnull=True).update(ended_at=now)
    if ticket.duplicate_of is not None:
        events.event_linked(ticket, actor, now, relation="duplicate_of", other=ticket.duplicate_of)
    if note.strip():
        events.event_comment(ticket, actor, now, body=note, public=True)
    return ticket
