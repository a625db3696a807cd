"""Links between tickets: duplicates and parent/child."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.core.errors import (
    ValidationFailed,
)
from servicedesk.core.visibility import is_visible
from servicedesk.tickets import events
from servicedesk.tickets.models import (
    Ticket,
)
from servicedesk.tickets.services._base import (
    _lock,
    _require,
    _save,
)
from servicedesk.tickets.services.lifecycle import ticket_cancel
from servicedesk.tickets.states import (
    CancelReason,
)


def ticket_mark_duplicate(*, ticket: Ticket, actor: User, of: Ticket, note: str = "") -> Ticket:
    """Cancel as a duplicate of `of`: the desk's call, not the requester's (who may withdraw)."""
    _require(actor, ticket, "mark-duplicate", _("You may not mark this ticket as a duplicate."))
    return ticket_cancel(
        ticket=ticket, actor=actor, reason=CancelReason.DUPLICATE, duplicate_of=of, note=note
    )


@transaction.atomic
def ticket_set_parent(*, ticket: Ticket, actor: User, parent: Ticket | None) -> Ticket:
    """Make `ticket` a child of `parent` (or detach it with None); resolving the parent resolves it."""
    ticket = _lock(ticket)
    _require(actor, ticket, "set-parent", _("You may not link this ticket."))
    if parent is not None:
        # The caller's copy may be stale: judge the parent and its ancestors as they are now.
        parent = Ticket.objects.get(pk=parent.pk)
        if not is_visible(parent, actor):
            # Not a hint that a restricted ticket exists: the same words as a wrong number.
            raise ValidationFailed(
                {"parent": _("There is no ticket %(number)s.") % {"number": parent.number}}
            )
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
