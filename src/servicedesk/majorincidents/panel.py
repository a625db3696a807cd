"""The major incident's panel on the console's ticket page (registered with `tickets.panels`),
and how a major incident reads in a webhook's JSON and a chat message."""

from django.urls import reverse
from django.utils.translation import gettext as _

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.majorincidents import forms, selectors
from servicedesk.majorincidents.models import MajorIncident
from servicedesk.notifications.topics import Summary
from servicedesk.tickets.models import Kind


def ticket_panel_context(ticket, user) -> dict | None:
    """For desk staff: the bridge and roles of the ticket's major incident, or the form to
    declare one from an open incident."""
    if not is_staff_member(user):
        return None
    # Declaring marks the ticket major, so an ordinary ticket's page costs no query here.
    major = selectors.major_for_ticket(ticket=ticket) if ticket.is_major else None
    if major is not None:
        return {
            "ticket": ticket,
            "major": major,
            "roles": major.roles.filter(ended_at__isnull=True).select_related("person"),
        }
    if ticket.parent_id is not None and ticket.parent.is_major:
        parent = selectors.major_for_ticket(ticket=ticket.parent)
        if parent is not None:
            return {"ticket": ticket, "major": parent, "child": True}
    if not ticket.is_open or ticket.kind != Kind.INCIDENT:
        return None
    return {"ticket": ticket, "declare_form": forms.DeclareForm()}


def major_payload(major: MajorIncident) -> dict:
    return {
        "type": "major_incident",
        "id": major.pk,
        "ticket": major.ticket.number,
        "status": major.status,
        "bridge_phone": major.bridge_phone,
        "bridge_url": major.bridge_url,
    }


def major_summary(major: MajorIncident) -> Summary:
    return Summary(
        reference=major.ticket.number,
        title=_("Major incident: %(title)s") % {"title": major.ticket.title},
        path=reverse("desk-major", args=[major.pk]),
    )
