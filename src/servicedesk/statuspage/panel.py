"""The status page's panel on the console's ticket page (registered with `tickets.panels`), and
how a public incident reads in a webhook's JSON."""

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.statuspage import forms, selectors
from servicedesk.statuspage.models import PublicIncident
from servicedesk.tickets.models import Kind


def ticket_panel_context(ticket, user) -> dict | None:
    """For desk staff on an incident: publish it, or what is public and the next update."""
    if not is_staff_member(user) or ticket.kind != Kind.INCIDENT:
        return None
    incident = selectors.incident_for_ticket(ticket=ticket)
    if incident is None or incident.is_resolved:
        if not ticket.is_open and incident is None:
            return None
        return {
            "ticket": ticket,
            "incident": incident,
            "publish_form": forms.PublishForm.for_ticket(ticket),
        }
    return {
        "ticket": ticket,
        "incident": incident,
        "update_form": forms.UpdateForm(incident=incident),
    }


def incident_payload(incident: PublicIncident) -> dict:
    return {
        "type": "statuspage.incident",
        "id": incident.pk,
        "title": incident.title,
        "status": incident.status,
        "impact": incident.impact,
    }
