"""What monitoring tells an incident: its alert changes, and an acknowledgement."""

from django.db import transaction
from django.utils import timezone

from servicedesk.accounts.models import User
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.tickets import events
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services._base import _lock, _mark_first_response, _save


@transaction.atomic
def ticket_monitoring_record(
    *,
    ticket: Ticket,
    actor: User,
    body: str,
    alerts: dict,
    acknowledged_by: User | None = None,
    page: bool = False,
) -> Ticket:
    """Note on the incident's timeline, in one internal row, what its alerts did (`alerts`: the
    summary the monitoring app keeps, e.g. {"opened": […], "repeats": 12}).

    An acknowledgement counts as the first response only when a person of the desk made it
    (`acknowledged_by`): a machine's acknowledgement (the monitor's own, or an automation's)
    tells nothing to the requester and stops no clock.

    `page`: the monitoring asks for the on-call to be paged for this incident, whatever its
    priority and tier (an integration set to page, on the incident it just opened). The row
    says so; whoever pages reads it there.
    """
    ticket = _lock(ticket)
    now = timezone.now()
    responder = acknowledged_by if acknowledged_by and is_staff_member(acknowledged_by) else None
    events.event_monitoring(
        ticket,
        actor,
        now,
        body=body,
        alerts=alerts,
        acknowledged_by=responder.username if responder else None,
        page=page or None,
    )
    fields = _mark_first_response(ticket, responder, now) if responder else []
    _save(ticket, now, fields)
    return ticket
