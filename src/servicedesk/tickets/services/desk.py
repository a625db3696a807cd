"""Writes the console and the portal compose from the other topic modules of this package.

They add no rule of their own: logging a phone call with its diagnosis in one transaction,
reporting a problem with its files, bulk actions (one service call per ticket, each in its own
transaction, so one refusal does not undo the others) and the console's saved views.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import SupportGroup, User
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.accounts.services import requester_find_or_create
from servicedesk.catalog.models import Category, Service
from servicedesk.core.errors import NotPermitted, ServiceError, ValidationFailed
from servicedesk.tickets import selectors
from servicedesk.tickets.models import Channel, Kind, SavedView, Ticket
from servicedesk.tickets.services.assignment import ticket_assign
from servicedesk.tickets.services.comments import ticket_comment
from servicedesk.tickets.services.editing import ticket_diagnosis_record, ticket_update
from servicedesk.tickets.services.intake import ticket_log


@transaction.atomic
def ticket_log_call(
    *,
    actor: User,
    title: str,
    requester: User | None = None,
    caller_name: str = "",
    caller_email: str = "",
    caller_phone: str = "",
    kind: str = Kind.INCIDENT,
    description: str = "",
    category: Category | None = None,
    service: Service | None = None,
    impact: str = "medium",
    urgency: str = "medium",
    assignment_group: SupportGroup | None = None,
    reported_at: datetime | None = None,
    answers: dict[int, str] | None = None,
) -> Ticket:
    """An agent logs a phone call: the caller (found or created), the ticket and the answers to
    the category's diagnostic questions, all or nothing."""
    if requester is None:
        if not (caller_name.strip() or caller_email.strip() or caller_phone.strip()):
            raise ValidationFailed({"requester": _("Choose the caller or enter their details.")})
        requester = requester_find_or_create(
            actor=actor, name=caller_name, email=caller_email, phone=caller_phone
        )
    ticket = ticket_log(
        actor=actor,
        requester=requester,
        title=title,
        kind=kind,
        description=description,
        category=category,
        service=service,
        impact=impact,
        urgency=urgency,
        channel=Channel.PHONE,
        reported_at=reported_at,
        assignment_group=assignment_group,
    )
    given = {int(k): str(v) for k, v in (answers or {}).items() if str(v).strip()}
    if given:
        try:
            ticket_diagnosis_record(ticket=ticket, actor=actor, answers=given)
        except NotPermitted:
            raise ValidationFailed(
                {
                    "assignment_group": _(
                        "You can record the answers only for one of your groups: log the call "
                        "to your group, then escalate it."
                    )
                }
            ) from None
    return ticket


@transaction.atomic
def ticket_report(
    *,
    actor: User,
    title: str,
    description: str = "",
    kind: str = Kind.INCIDENT,
    category: Category | None = None,
    files: list[UploadedFile] = (),
) -> Ticket:
    """A requester reports a problem or asks for a service in the portal, with optional files."""
    ticket = ticket_log(
        actor=actor,
        title=title,
        description=description,
        kind=kind,
        category=category,
        channel=Channel.PORTAL,
    )
    if files:
        ticket_comment(ticket=ticket, actor=actor, body="", public=True, files=files)
    return ticket


# ---------------------------------------------------------------------------------------------
# Bulk actions


class BulkAction:
    ASSIGN = "assign"
    PRIORITY = "priority"
    GROUP = "group"
    ALL = (ASSIGN, PRIORITY, GROUP)


@dataclass
class BulkOutcome:
    """What happened to one ticket of a bulk action: done, or the reasons it was refused."""

    number: str
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def tickets_bulk_apply(
    *,
    actor: User,
    numbers: list[str],
    action: str,
    assignee: User | None = None,
    group: SupportGroup | None = None,
    impact: str | None = None,
    urgency: str | None = None,
    reason: str = "",
) -> list[BulkOutcome]:
    """Apply one action to many tickets, each through its service and its own transaction.

    Returns one outcome per number asked for, in order; a refusal names the ticket and why.
    """
    if not is_staff_member(actor):
        raise NotPermitted(_("Only desk staff may change tickets in bulk."))
    errors = {}
    if action not in BulkAction.ALL:
        errors["action"] = _("Choose an action.")
    elif action == BulkAction.ASSIGN and assignee is None:
        errors["assignee"] = _("Choose the person to assign to.")
    elif action == BulkAction.GROUP and group is None:
        errors["group"] = _("Choose a support group.")
    elif action == BulkAction.PRIORITY and not (impact or urgency):
        errors["impact"] = _("Choose the impact, the urgency or both.")
    if not numbers:
        errors["tickets"] = _("Select at least one ticket.")
    if errors:
        raise ValidationFailed(errors)
    found = {t.number: t for t in selectors.ticket_numbers_visible(user=actor, numbers=numbers)}
    outcomes = []
    for number in dict.fromkeys(n.strip().upper() for n in numbers if n.strip()):
        outcome = BulkOutcome(number)
        ticket = found.get(number)
        if ticket is None:
            outcome.errors.append(_("No such ticket."))
            outcomes.append(outcome)
            continue
        try:
            _bulk_one(actor, ticket, action, assignee, group, impact, urgency, reason)
        except ServiceError as error:
            outcome.errors = [m for messages in error.errors.values() for m in messages]
        outcomes.append(outcome)
    return outcomes


def _bulk_one(actor, ticket, action, assignee, group, impact, urgency, reason) -> None:
    if action == BulkAction.ASSIGN:
        ticket_assign(ticket=ticket, actor=actor, assignee=assignee, reason=reason)
    elif action == BulkAction.GROUP:
        ticket_assign(ticket=ticket, actor=actor, group=group, reason=reason)
    else:
        changes = {k: v for k, v in (("impact", impact), ("urgency", urgency)) if v}
        ticket_update(ticket=ticket, actor=actor, reason=reason, **changes)


# ---------------------------------------------------------------------------------------------
# Saved views


def saved_view_save(*, user: User, name: str, query: str) -> SavedView:
    """Save the console's current queue, filters and sort under a name (replacing one so named)."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"name": _("Give the view a name.")})
    if len(name) > 80:
        raise ValidationFailed({"name": _("Use at most 80 characters.")})
    if len(query) > 1000:
        raise ValidationFailed({"query": _("This view has too many filters to save.")})
    view, _created = SavedView.objects.update_or_create(
        user=user, name=name, defaults={"query": query, "created_at": timezone.now()}
    )
    return view


def saved_view_delete(*, user: User, view_id: int) -> None:
    SavedView.objects.filter(user=user, pk=view_id).delete()
