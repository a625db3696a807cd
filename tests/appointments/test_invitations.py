"""The invitation as a mail client receives it: iMIP (RFC 6047) in a multipart/alternative beside
the text body, the same calendar attached as invite.ics."""

import email
import email.policy
from datetime import timedelta

from icalendar import Calendar

from servicedesk.appointments import services
from servicedesk.appointments.invitations import CANCEL, REQUEST, session_calendar
from tests.appointments.conftest import START, T0


def _received(deliver_outbox, to: str):
    [sent] = [m for m in deliver_outbox() if m.to == [to]][-1:]
    return email.message_from_bytes(sent.message().as_bytes(), policy=email.policy.default)


def _structure(parsed):
    alternative, attached = parsed.get_payload()
    text, calendar = alternative.get_payload()
    return alternative, text, calendar, attached


def test_the_invitation_email_carries_the_calendar_as_mail_clients_expect(
    desk, propose, deliver_outbox
):
    session = propose()
    parsed = _received(deliver_outbox, desk.requester.email)

    assert parsed.get_content_type() == "multipart/mixed"
    alternative, text, calendar, attached = _structure(parsed)
    assert alternative.get_content_type() == "multipart/alternative"
    assert text.get_content_type() == "text/plain"
    assert session.ticket.number in text.get_content()
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content_charset() == "utf-8"
    assert attached.get_filename() == "invite.ics"
    for body in (calendar.get_content(), attached.get_content()):
        parsed_calendar = Calendar.from_ical(body)
        [event] = parsed_calendar.walk("VEVENT")
        assert parsed_calendar["METHOD"] == "REQUEST"
        assert str(event["UID"]) == session.uid
        assert event["SEQUENCE"] == 0


def test_the_cancellation_email_says_cancel_in_its_content_type_too(desk, propose, deliver_outbox):
    session = propose()
    deliver_outbox()
    services.session_cancel(session=session, actor=desk.l2_agent)
    parsed = _received(deliver_outbox, desk.requester.email)

    _alternative, _text, calendar, attached = _structure(parsed)
    assert calendar.get_param("method") == "CANCEL"
    [event] = Calendar.from_ical(attached.get_content()).walk("VEVENT")
    assert str(event["UID"]) == session.uid
    assert event["SEQUENCE"] == 1
    assert parsed["In-Reply-To"]


def test_the_calendar_is_in_utc_with_a_stamp(propose):
    session = propose(kind="phone", phone="+40 721 000 111", link="")
    for method in (REQUEST, CANCEL):
        text = session_calendar(session, method=method, now=T0)
        assert "DTSTART:20260303T100000Z" in text
        assert f"DTEND:{(START + timedelta(minutes=30)):%Y%m%dT%H%M%SZ}" in text
        assert "DTSTAMP:20260302T090000Z" in text
        assert "LOCATION:+40 721 000 111" in text
        assert f"METHOD:{method}" in text
