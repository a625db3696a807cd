from datetime import timedelta

import pytest
from icalendar import Calendar

from servicedesk.appointments import services
from servicedesk.appointments.models import Session
from servicedesk.core.due import due_sweep
from servicedesk.core.errors import NotPermitted, TransitionNotAllowed, ValidationFailed
from servicedesk.notifications.models import OutboxMessage
from servicedesk.tickets.models import TicketEvent
from tests.appointments.conftest import START


def _calendar(message: OutboxMessage):
    [part] = [p for p in message.parts if not p.get("filename")]
    calendar = Calendar.from_ical(part["content"])
    [event] = calendar.walk("VEVENT")
    return part, calendar, event


def _invitations(session):
    return list(
        OutboxMessage.objects.about(session)
        .filter(topic__startswith="appointments.")
        .exclude(topic__in=["appointments.response", "appointments.reminder"])
        .order_by("id")
    )


def test_a_proposal_sends_the_requester_an_invitation_to_the_calendar(desk, propose):
    session = propose()

    [message] = _invitations(session)
    assert message.destination == desk.requester.email
    part, calendar, event = _calendar(message)
    assert part["params"] == {"method": "REQUEST"}
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == session.uid
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + timedelta(minutes=30)
    assert str(event["LOCATION"]) == "https://meet.example.test/abc-defg"
    assert "VPN" in str(event["SUMMARY"])
    assert "VPN client's log" in str(event["DESCRIPTION"])
    assert str(event["ORGANIZER"]) == f"mailto:{desk.l2_agent.email}"
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{desk.requester.email}"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "TRUE"
    assert "DTSTAMP" in event
    assert session.next_check_at == START - timedelta(minutes=30)
    # The email shows the time in the requester's zone and in the agent's.
    assert "America/New_York" in message.body and "Europe/Bucharest" in message.body


