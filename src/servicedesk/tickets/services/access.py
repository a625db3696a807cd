"""Who may see a ticket beyond the usual rule: restricting a security incident or a personal-data
breach to one group and the people named on it, and opening it to the desk again.

The restriction is data on the ticket (`is_restricted`, `restricted_group`, `TicketAccess` rows);
`Ticket.visibility_rule` reads it, so every list, count, search, report and download follows.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import SupportGroup, User
from servicedesk.core.errors import NotPermitted, ValidationFailed
from servicedesk.core.visibility import is_visible
from servicedesk.tickets import events
from servicedesk.tickets.models import Ticket, TicketAccess
from servicedesk.tickets.permissions import can_restrict
from servicedesk.tickets.services._base import _lock, _save


@transaction.atomic
def ticket_restrict(
    *,
    ticket: Ticket,
    actor: User,
    group: SupportGroup | None,
    people: Iterable[User] = (),
    keep_requester: bool = True,
    reason: str,
) -> Ticket:
    """Let only `group` (its members and manager) and the listed people see the ticket.

    The actor is always listed, so they do not lock themselves out; the requester stays listed
    unless `keep_requester` is false (e.g. the requester is the suspect). Restricting a ticket
    that already is replaces its group and its list.
    """
    ticket = _lock(ticket)
    _require_restrict(actor, ticket)
    people = list(people)
    errors = {}
    if group is None:
        errors["group"] = _("Name the group that works this ticket.")
    elif not group.is_active:
        errors["group"] = _("This group is not active.")
    if any(not person.is_active for person in people):
        errors["people"] = _("Only active people can be given access.")
    if not reason or not reason.strip():
        errors["reason"] = _("Say why the ticket is restricted.")
    if errors:
        raise ValidationFailed(errors)

    now = timezone.now()
    listed = {person.pk: person for person in people}
    listed[actor.pk] = actor
    if keep_requester:
        listed[ticket.requester_id] = ticket.requester
    _access_replace(ticket, actor, listed.values(), now)
    ticket.is_restricted = True
    ticket.restricted_group = group
    _save(ticket, now, ["is_restricted", "restricted_group"])
    events.event_restricted(
        ticket,
        actor,
        now,
        restricted=True,
        group=group,
        people=sorted(person.username for person in listed.values()),
        reason=reason.strip(),
    )
    return ticket


@transaction.atomic
def ticket_unrestrict(*, ticket: Ticket, actor: User, reason: str) -> Ticket:
    """Open a restricted ticket to the desk again (its group and list are cleared)."""
    ticket = _lock(ticket)
    _require_restrict(actor, ticket)
    errors = {}
    if not ticket.is_restricted:
        errors["ticket"] = _("This ticket is not restricted.")
    if not reason or not reason.strip():
        errors["reason"] = _("Say why the restriction is lifted.")
    if errors:
        raise ValidationFailed(errors)

    now = timezone.now()
    _access_replace(ticket, actor, [], now)
    ticket.is_restricted = False
    ticket.restricted_group = None
    _save(ticket, now, ["is_restricted", "restricted_group"])
    events.event_restricted(
        ticket, actor, now, restricted=False, group=None, people=[], reason=reason.strip()
    )
    return ticket


def _require_restrict(actor: User, ticket: Ticket) -> None:
    # A restricted ticket the actor may not see is not theirs to change, admin or not.
    if not can_restrict(actor) or not is_visible(ticket, actor):
        raise NotPermitted(_("You may not change who can see this ticket."))


def _access_replace(ticket: Ticket, actor: User, people: Iterable[User], now: datetime) -> None:
    """The ticket's list of people becomes exactly `people` (used by intake as well)."""
    TicketAccess.objects.filter(ticket=ticket).delete()
    TicketAccess.objects.bulk_create(
        [
            TicketAccess(ticket=ticket, user=person, added_by=actor, added_at=now)
            for person in people
        ]
    )
