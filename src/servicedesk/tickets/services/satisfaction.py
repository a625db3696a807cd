"""The requester's rating of how their ticket was handled: once, after it closed."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.core.errors import ValidationFailed
from servicedesk.tickets import events
from servicedesk.tickets.models import Satisfaction, Ticket
from servicedesk.tickets.services._base import _lock, _require
from servicedesk.tickets.states import Status


def ticket_rate(*, ticket: Ticket, actor: User, rating: int, comment: str = "") -> Ticket:
    """Record the requester's rating (1–5) and optional comment; a ticket is rated once."""
    with transaction.atomic():
        ticket = _lock(ticket)
        _require(actor, ticket, "rate", _("Only the requester rates their ticket."))
        if ticket.status != Status.CLOSED:
            raise ValidationFailed({"status": _("A ticket is rated once it is closed.")})
        errors = {}
        if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
            errors["rating"] = _("Give a whole number from 1 to 5.")
        if Satisfaction.objects.filter(ticket=ticket).exists():
            errors["rating"] = _("This ticket was already rated.")
        if errors:
            raise ValidationFailed(errors)
        now = timezone.now()
        Satisfaction.objects.create(
            ticket=ticket, rating=rating, comment=comment.strip(), rated_by=actor, rated_at=now
        )
        events.event_rated(ticket, actor, now, rating=rating, comment=comment.strip())
        return ticket