def test_a_reschedule_keeps_the_uid_and_raises_the_sequence(desk, propose):
    session = propose()
    services.session_respond(session=session, actor=desk.requester, answer="accept")
    later = START + timedelta(hours=3)

    services.session_reschedule(
        session=session, actor=desk.l2_agent, starts_at=later, ends_at=later + timedelta(hours=1)
    )

    first, second = _invitations(session)
    _, calendar, event = _calendar(second)
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == session.uid
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == later
    # The new time must be answered again.
    assert event["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    # The same thread in the mail client: the first invitation is its root.
    assert second.thread == first.message_id
    session.refresh_from_db()
    assert session.status == "proposed"
    assert session.next_check_at == later - timedelta(minutes=30)
    moved = TicketEvent.objects.filter(ticket=session.ticket, type="session").last()
    assert moved.data["what"] == services.MOVED
    assert moved.data["previous_starts_at"] == START.isoformat()


def test_a_cancellation_sends_method_cancel_with_the_next_sequence(desk, propose):
    session = propose()
    services.session_reschedule(
        session=session,
        actor=desk.l2_agent,
        starts_at=START + timedelta(hours=1),
        ends_at=START + timedelta(hours=2),
    )

    services.session_cancel(session=session, actor=desk.l2_agent, reason="Solved by email")

    cancel = _invitations(session)[-1]
    assert cancel.topic == "appointments.cancelled"
    part, calendar, event = _calendar(cancel)
    assert part["params"] == {"method": "CANCEL"}
    assert calendar["METHOD"] == "CANCEL"
    assert str(event["UID"]) == session.uid
    assert event["SEQUENCE"] == 2
    assert str(event["STATUS"]) == "CANCELLED"
    session.refresh_from_db()
    assert session.status == "cancelled" and session.next_check_at is None
    row = TicketEvent.objects.filter(ticket=session.ticket, type="session").last()
    assert row.data["what"] == services.CANCELLED and row.data["reason"] == "Solved by email"


def test_the_requester_accepts_and_the_agent_is_told(desk, propose):
    session = propose()

    services.session_respond(session=session, actor=desk.requester, answer="accept")

    session.refresh_from_db()
    assert session.status == "accepted"
    [told] = OutboxMessage.objects.about(session).filter(topic="appointments.response")
    assert told.destination == desk.l2_agent.email
    row = TicketEvent.objects.filter(ticket=session.ticket, type="session").last()
    assert row.data["what"] == services.ACCEPTED and row.actor == desk.requester


def test_asking_for_another_time_needs_a_note_or_a_time(desk, propose):
    session = propose()
    with pytest.raises(ValidationFailed) as refused:
        services.session_respond(session=session, actor=desk.requester, answer="new_time")
    assert "note" in refused.value.errors

    services.session_respond(
        session=session,
        actor=desk.requester,
        answer="new_time",
        proposed_starts_at=START + timedelta(days=1),
    )
    session.refresh_from_db()
    assert session.status == "new_time_asked"
    assert session.proposed_starts_at == START + timedelta(days=1)


def test_someone_else_cannot_answer_the_invitation(desk, propose):
    session = propose()
    for person in (desk.other_requester, desk.l2_agent):
        with pytest.raises(NotPermitted):
            services.session_respond(session=session, actor=person, answer="accept")
    session.refresh_from_db()
    assert session.status == "proposed"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": START - timedelta(minutes=5)}, "ends_at"),
        ({"starts_at": START - timedelta(days=2)}, "starts_at"),
        ({"link": ""}, "link"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"kind": "phone", "phone": ""}, "phone"),
        ({"kind": "phone", "phone": "call me"}, "phone"),
        ({"ends_at": START + timedelta(minutes=1)}, "ends_at"),
        ({"kind": "fax"}, "kind"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(propose, overrides, field):
    with pytest.raises(ValidationFailed) as refused:
        propose(**overrides)
    assert field in refused.value.errors
    assert not Session.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert not TicketEvent.objects.filter(type="session").exists()


def test_only_desk_staff_propose(desk, propose):
    with pytest.raises(NotPermitted):
        propose(actor=desk.requester)
    assert not Session.objects.exists()


def test_a_cancelled_session_cannot_be_moved_or_answered(desk, propose):
    session = propose()
    services.session_cancel(session=session, actor=desk.l2_agent)
    with pytest.raises(TransitionNotAllowed):
        services.session_reschedule(
            session=session,
            actor=desk.l2_agent,
            starts_at=START,
            ends_at=START + timedelta(minutes=30),
        )
    with pytest.raises(TransitionNotAllowed):
        services.session_respond(session=session, actor=desk.requester, answer="accept")


def test_the_reminder_is_sent_once_to_both_people(desk, propose, clock):
    session = propose()
    services.session_respond(session=session, actor=desk.requester, answer="accept")

    clock.move_to(START - timedelta(minutes=31))
    due_sweep()
    assert not OutboxMessage.objects.filter(topic="appointments.reminder").exists()

    clock.move_to(START - timedelta(minutes=29))
    due_sweep()
    due_sweep()
    clock.move_to(START - timedelta(minutes=5))
    due_sweep()

    reminders = OutboxMessage.objects.filter(topic="appointments.reminder")
    assert sorted(m.destination for m in reminders) == sorted(
        [desk.requester.email, desk.l2_agent.email]
    )
    session.refresh_from_db()
    assert session.reminded_at is not None and session.next_check_at is None
    assert TicketEvent.objects.filter(type="session", data__what=services.REMINDED).count() == 1


def test_a_declined_session_gets_no_reminder(desk, propose, clock):
    session = propose()
    services.session_respond(session=session, actor=desk.requester, answer="decline")
    clock.move_to(START - timedelta(minutes=10))
    due_sweep()
    assert not OutboxMessage.objects.filter(topic="appointments.reminder").exists()
    session.refresh_from_db()
    assert session.next_check_at is None


def test_a_moved_session_is_reminded_again_at_its_new_time(desk, propose, clock):
    session = propose()
    clock.move_to(START - timedelta(minutes=20))
    due_sweep()
    later = START + timedelta(days=1)
    services.session_reschedule(
        session=session, actor=desk.l2_agent, starts_at=later, ends_at=later + timedelta(hours=1)
    )
    clock.move_to(later - timedelta(minutes=20))
    due_sweep()
    due_sweep()
    assert OutboxMessage.objects.filter(topic="appointments.reminder").count() == 4


def test_the_outcome_is_recorded_once_the_session_has_started(desk, propose, clock):
    session = propose()
    with pytest.raises(ValidationFailed) as refused:
        services.session_outcome_record(session=session, actor=desk.l2_agent, outcome="held")
    assert "outcome" in refused.value.errors

    clock.move_to(START + timedelta(minutes=40))
    services.session_outcome_record(
        session=session, actor=desk.l2_agent, outcome="no_show", notes="Called twice."
    )
    session.refresh_from_db()
    assert session.status == "no_show" and session.outcome_notes == "Called twice."
    row = TicketEvent.objects.filter(type="session").last()
    assert row.data["what"] == services.NO_SHOW and not row.is_public
