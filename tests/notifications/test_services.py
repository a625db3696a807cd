"""The outbox (notifications/services.py): writing once, delivering once, retrying with backoff."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from smtplib import SMTPRecipientsRefused, SMTPServerDisconnected

import pytest
from django.apps import apps
from django.core import mail
from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.utils import translation

from servicedesk.notifications.models import OutboxMessage
from servicedesk.notifications.services import (
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    Recipient,
    notify,
    outbox_message_deliver,
    outbox_pending_deliver,
)
from servicedesk.tickets.models import Ticket, TicketEvent
from tests.accounts.factories import UserFactory
from tests.tickets.factories import ticket_logged

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class RefusingBackend(BaseEmailBackend):
    """A mail server that is there but says no."""

    def send_messages(self, email_messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


class UnreachableBackend(BaseEmailBackend):
    """A mail server that cannot be reached at all."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class ClosedPortBackend(locmem.EmailBackend):
    """Nothing listens on the mail server's port: the connection cannot even be opened."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")


class NoSuchMailboxBackend(locmem.EmailBackend):
    """A working mail server that refuses one recipient."""

    refused = "gone@example.test"

    def send_messages(self, email_messages):
        for message in email_messages:
            if self.refused in message.to:
                raise SMTPRecipientsRefused({self.refused: (550, b"5.1.1 No such mailbox")})
        return super().send_messages(email_messages)


class CountingBackend(locmem.EmailBackend):
    """A working mail server that remembers the recipients sent over each connection."""

    connections: list[list[str]] = []

    def open(self):
        self.recipients = []
        CountingBackend.connections.append(self.recipients)

    def send_messages(self, email_messages):
        self.recipients.extend(to for message in email_messages for to in message.to)
        return super().send_messages(email_messages)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def mail_server_down(settings):
    def use(backend):
        settings.MAILERS = {"default": {"BACKEND": f"{__name__}.{backend.__name__}"}}

    return use


@pytest.fixture
def counting_mail_server(settings):
    CountingBackend.connections = []
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.CountingBackend"}}
    return CountingBackend.connections


@pytest.fixture
def ticket(desk):
    ticket = ticket_logged(requester=desk.requester, title="Printer on fire")
    # Start each test from an empty outbox: logging queued its own message.
    OutboxMessage.objects.all().delete()
    return ticket


def _enqueue(ticket, key="k1", *, to="ana@example.test", language="en", fresh=False):
    """One email about `ticket` to `to` through the seam; the row written, or None."""
    rows = notify(
        "ticket.logged",
        ticket,
        [Recipient("email", to, language)] if to else [],
        {"ticket": ticket},
        dedup_key=key,
        fresh=fresh,
    )
    return rows[0] if rows else None


# ---------------------------------------------------------------------------------------------
# Writing


@pytest.mark.parametrize("language", ["en", "ro"])
def test_a_message_is_rendered_in_the_recipients_language(ticket, clock, language):
    translation.activate("en")
    message = _enqueue(ticket, language=language)
    assert message.title.startswith(f"[{ticket.number}] ")
    assert message.title.endswith("Printer on fire")
    if language == "en":
        assert message.title == f"[{ticket.number}] We have logged your report: Printer on fire"
    else:
        assert "Am înregistrat" in message.title or "înregistrat" in message.title
    assert ticket.number in message.body
    assert f"/tickets/{ticket.number}/" in message.body
    assert (message.destination, message.topic, message.subject) == (
        "ana@example.test",
        "ticket.logged",
        ticket,
    )
    assert message.language == language
    assert (message.status, message.attempts) == ("pending", 0)
    assert message.created_at == message.next_attempt_at == T0
    # Rendering in the recipient's language does not change the caller's.
    assert translation.get_language() == "en"


def test_the_same_call_twice_writes_one_message(ticket):
    first = _enqueue(ticket, key="ticket:logged")
    again = _enqueue(ticket, key="ticket:logged")
    assert first is not None and again is None
    [row] = OutboxMessage.objects.all()
    assert row.destination == "ana@example.test"


def test_a_repeat_inside_the_callers_transaction_writes_nothing_and_spoils_nothing(ticket):
    first = _enqueue(ticket, key="ticket:reply:1")
    with transaction.atomic():
        again = _enqueue(ticket, key="ticket:reply:1")
        # The caller's transaction is still usable (PostgreSQL refuses every statement of a
        # transaction in which one failed, unless it was in a savepoint).
        other = _enqueue(ticket, key="ticket:reply:2", to="bogdan@example.test")
    assert again is None
    assert sorted(OutboxMessage.objects.values_list("destination", flat=True)) == [
        "ana@example.test",
        "bogdan@example.test",
    ]
    assert first.pk != other.pk


def test_a_key_known_to_be_new_is_written_and_delivered(ticket, deliver_outbox):
    message = _enqueue(ticket, key="ticket:logged:new", fresh=True)
    assert OutboxMessage.objects.get().pk == message.pk
    assert [m.to for m in deliver_outbox()] == [["ana@example.test"]]


def test_no_recipient_no_message(ticket):
    assert _enqueue(ticket, to="") is None
    assert not OutboxMessage.objects.exists()


def test_a_requester_without_email_gets_no_message_but_the_ticket_is_logged(desk):
    silent = UserFactory(username="no-mail", email="")
    ticket = ticket_logged(requester=silent)
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert not OutboxMessage.objects.about(ticket).exists()
    assert not ticket.events.filter(type=TicketEvent.Type.EMAIL).exists()


def test_a_requester_marked_not_to_be_emailed_gets_nothing(desk):
    monitor = UserFactory(username="zabbix", email="zabbix@example.test", email_notifications=False)
    ticket = ticket_logged(requester=monitor)
    assert not OutboxMessage.objects.about(ticket).exists()


# ---------------------------------------------------------------------------------------------
# Delivering


def test_a_message_is_sent_once(ticket, clock):
    message = _enqueue(ticket)
    clock.shift(timedelta(seconds=3))
    assert outbox_message_deliver(message_id=message.pk) is True
    assert outbox_message_deliver(message_id=message.pk) is False
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["ana@example.test"]
    assert sent.subject == message.title
    assert sent.extra_headers["Message-ID"] == message.message_id
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert message.sent_at == T0 + timedelta(seconds=3)


@pytest.mark.parametrize(
    ("backend", "error"),
    [
        (RefusingBackend, "SMTPServerDisconnected: Connection unexpectedly closed"),
        (UnreachableBackend, "ConnectionRefusedError: [Errno 111] Connection refused"),
    ],
)
def test_a_failed_send_stays_pending_and_is_retried_later(
    ticket, clock, mail_server_down, backend, error
):
    message = _enqueue(ticket)
    mail_server_down(backend)
    assert outbox_message_deliver(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == "pending"
    assert message.attempts == 1
    assert message.last_error == error
    assert message.next_attempt_at == T0 + timedelta(minutes=2)
    assert message.sent_at is None
    assert not mail.outbox

    clock.shift(timedelta(minutes=1))
    assert outbox_message_deliver(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at == T0 + timedelta(minutes=1 + 4)


def test_after_max_attempts_a_message_is_dead(ticket, clock, mail_server_down):
    message = _enqueue(ticket)
    mail_server_down(RefusingBackend)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        outbox_message_deliver(message_id=message.pk)
        message.refresh_from_db()
        assert message.attempts == attempt
        assert message.status == ("dead" if attempt == MAX_ATTEMPTS else "pending")
    # A dead message is not tried again.
    clock.shift(timedelta(days=30))
    assert outbox_message_deliver(message_id=message.pk) is False
    assert outbox_pending_deliver() == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", MAX_ATTEMPTS)
    assert message.last_error.startswith("SMTPServerDisconnected")


def test_the_sweep_sends_only_messages_whose_turn_has_come(ticket, clock, settings):
    due = _enqueue(ticket, key="due")
    later = _enqueue(ticket, key="later", to="bogdan@example.test")
    OutboxMessage.objects.filter(pk=later.pk).update(next_attempt_at=T0 + timedelta(minutes=8))

    assert outbox_pending_deliver() == 1
    assert [m.to for m in mail.outbox] == [["ana@example.test"]]
    assert outbox_pending_deliver() == 0  # the sent one is not sent again

    clock.shift(timedelta(minutes=8))
    assert outbox_pending_deliver() == 1
    assert [m.to for m in mail.outbox] == [["ana@example.test"], ["bogdan@example.test"]]
    statuses = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert statuses == {due.pk: "sent", later.pk: "sent"}


def test_the_sweep_retries_a_failed_message_once_its_backoff_is_over(
    ticket, clock, mail_server_down, settings
):
    message = _enqueue(ticket)
    working = settings.MAILERS
    mail_server_down(UnreachableBackend)
    assert outbox_pending_deliver() == 0
    settings.MAILERS = working
    clock.shift(timedelta(minutes=1))
    assert outbox_pending_deliver() == 0  # backing off until T0 + 2 min
    clock.shift(timedelta(minutes=1))
    assert outbox_pending_deliver() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1


def test_a_burst_is_sent_in_batches_over_one_connection_each(ticket, clock, counting_mail_server):
    recipients = [f"person{n}@example.test" for n in range(250)]
    for n, to in enumerate(recipients):
        _enqueue(ticket, key=f"burst:{n}", to=to)

    assert outbox_pending_deliver(batch=100) == 250

    assert Counter(to for sent in mail.outbox for to in sent.to) == Counter(recipients)
    assert len(mail.outbox) == 250
    assert set(OutboxMessage.objects.values_list("status", "attempts", "sent_at")) == {
        ("sent", 1, T0)
    }
    assert [len(connection) for connection in counting_mail_server] == [100, 100, 50]
    assert outbox_pending_deliver(batch=100) == 0
    assert len(mail.outbox) == 250


def test_one_refused_recipient_does_not_hold_back_the_others(ticket, clock, mail_server_down):
    recipients = ["ana@example.test", "bogdan@example.test", "gone@example.test"]
    recipients += ["carla@example.test", "dan@example.test"]
    for n, to in enumerate(recipients):
        _enqueue(ticket, key=f"reply:{n}", to=to)
    mail_server_down(NoSuchMailboxBackend)

    assert outbox_pending_deliver(batch=2) == 4

    assert sorted(to for sent in mail.outbox for to in sent.to) == sorted(
        set(recipients) - {"gone@example.test"}
    )
    refused = OutboxMessage.objects.get(destination="gone@example.test")
    assert (refused.status, refused.attempts, refused.sent_at) == ("pending", 1, None)
    assert refused.next_attempt_at == T0 + timedelta(minutes=2)
    assert refused.last_error.startswith("SMTPRecipientsRefused: ")
    assert "gone@example.test" in refused.last_error
    others = OutboxMessage.objects.exclude(pk=refused.pk)
    assert set(others.values_list("status", "attempts")) == {("sent", 1)}
    # Nothing is due again before the refused one's backoff is over: nobody gets a second copy.
    assert outbox_pending_deliver(batch=2) == 0
    assert len(mail.outbox) == 4


def test_a_mail_server_that_cannot_be_reached_leaves_every_message_pending(
    ticket, clock, mail_server_down
):
    for n in range(3):
        _enqueue(ticket, key=f"reply:{n}", to=f"person{n}@example.test")
    mail_server_down(ClosedPortBackend)

    assert outbox_pending_deliver() == 0

    assert not mail.outbox
    rows = OutboxMessage.objects.values_list("status", "attempts", "last_error", "next_attempt_at")
    assert (
        list(rows)
        == [
            (
                "pending",
                1,
                "ConnectionRefusedError: [Errno 111] Connection refused",
                T0 + timedelta(minutes=2),
            )
        ]
        * 3
    )


def _sweep_three_times(clock) -> None:
    for _sweep in range(3):
        outbox_pending_deliver()
        clock.shift(timedelta(minutes=5))


def _recipients() -> list[str]:
    return sorted(to for sent in mail.outbox for to in sent.to)


def test_a_title_with_a_line_break_gives_a_one_line_subject(desk, deliver_outbox):
    ticket = ticket_logged(requester=desk.other_requester, title="Printer\ron\tfire")
    message = OutboxMessage.objects.about(ticket).get()
    assert message.title == f"[{ticket.number}] We have logged your report: Printer on fire"
    assert [m.subject for m in deliver_outbox()] == [message.title]


def test_a_message_the_mail_library_refuses_holds_back_and_repeats_nothing(ticket, clock):
    _enqueue(ticket, key="before", to="before@example.test")
    bad = _enqueue(ticket, key="bad", to="bad@example.test")
    # A header the mail library refuses to write (a row from before subjects were one line).
    OutboxMessage.objects.filter(pk=bad.pk).update(title="Printer\ron fire")
    _enqueue(ticket, key="after", to="after@example.test")
    clock.shift(timedelta(seconds=1))

    _sweep_three_times(clock)

    assert _recipients() == [
        "after@example.test",
        "before@example.test",
    ]
    bad.refresh_from_db()
    assert bad.status == "pending"
    assert bad.last_error.startswith("ValueError")
    assert bad.attempts >= 2  # tried again after its back-off, on its own


# ---------------------------------------------------------------------------------------------
# After commit, for real


# available_apps (all of them): the flush after this test does not recreate content types, so a
# following serialized_rollback test can restore its own without clashing, whatever the order.
@pytest.mark.django_db(
    transaction=True, available_apps=[config.name for config in apps.get_app_configs()]
)
def test_a_committed_ticket_emails_at_once_and_a_rolled_back_one_never():
    assert not connection.in_atomic_block  # no test transaction around this one
    requester = UserFactory(username="carla", email="carla@example.test")

    ticket = ticket_logged(requester=requester, title="Scanner offline")

    # Delivered by the after-commit job alone; the sweep was never called.
    assert [m.subject for m in mail.outbox] == [
        f"[{ticket.number}] We have logged your report: Scanner offline"
    ]
    assert mail.outbox[0].to == ["carla@example.test"]
    row = OutboxMessage.objects.about(ticket).get()
    assert (row.status, row.attempts) == ("sent", 1)

    with pytest.raises(RuntimeError), transaction.atomic():
        ticket_logged(requester=requester, title="Never happened")
        raise RuntimeError("the request failed after logging")

    assert not Ticket.objects.filter(title="Never happened").exists()
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1


class BrokenOneBackend(locmem.EmailBackend):
    """A mail library that fails in an unforeseen way on one message."""

    def send_messages(self, email_messages):
        for message in email_messages:
            if "broken@example.test" in message.to:
                raise RuntimeError("unforeseen")
        return super().send_messages(email_messages)


def test_an_unforeseen_error_on_one_message_resends_none_of_the_others(
    ticket, clock, mail_server_down
):
    mail_server_down(BrokenOneBackend)
    for to in ["ana@example.test", "broken@example.test", "bogdan@example.test"]:
        _enqueue(ticket, key=to, to=to)

    _sweep_three_times(clock)

    assert _recipients() == [
        "ana@example.test",
        "bogdan@example.test",
    ]
    broken = OutboxMessage.objects.get(destination="broken@example.test")
    assert broken.status == "pending"
    assert broken.last_error == "RuntimeError: unforeseen"
    assert broken.attempts >= 2


def test_a_claimed_message_is_left_alone_until_its_lease_runs_out(ticket, clock):
    message = _enqueue(ticket)
    # A worker claimed it and died before recording the outcome.
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=1, next_attempt_at=T0 + CLAIM_LEASE)
    assert outbox_pending_deliver() == 0
    clock.shift(CLAIM_LEASE)
    assert outbox_pending_deliver() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


def test_an_administrator_sends_dead_messages_again_once_the_server_is_mended(
    ticket, clock, admin_client
):
    dead = _enqueue(ticket, key="dead", to="dead@example.test")
    sent = _enqueue(ticket, key="sent", to="sent@example.test")
    OutboxMessage.objects.filter(pk=dead.pk).update(status="dead", attempts=MAX_ATTEMPTS)
    outbox_message_deliver(message_id=sent.pk)

    response = admin_client.post(
        "/admin/notifications/outboxmessage/",
        {"action": "send_now", "_selected_action": [dead.pk, sent.pk]},
        follow=True,
    )

    assert "1 of 1 message sent." in response.content.decode()
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == ("sent", 1)
    assert sorted(to for m in mail.outbox for to in m.to) == [
        "dead@example.test",
        "sent@example.test",
    ]
