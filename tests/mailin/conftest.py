from dataclasses import dataclass

import pytest

from servicedesk.mailin.selectors import mailbox_default
from servicedesk.notifications.models import OutboxMessage
from servicedesk.tickets import services
from servicedesk.tickets.models import Ticket


@dataclass
class Answered:
    """A ticket the desk has written to: what a reply's headers point at."""

    ticket: Ticket
    number: str
    message_id: str  # the agent's reply
    thread: str  # the ticket's thread root

    def values(self) -> dict:
        return {"number": self.number, "message_id": self.message_id, "thread": self.thread}


@pytest.fixture
def answered(desk) -> Answered:
    ticket = services.ticket_log(
        actor=desk.requester, title="Printer on floor 3 prints blank pages", channel="email"
    )
    services.ticket_comment(
        ticket=ticket, actor=desk.l1_agent, body="Please restart the printer.", public=True
    )
    reply = OutboxMessage.objects.about(ticket).get(topic="ticket.reply")
    return Answered(ticket, ticket.number, reply.message_id, reply.thread)


@pytest.fixture
def default_mailbox(db):
    return mailbox_default()
