"""Every write to a ticket. One function per arrow of the lifecycle, each in one transaction.

Each checks the transition table and the actor's permission, writes one timeline event and
registers its side effects (outbox rows, delivered after commit). Callers pass the ticket they
read; the function locks and re-reads it, so concurrent writers queue instead of overwriting.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicedesk.accounts.models import Role, SupportGroup, User
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.catalog.models import Category, ConfigurationItem, DiagnosticQuestion, Service
from servicedesk.core.caches import DEFAULT_GROUP_KEY
from servicedesk.core.caches import TIMEOUT as CACHE_TIMEOUT
from servicedesk.core.errors import (
    NotPermitted,
    StaleVersion,
    TransitionNotAllowed,
    ValidationFailed,
)
from servicedesk.core.sequences import sequence_next
from servicedesk.notifications.services import email_enqueue
from servicedesk.sla.clocks import (
    clocks_on_first_response,
    clocks_on_priority_change,
    clocks_on_status_change,
    clocks_start,
)
from servicedesk.tickets import events
from servicedesk.tickets.models import (
    NUMBER_PREFIX,
    Attachment,
    Channel,
    DiagnosisAnswer,
    Kind,
    Ticket,
    TierStint,
)
from servicedesk.tickets.permissions import can_comment, can_edit, can_perform
from servicedesk.tickets.priority import Level, priority_for
from servicedesk.tickets.states import (
    OPEN_STATUSES,
    Action,
    CancelReason,
    HoldReason,
    Status,
    next_status,
)

NUMBER_START = 1001
EDITABLE_FIELDS = (
    "title",
    "description",
    "symptoms",
    "category",
    "service",
    "configuration_item",
    "impact",
    "urgency",
    "is_major",
)


class ResolutionCode:
    """Why a ticket could be resolved; the list the resolve form offers."""

    CHOICES = [
        ("solved_permanently", gettext_lazy("Solved (permanently)")),
        ("solved_workaround", gettext_lazy("Solved (workaround)")),
        ("solved_remotely", gettext_lazy("Solved remotely")),
        ("fulfilled", gettext_lazy("Request fulfilled")),
        ("no_fault_found", gettext_lazy("No fault found")),
        ("user_error", gettext_lazy("User error / training")),
        ("vendor_fix", gettext_lazy("Fixed by the vendor")),
    ]
    VALUES = {value for value, _label in CHOICES}


# ---------------------------------------------------------------------------------------------
# Logging


def ticket_number_next(kind: str) -> str:
    return f"{NUMBER_PREFIX[kind]}{sequence_next(f'ticket_{kind}', start=NUMBER_START):07d}"


@transaction.atomic
def ticket_log(
    *,
    actor: User,
    title: str,
    kind: str = Kind.INCIDENT,
    requester: User | None = None,
    description: str = "",
    symptoms: str = "",
    category: Category | None = None,
    service: Service | None = None,
    configuration_item: ConfigurationItem | None = None,
    impact: str = Level.MEDIUM,
    urgency: str = Level.MEDIUM,
    channel: str = Channel.PORTAL,
    reported_at: datetime | None = None,
    assignment_group: SupportGroup | None = None,
    parent: Ticket | None = None,
) -> Ticket:
    """Log a ticket: number it, snapshot the requester, compute priority, start its timeline."""
    now = timezone.now()
    requester = requester or actor
    staff = is_staff_member(actor)
    errors: dict[str, str] = {}
    if requester != actor and not staff:
        errors["requester"] = _("Only desk staff may log a ticket for someone else.")
    if not title or not title.strip():
        errors["title"] = _("A title is required.")
    if kind not in Kind.values:
        errors["kind"] = _("Must be one of: %s.") % ", ".join(Kind.values)
    if channel not in Channel.values:
        errors["channel"] = _("Must be one of: %s.") % ", ".join(Channel.values)
    errors |= _level_errors(impact=impact, urgency=urgency)
    errors |= _catalog_errors(category=category, service=service, ci=configuration_item)
    if reported_at is not None:
        if not staff:
            errors["reported_at"] = _("Only desk staff may set when a ticket was reported.")
        elif reported_at > now + timedelta(minutes=5):
            errors["reported_at"] = _("Cannot be in the future.")
    if assignment_group is not None and not assignment_group.is_active:
        errors["assignment_group"] = _("This group is not active.")
    if not staff:
        # A requester's ticket starts at the desk, and may not hang under someone else's.
        if assignment_group is not None:
            errors["assignment_group"] = _("Only desk staff may choose the support group.")
        if parent is not None:
            errors["parent"] = _("Only desk staff may link a ticket to another.")
    if errors:
        raise ValidationFailed(errors)

    group = assignment_group or _default_group(category=category, service=service)
    ticket = Ticket(
        number=ticket_number_next(kind),
        kind=kind,
        status=Status.NEW,
        requester=requester,
        requester_name=requester.display_name,
        requester_email=requester.email,
        requester_phone=requester.phone,
        channel=channel,
        logged_by=actor,
        title=title.strip(),
        description=description,
        symptoms=symptoms,
        category=category,
        service=service,
        configuration_item=configuration_item,
        impact=impact,
        urgency=urgency,
        priority=priority_for(impact, urgency),
        assignment_group=group,
        tier=group.tier if group else 1,
        parent=parent,
        reported_at=reported_at or now,
        created_at=now,
        updated_at=now,
    )
    ticket.save()
    if group is not None:
        TierStint.objects.create(ticket=ticket, group=group, tier=group.tier, started_at=now)
    events.event_created(ticket, actor, now)
    clocks_start(ticket=ticket, now=now)
    _notify_requester(ticket, "ticket_logged", key="logged", key_is_new=True)
    return ticket


def _default_group(*, category: Category | None, service: Service | None) -> SupportGroup | None:
    """New tickets go to L1 unless the category says otherwise: the service desk sees all first."""
    if category is not None and category.default_group_id:
        return category.default_group
    # In a tuple, so that "no L1 group" is cached too.
    (group,) = cache.get_or_set(
        DEFAULT_GROUP_KEY,
        lambda: (SupportGroup.objects.filter(tier=1, is_active=True).order_by("id").first(),),
        CACHE_TIMEOUT,
    )
    return group


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


# ---------------------------------------------------------------------------------------------
# Editing


def _lock(ticket: Ticket, *, expected_version: int | None = None) -> Ticket:
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion()
    return locked


def _save(ticket: Ticket, now: datetime, fields: list[str]) -> None:
    ticket.version += 1
    ticket.updated_at = now
    ticket.save(update_fields=[*fields, "version", "updated_at"])


def _require(actor: User | None, ticket: Ticket, action: str) -> None:
    """Refuse the action to an actor without the permission; None is the desk itself (sweeps)."""
    if actor is not None and not can_perform(actor, ticket, action):
        raise NotPermitted(
            _("You may not %(action)s this ticket.") % {"action": Action(action).label.lower()}
        )


def _transition(ticket: Ticket, actor: User, action: str, now: datetime, *, reason="") -> str:
    """Move `ticket` by `action` through the table and record it; returns the old status."""
    old = ticket.status
    ticket.status = next_status(old, action)
    if ticket.status != old:
        clocks_on_status_change(
            ticket=ticket, old=old, new=ticket.status, now=now, cause=_cause(action, reason)
        )
        events.event_status(
            ticket, actor, now, action=action, old=old, new=ticket.status, reason=reason
        )
    return old


def _cause(action: str, reason: str) -> str:
    return f"{action}: {reason}" if reason else str(action)


@transaction.atomic
def ticket_update(
    *, ticket: Ticket, actor: User, expected_version: int | None = None, reason: str = "", **changes
) -> Ticket:
    """Change editable fields; impact or urgency recompute the priority. One timeline row."""
    ticket = _lock(ticket, expected_version=expected_version)
    if not can_edit(actor, ticket):
        raise NotPermitted(_("You may not edit this ticket."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed({name: _("This field cannot be changed.") for name in unknown})
    if not ticket.is_open:
        raise TransitionNotAllowed(
            {"status": _("A ticket that is no longer open cannot be edited.")}
        )
    errors: dict[str, str] = {}
    if "title" in changes and not (changes["title"] or "").strip():
        errors["title"] = _("A title is required.")
    errors |= _level_errors(**{k: changes[k] for k in ("impact", "urgency") if k in changes})
    errors |= _catalog_errors(
        category=changes.get("category"),
        service=changes.get("service"),
        ci=changes.get("configuration_item"),
    )
    if errors:
        raise ValidationFailed(errors)

    now = timezone.now()
    recorded = []
    for field, value in changes.items():
        old = getattr(ticket, field)
        if old != value:
            recorded.append(events.change(field, old, value))
            setattr(ticket, field, value)
    new_priority = priority_for(ticket.impact, ticket.urgency)
    if new_priority != ticket.priority:
        recorded.append(events.change("priority", ticket.priority, new_priority))
        ticket.priority = new_priority
    if not recorded:
        return ticket
    _save(ticket, now, [c["field"] for c in recorded])
    events.event_changed(ticket, actor, now, recorded, reason=reason)
    if any(c["field"] == "priority" for c in recorded):
        clocks_on_priority_change(
            ticket=ticket, now=now, cause=f"priority P{ticket.priority} by {actor}"
        )
    return ticket


@transaction.atomic
def ticket_reclassify(*, ticket: Ticket, actor: User, kind: str, reason: str) -> Ticket:
    """Incident ⇄ service request, with a new number of the right prefix and a reason."""
    ticket = _lock(ticket)
    if not can_edit(actor, ticket):
        raise NotPermitted(_("You may not reclassify this ticket."))
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = _("Must be one of: %s.") % ", ".join(Kind.values)
    elif kind == ticket.kind:
        errors["kind"] = _("The ticket is already of this kind.")
    if not reason.strip():
        errors["reason"] = _("Say why the ticket is reclassified.")
    if not ticket.is_open:
        errors["status"] = _("Only open tickets can be reclassified.")
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    old_kind = ticket.kind
    ticket._previous_number = ticket.number
    ticket.kind = kind
    ticket.number = ticket_number_next(kind)
    _save(ticket, now, ["kind", "number"])
    events.event_reclassified(ticket, actor, now, old_kind=old_kind, new_kind=kind, reason=reason)
    return ticket


# ---------------------------------------------------------------------------------------------
# Assignment and escalation


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
    ticket = _lock(ticket)
    _require(actor, ticket, Action.ESCALATE)
    next_status(ticket.status, Action.ESCALATE)
    errors = _escalation_target_errors(ticket, to_group, reason, up=True)
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    from_group = ticket.assignment_group
    _transition(ticket, actor, Action.ESCALATE, now, reason=reason)
    _move_to_group(ticket, to_group, now)
    ticket.assignee = None
    ticket.escalation_count += 1
    _save(
        ticket,
        now,
        [
            "status",
            "assignment_group",
            "tier",
            "assignee",
            "reassignment_count",
            "escalation_count",
        ],
    )
    events.event_escalated(
        ticket, actor, now, from_group=from_group, to_group=to_group, reason=reason
    )
    return ticket


@transaction.atomic
def ticket_de_escalate(
    *, ticket: Ticket, actor: User, to_group: SupportGroup, reason: str
) -> Ticket:
    """Send the ticket back to a lower tier (e.g. the fix is known and L1 can apply it)."""
    ticket = _lock(ticket)
    _require(actor, ticket, Action.DE_ESCALATE)
    next_status(ticket.status, Action.DE_ESCALATE)
    errors = _escalation_target_errors(ticket, to_group, reason, up=False)
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    from_group = ticket.assignment_group
    _transition(ticket, actor, Action.DE_ESCALATE, now, reason=reason)
    _move_to_group(ticket, to_group, now)
    ticket.assignee = None
    _save(ticket, now, ["status", "assignment_group", "tier", "assignee", "reassignment_count"])
    events.event_de_escalated(
        ticket, actor, now, from_group=from_group, to_group=to_group, reason=reason
    )
    return ticket


@transaction.atomic
def ticket_escalate_to_manager(*, ticket: Ticket, actor: User, reason: str) -> Ticket:
    """Hierarchical escalation: flag the ticket and tell the group's manager."""
    ticket = _lock(ticket)
    if not can_edit(actor, ticket):
        raise NotPermitted(_("You may not escalate this ticket."))
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
        manager,
        "ticket_manager_escalation",
        key=f"manager:{ticket.version}",
        context={"actor": actor.display_name, "reason": reason},
    )
    return ticket


