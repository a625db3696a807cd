"""The email channel's extra MIME parts: an alternative beside the text body, an attachment."""

import email
import email.policy

import pytest

from servicedesk.notifications.channels.email import email_of
from servicedesk.notifications.models import OutboxMessage
from servicedesk.notifications.services import Recipient, notify
from tests.tickets.factories import ticket_logged

CALENDAR = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:Apel – sesiune\r\nEND:VCALENDAR\r\n"
PARTS = [
    {"content_type": "text/calendar", "params": {"method": "REQUEST"}, "content": CALENDAR},
    {"content_type": "application/ics", "filename": "invite.ics", "content": CALENDAR},
]


@pytest.fixture
def ticket(desk):
    ticket = ticket_logged(requester=desk.requester, title="Printer on fire")
    OutboxMessage.objects.all().delete()
    return ticket


def _parsed(message: OutboxMessage):
    raw = email_of(message).message().as_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_parts_in_the_context_are_written_on_the_email_row_only(ticket):
    rows = notify(
        "ticket.logged",
        ticket,
        [Recipient("email", "ana@example.test"), Recipient("webhook", "1")],
        {"ticket": ticket, "parts": PARTS},
        dedup_key="parts",
    )
    by_channel = {row.channel: row for row in rows}
    assert by_channel["email"].parts == PARTS
    assert by_channel["webhook"].parts == []


def test_an_email_with_parts_has_the_calendar_beside_the_text_and_the_file_attached(ticket):
    [row] = notify(
        "ticket.logged",
        ticket,
        [Recipient("email", "ana@example.test")],
        {"ticket": ticket, "parts": PARTS},
        dedup_key="parts",
    )
    parsed = _parsed(row)

    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attached = parsed.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    text, calendar = alternative.get_payload()
    assert text.get_content_type() == "text/plain"
    assert "Printer on fire" in text.get_content()
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content_charset() == "utf-8"
    assert calendar.get_content().replace("\r\n", "\n") == CALENDAR.replace("\r\n", "\n")
    assert calendar["Content-Transfer-Encoding"] != "quoted-printable"
    assert attached.get_content_type() == "application/ics"
    assert attached.get_filename() == "invite.ics"
    assert attached.get_content_disposition() == "attachment"
    assert attached.get_content().decode() == CALENDAR


def test_an_email_without_parts_is_unchanged(ticket):
    [row] = notify(
        "ticket.logged",
        ticket,
        [Recipient("email", "ana@example.test")],
        {"ticket": ticket},
        dedup_key="plain",
    )
    parsed = _parsed(row)
    assert parsed.get_content_type() == "text/plain"
    assert not parsed.is_multipart()
