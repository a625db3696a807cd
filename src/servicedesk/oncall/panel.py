"""The on-call panel on the console's ticket page (registered with `tickets.panels`), and how a
page reads in a webhook's JSON."""

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.oncall import selectors
from servicedesk.oncall.models import Page


def ticket_panel_context(ticket, user) -> dict | None:
    """For desk staff, when paging ran or runs for the ticket: its escalations and pages."""
    if not is_staff_member(user):
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
