"""The sessions' panels on the console's and the portal's ticket pages (registered with
`tickets.panels`), and how a session reads in a webhook's JSON."""

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.appointments import forms, selectors
from servicedesk.appointments.models import Session
from servicedesk.appointments.states import PENDING, Status, allowed


def desk_panel_context(ticket, user) -> dict | None:
    """For desk staff: the ticket's sessions, their actions, and the form to propose one."""
    if not is_staff_member(user):
        return None
    sessions = selectors.sessions_for_ticket(ticket=ticket, user=user)
    if not sessions and not ticket.is_open:
        return None
    return {
        "ticket": ticket,
        "rows": [
            {
                "session": s,
                "can_move": allowed("reschedule", s.status),
                "can_record": allowed("outcome", s.status),
                "reschedule_form": forms.RescheduleForm(
                    prefix=f"s{s.pk}",
                    initial={"starts_at": s.starts_at, "duration": s.minutes},
                ),
                "outcome_form": forms.OutcomeForm(prefix=f"o{s.pk}"),
            }
            for s in sessions
        ],
        "propose_form": forms.ProposeForm(initial={"phone": ticket.requester_phone})
        if ticket.is_open
        else None,
    }


def portal_panel_context(ticket, user) -> dict | None:
    """For the requester: their sessions about this ticket, with the answer form while one
    may still be answered."""
    if is_staff_member(user):
        return None
    sessions = selectors.sessions_for_ticket(ticket=ticket, user=user)
    if not sessions:
        return None
    return {
        "ticket": ticket,
        "rows": [
            {
                "session": s,
                "can_answer": s.status in PENDING,
                "form": forms.RespondForm(prefix=f"r{s.pk}"),
                "is_over": s.status in (Status.CANCELLED, Status.HELD, Status.NO_SHOW),
            }
            for s in sessions
        ],
    }


def session_payload(session: Session) -> dict:
    return {
        "type": "appointments.session",
        "id": session.pk,
        "ticket": session.ticket.number,
        "kind": session.kind,
        "status": session.status,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "sequence": session.sequence,
    }
