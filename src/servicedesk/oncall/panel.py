"""The on-call panel on the console's ticket page (registered with `tickets.panels`), and how a
page reads in a webhook's JSON."""

from django.conf import settings

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.oncall import selectors
from servicedesk.oncall.models import Page
from servicedesk.tickets.models import Kind


def ticket_panel_context(ticket, user) -> dict | None:
    """For desk staff, when paging ran or runs for an incident at a paging tier: its
    escalations and pages (the timeline keeps the steps of one moved to another tier since)."""
    if (
        not is_staff_member(user)
        or ticket.kind != Kind.INCIDENT
        or ticket.tier not in settings.SERVICEDESK_ONCALL_PAGE_TIERS
    ):
        return None
    escalations = list(selectors.escalations_for_ticket(ticket=ticket).prefetch_related("pages"))
    if not escalations:
        return None
    return {"ticket": ticket, "escalations": escalations, "user": user}


def page_payload(page: Page) -> dict:
    ticket = page.ticket
    return {
        "type": "oncall.page",
        "id": page.pk,
        "ticket": ticket.number,
        "title": ticket.title,
        "priority": f"P{ticket.priority}",
        "person": page.person.username,
        "level": page.level + 1,
        "repeat": page.repeat,
        "expires_at": page.expires_at.isoformat(),
    }
