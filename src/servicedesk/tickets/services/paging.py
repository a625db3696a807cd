"""What paging tells an incident: a person on call acknowledged it."""

from django.db import transaction
from django.utils import timezone

from servicedesk.accounts.models import User
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.tickets import events
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services._base import _lock, _mark_first_response, _save


@transaction.atomic
def ticket_page_acknowledge(*, ticket: Ticket, person: User, via: str, **data) -> Ticket:
    """Record on the timeline that `person` acknowledged a page about the incident (`via`: the
    link, the console, the API), which counts as its first response when they are desk staff
    and it had none yet."""
    ticket = _lock(ticket)
    now = timezone.now()
    events.event_paging(ticket, person, now, step="acknowledged", via=via, **data)
    fields = _mark_first_response(ticket, person, now) if is_staff_member(person) else []
    _save(ticket, now, fields)
    return ticket