# ---------------------------------------------------------------------------------------------
# Hold, resolve, close, cancel


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
            ticket, "ticket_awaiting_caller", key=f"hold:{ticket.version}", context={"note": note}
        )
    return ticket


@transaction.atomic
def ticket_resume(*, ticket: Ticket, actor: User) -> Ticket:
    ticket = _lock(ticket)
    _require(actor, ticket, Action.RESUME)
    return _resume(ticket, actor, Action.RESUME, timezone.now())


def _resume(ticket: Ticket, actor: User, action: str, now: datetime) -> Ticket:
    _transition(ticket, actor, action, now)
    ticket.hold_reason = ""
    _save(ticket, now, ["status", "hold_reason"])
    return ticket


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
    if resolution_code not in ResolutionCode.VALUES:
        errors["resolution_code"] = _("Must be one of: %s.") % ", ".join(
            sorted(ResolutionCode.VALUES)
        )
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
    ticket.hold_reason = ""
    _save(
        ticket,
        now,
        [
            "status",
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
        "ticket_resolved",
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
    _notify_requester(ticket, "ticket_closed", key="closed")
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
    ticket.service_restored = None
    _save(ticket, now, ["status", "reopen_count", "resolved_at", "service_restored"])
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
    errors: dict[str, str] = {}
    if reason not in CancelReason.values:
        errors["reason"] = _("Must be one of: %s.") % ", ".join(CancelReason.values)
    elif not is_staff_member(actor) and reason != CancelReason.WITHDRAWN:
        errors["reason"] = _("A requester can only withdraw a ticket.")
    if reason == CancelReason.DUPLICATE:
        if duplicate_of is None:
            errors["duplicate_of"] = _("Name the ticket this one duplicates.")
        elif duplicate_of.pk == ticket.pk:
            errors["duplicate_of"] = _("A ticket cannot duplicate itself.")
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


def ticket_mark_duplicate(*, ticket: Ticket, actor: User, of: Ticket, note: str = "") -> Ticket:
    return ticket_cancel(
        ticket=ticket, actor=actor, reason=CancelReason.DUPLICATE, duplicate_of=of, note=note
    )


@transaction.atomic
def ticket_set_parent(*, ticket: Ticket, actor: User, parent: Ticket | None) -> Ticket:
    """Make `ticket` a child of `parent` (or detach it with None); resolving the parent resolves it."""
    ticket = _lock(ticket)
    if not can_edit(actor, ticket):
        raise NotPermitted(_("You may not link this ticket."))
    if parent is not None:
        # The caller's copy may be stale: judge the parent and its ancestors as they are now.
        parent = Ticket.objects.get(pk=parent.pk)
        ancestor, seen = parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if ancestor.pk == ticket.pk:
                raise ValidationFailed({"parent": _("A ticket cannot be its own ancestor.")})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent
        if not parent.is_open:
            raise ValidationFailed({"parent": _("The parent ticket is no longer open.")})
    now = timezone.now()
    old_parent = ticket.parent
    ticket.parent = parent
    _save(ticket, now, ["parent"])
    if parent is not None:
        events.event_linked(ticket, actor, now, relation="child_of", other=parent)
        events.event_linked(parent, actor, now, relation="parent_of", other=ticket)
    elif old_parent is not None:
        events.event_changed(ticket, actor, now, [events.change("parent", old_parent.number, None)])
    return ticket


# ---------------------------------------------------------------------------------------------
# Communication and diagnosis


@transaction.atomic
def ticket_comment(
    *,
    ticket: Ticket,
    actor: User,
    body: str,
    public: bool = True,
    files: list[UploadedFile] = (),
):
    """Add a public reply or an internal note, with attachments.

    A staff reply is the first response if none came before and is emailed to the requester;
    a requester's reply to a ticket awaiting them puts it back in progress.
    """
    ticket = _lock(ticket)
    if not can_comment(actor, ticket, public=public):
        raise NotPermitted(_("You may not add internal notes."))
    errors: dict[str, str] = {}
    if not (body or "").strip() and not files:
        errors["body"] = _("Write a message or attach a file.")
    errors |= _file_errors(files)
    if errors:
        raise ValidationFailed(errors)
    if not ticket.is_open and ticket.status != Status.RESOLVED:
        raise TransitionNotAllowed({"status": _("This ticket is closed; please log a new one.")})
    now = timezone.now()
    event = events.event_comment(ticket, actor, now, body=body.strip(), public=public)
    for upload in files:
        Attachment.objects.create(
            ticket=ticket,
            event=event,
            file=upload,
            original_name=upload.name[:255],
            content_type=(upload.content_type or "application/octet-stream")[:120],
            size=upload.size,
            uploaded_by=actor,
            is_public=public,
            created_at=now,
        )
    is_requester = actor.pk == ticket.requester_id
    fields: list[str] = []
    if (
        is_requester
        and ticket.status == Status.ON_HOLD
        and ticket.hold_reason == HoldReason.AWAITING_CALLER
    ):
        _resume(ticket, actor, Action.REQUESTER_REPLY, now)
        return event
    if public and not is_requester and is_staff_member(actor):
        fields += _mark_first_response(ticket, actor, now)
        _notify_requester(
            ticket,
            "ticket_reply",
            key=f"reply:{event.pk}",
            context={"body": body.strip(), "author": actor.display_name},
        )
    _save(ticket, now, fields)
    return event


def _mark_first_response(ticket: Ticket, actor: User, now: datetime) -> list[str]:
    if ticket.first_response_at is None and actor.pk != ticket.requester_id:
        ticket.first_response_at = now
        clocks_on_first_response(ticket=ticket, now=now, cause=f"first reply by {actor}")
        return ["first_response_at"]
    return []


def _file_errors(files) -> dict[str, str]:
    limit = settings.SERVICEDESK_MAX_ATTACHMENT_BYTES
    for upload in files:
        if upload.size > limit:
            return {
                "files": _("%(name)s is larger than the limit of %(mb)s MB.")
                % {"name": upload.name, "mb": limit // (1024 * 1024)}
            }
    return {}


@transaction.atomic
def ticket_diagnosis_record(*, ticket: Ticket, actor: User, answers: dict[int, str]) -> Ticket:
    """Record answers to the diagnostic questions of the ticket's category."""
    ticket = _lock(ticket)
    if not can_edit(actor, ticket):
        raise NotPermitted(_("You may not record a diagnosis on this ticket."))
    if ticket.category_id is None:
        raise ValidationFailed(
            {"category": _("Categorise the ticket before recording a diagnosis.")}
        )
    questions = {q.pk: q for q in DiagnosticQuestion.objects.filter(category_id=ticket.category_id)}
    errors: dict[str, str] = {}
    for question_id, answer in answers.items():
        question = questions.get(int(question_id)) if str(question_id).isdigit() else None
        if question is None:
            errors[f"answers.{question_id}"] = _("Not a question of this ticket's category.")
        elif (problem := question.answer_error(str(answer).strip())) is not None:
            errors[f"answers.{question_id}"] = problem
    if not answers:
        errors["answers"] = _("Give at least one answer.")
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    existing = {a.question_id: a for a in ticket.diagnosis.all()}
    recorded = []
    for question_id, answer in answers.items():
        question = questions[int(question_id)]
        answer = str(answer).strip()
        previous = existing.get(question.pk)
        if previous is not None and previous.answer == answer:
            continue
        DiagnosisAnswer.objects.update_or_create(
            ticket=ticket,
            question=question,
            defaults={
                "question_text": question.text,
                "answer": answer,
                "answered_by": actor,
                "answered_at": now,
            },
        )
        recorded.append(
            {"question": question.text, "from": previous.answer if previous else None, "to": answer}
        )
    if recorded:
        _save(ticket, now, [])
        events.event_diagnosis(ticket, actor, now, recorded)
    return ticket


# ---------------------------------------------------------------------------------------------
# Notifications


def _notify_requester(
    ticket: Ticket, template: str, *, key: str, context: dict | None = None, key_is_new=False
):
    _notify(
        ticket,
        ticket.requester,
        template,
        key=key,
        context=context,
        to=ticket.requester_email,
        key_is_new=key_is_new,
    )


def _notify(
    ticket: Ticket,
    person: User,
    template: str,
    *,
    key: str,
    context=None,
    to=None,
    key_is_new=False,
):
    message = email_enqueue(
        to=to or person.email,
        template=template,
        context={"ticket": ticket, **(context or {})},
        dedup_key=f"{ticket.pk}:{template}:{key}",
        language=person.language,
        ticket=ticket,
        key_is_new=key_is_new,
    )
    if message is not None:
        events.event_email(
            ticket,
            message.created_at,
            to=message.recipient,
            subject=message.subject,
            template=template,
        )


def requester_find_or_create(*, actor: User, name: str, email: str = "", phone: str = "") -> User:
    """Find a requester by email (or phone), or create one, for an agent logging a call."""
    if not is_staff_member(actor):
        raise NotPermitted(_("Only desk staff may create requesters."))
    email = email.strip().lower()
    errors = {}
    if not name.strip():
        errors["name"] = _("A name is required.")
    if not email and not phone.strip():
        errors["email"] = _("Give an email address or a phone number.")
    if errors:
        raise ValidationFailed(errors)
    person = None
    if email:
        person = User.objects.filter(email__iexact=email).first()
    if person is None and phone.strip():
        person = User.objects.filter(phone=phone.strip()).first()
    if person is not None:
        return person
    first, _sep, last = name.strip().partition(" ")
    base = (email.split("@")[0] if email else first.lower()) or "requester"
    username, n = base[:140], 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base[:140]}{n}"
    person = User(
        username=username,
        email=email,
        first_name=first,
        last_name=last,
        phone=phone.strip(),
        role=Role.REQUESTER,
    )
    person.set_unusable_password()
    person.save()
    return person
