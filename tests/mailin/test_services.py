"""The pipeline from raw bytes to a ticket or a comment: each fixture message ends as it
should, none is lost, and nothing a header says reaches a privileged field."""

import base64
from datetime import timedelta

import pytest
from django.core import mail as django_mail

from servicedesk.accounts.models import User
from servicedesk.mailin import services
from servicedesk.mailin.models import InboundMessage
from servicedesk.tickets import services as ticket_services
from servicedesk.tickets.models import Attachment, Ticket
from servicedesk.tickets.states import CancelReason, HoldReason, Status
from tests.mailin.factories import MailboxFactory, fixture_message

pytestmark = pytest.mark.django_db

S = InboundMessage.Status


def deliver(mailbox, raw: bytes) -> InboundMessage:
    """Store and process, as the job queued after the store's commit does (tests never commit)."""
    row, _new = services.inbound_store(mailbox=mailbox, raw=raw)
    services.inbound_pending_process()
    row.refresh_from_db()
    return row


def comments(ticket):
    return list(ticket.events.filter(type="comment").order_by("id"))


@pytest.mark.parametrize(
    ("name", "title", "text"),
    [
        ("plain.eml", "Printer on floor 3 prints blank pages", "prints only blank pages"),
        ("html_only.eml", "VPN drops every hour", "The VPN drops every hour."),
        ("alternative.eml", "Cannot open shared calendar", '"access denied"'),
        ("iso-8859-2.eml", "Imprimanta din sala de şedinţe", "Încercaţi vă rog"),
        ("windows-1250.eml", "Aplicaţia de salarizare", "„parolă greşită”"),
        ("rfc2047_subject.eml", "Parolă expirată pe laptopul şefului", "Parola a expirat"),
        ("eight_bit_no_charset.eml", "Tastatura nu scrie ă", "literele ă, î, ș"),
    ],
)
def test_a_new_message_opens_an_email_ticket(desk, default_mailbox, name, title, text):
    row = deliver(default_mailbox, fixture_message(name))
    assert (row.status, row.outcome) == (S.PROCESSED, "opened")
    ticket = row.ticket
    assert (ticket.title, ticket.channel, ticket.status) == (title, "email", Status.NEW)
    assert text in ticket.description
    assert ticket.requester.email == row.from_address
    assert "<script" not in ticket.description


def test_a_new_requester_is_created_only_where_the_mailbox_allows(desk, default_mailbox):
    closed = MailboxFactory(name="staff-only", accept_new_requesters=False)
    row = deliver(closed, fixture_message("iso-8859-2.eml"))
    assert row.status == S.IGNORED and "unknown sender" in row.reason
    assert not User.objects.filter(email="stefan@example.test").exists()
    row = deliver(default_mailbox, fixture_message("iso-8859-2.eml"))
    assert row.status == S.PROCESSED
    person = User.objects.get(email="stefan@example.test")
    assert (person.role, person.first_name, person.has_usable_password()) == (
        "requester",
        "Ştefan",
        False,
    )


def test_the_mailbox_routes_to_its_group_and_category(desk):
    box = MailboxFactory(name="network", group=desk.l2_network, category=desk.category)
    row = deliver(box, fixture_message("plain.eml"))
    assert row.ticket.assignment_group == desk.l2_network
    assert row.ticket.category == desk.category


@pytest.mark.parametrize(
    ("name", "reply", "dropped"),
    [
        ("outlook_reply.eml", "It still prints blank pages after the restart.", "Sent:"),
        ("gmail_reply.eml", "Yes, it works again. Thank you!", "wrote:"),
        ("references_only.eml", "asset tag PR-0331", None),
        ("subject_tag.eml", "near the kitchen", None),
        ("romanian_reply.eml", "Am repornit-o, tot nu merge.", "a scris:"),
    ],
)
def test_a_reply_threads_into_its_ticket(desk, default_mailbox, answered, name, reply, dropped):
    before = Ticket.objects.count()
    row = deliver(default_mailbox, fixture_message(name, **answered.values()))
    assert (row.status, row.outcome, row.ticket_id) == (
        S.PROCESSED,
        "commented",
        answered.ticket.pk,
    )
    assert Ticket.objects.count() == before
    (comment,) = [c for c in comments(answered.ticket) if c.actor_id == desk.requester.pk]
    assert reply in comment.body
    assert comment.data["via"] == "email" and comment.data["inbound_message"] == row.pk
    if dropped:
        assert dropped not in comment.body
        assert dropped in comment.data["full_text"] and dropped in row.full_text


def test_headers_never_set_priority_group_status_or_restriction(desk, default_mailbox):
    ticket = deliver(default_mailbox, fixture_message("privileged_headers.eml")).ticket
    assert (ticket.impact, ticket.urgency, ticket.priority) == ("medium", "medium", 3)
    assert ticket.assignment_group == desk.l1 and ticket.status == Status.NEW
    assert not ticket.is_restricted


def test_an_outlook_reply_with_x_priority_does_not_change_the_ticket(
    desk, default_mailbox, answered
):
    deliver(default_mailbox, fixture_message("outlook_reply.eml", **answered.values()))
    answered.ticket.refresh_from_db()
    assert answered.ticket.priority == 3


@pytest.mark.parametrize("name", ["auto_reply.eml", "bounce.eml"])
def test_auto_replies_and_bounces_are_ignored_and_never_answered(
    desk, default_mailbox, answered, name
):
    before = (Ticket.objects.count(), answered.ticket.events.count())
    django_mail.outbox.clear()
    row = deliver(default_mailbox, fixture_message(name, **answered.values()))
    assert row.status == S.IGNORED and "automatic message" in row.reason
    assert (Ticket.objects.count(), answered.ticket.events.count()) == before
    assert not User.objects.filter(email__startswith="mailer-daemon").exists()


@pytest.mark.parametrize(
    ("name", "reason"),
    [("broken_from.eml", "no valid sender address"), ("not_mail.eml", "not an email")],
)
def test_what_cannot_be_read_is_kept_as_failed_with_the_reason(default_mailbox, name, reason):
    raw = fixture_message(name)
    row = deliver(default_mailbox, raw)
    assert row.status == S.FAILED and reason in row.reason
    assert bytes(row.raw) == raw


def test_a_sender_who_may_not_see_the_ticket_opens_a_new_one(desk, default_mailbox, answered):
    raw = fixture_message("gmail_reply.eml", **answered.values()).replace(
        b"ana@example.test", desk.other_requester.email.encode()
    )
    row = deliver(default_mailbox, raw)
    assert row.outcome == "opened" and row.ticket != answered.ticket
    assert row.ticket.requester == desk.other_requester
    assert f"may not see {answered.number}" in row.reason
    assert answered.number not in row.ticket.description  # not told the other ticket exists
    assert not [c for c in comments(answered.ticket) if c.actor == desk.other_requester]


def test_a_reply_to_a_closed_ticket_opens_a_new_one_that_follows_up(
    desk, default_mailbox, answered
):
    ticket_services.ticket_cancel(
        ticket=answered.ticket, actor=desk.requester, reason=CancelReason.WITHDRAWN
    )
    answered.ticket.refresh_from_db()
    assert not answered.ticket.is_open
    row = deliver(default_mailbox, fixture_message("gmail_reply.eml", **answered.values()))
    assert row.outcome == "opened"
    assert row.ticket.description.startswith(f"Follows up on {answered.number}.")
    assert row.ticket.title == "New reply: Printer on floor 3 prints blank pages"


def test_a_requester_reply_puts_a_ticket_awaiting_them_back_in_progress(
    desk, default_mailbox, answered
):
    ticket = answered.ticket
    ticket_services.ticket_assign(ticket=ticket, actor=desk.l1_agent, assignee=desk.l1_agent)
    ticket_services.ticket_start(ticket=ticket, actor=desk.l1_agent)
    ticket_services.ticket_hold(
        ticket=ticket, actor=desk.l1_agent, reason=HoldReason.AWAITING_CALLER, note="?"
    )
    deliver(default_mailbox, fixture_message("gmail_reply.eml", **answered.values()))
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS


def test_attachments_are_saved_under_the_limit_and_a_larger_one_is_named(
    desk, default_mailbox, settings
):
    row = deliver(default_mailbox, fixture_message("with_attachment.eml"))
    (attachment,) = Attachment.objects.filter(ticket=row.ticket)
    assert (attachment.original_name, attachment.content_type) == ("eroare_conexă.png", "image/png")
    zipped = base64.encodebytes(b"x" * (30 * 1024 * 1024))
    big = (
        b"From: Ana Marin <ana@example.test>\nSubject: Log files\n"
        b"Message-ID: <big-1@mail.example.test>\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="m"\n\n'
        b"--m\nContent-Type: text/plain\n\nThe logs are attached.\n"
        b'--m\nContent-Type: application/zip\nContent-Disposition: attachment; filename="logs.zip"\n'
        b"Content-Transfer-Encoding: base64\n\n" + zipped + b"--m\n"
        b'Content-Type: text/plain\nContent-Disposition: attachment; filename="note.txt"\n\nsmall\n'
        b"--m--\n"
    )
    row = deliver(default_mailbox, big)
    assert row.status == S.PROCESSED and "logs.zip is larger than the limit" in row.reason
    names = set(
        Attachment.objects.filter(ticket=row.ticket).values_list("original_name", flat=True)
    )
    assert names == {"note.txt"}
    assert "Not attached: logs.zip" in row.ticket.events.get(type="comment").body
    assert row.size > 30 * 1024 * 1024


def test_a_redelivery_is_stored_once_and_processed_once(desk, default_mailbox, answered):
    raw = fixture_message("gmail_reply.eml", **answered.values())
    first, new = services.inbound_store(mailbox=default_mailbox, raw=raw)
    again, new_again = services.inbound_store(mailbox=default_mailbox, raw=raw)
    assert (new, new_again, again.pk) == (True, False, first.pk)
    assert services.inbound_process(message_id=first.pk) is True
    assert services.inbound_process(message_id=first.pk) is False  # already processed
    assert len([c for c in comments(answered.ticket) if c.actor == desk.requester]) == 1


def test_the_loop_guard_ignores_a_sender_past_the_hourly_cap(desk, default_mailbox, settings):
    settings.SERVICEDESK_MAILIN_SENDER_HOURLY_CAP = 3
    rows = []
    for n in range(5):
        raw = fixture_message("plain.eml").replace(b"<plain-1@", f"<plain-{n}@".encode())
        rows.append(deliver(default_mailbox, raw))
    assert [r.status for r in rows] == [S.PROCESSED] * 3 + [S.IGNORED] * 2
    assert "loop guard" in rows[-1].reason
    # An hour later the sender is heard again.
    InboundMessage.objects.update(received_at=rows[0].received_at - timedelta(hours=2))
    raw = fixture_message("plain.eml").replace(b"<plain-1@", b"<plain-9@")
    assert deliver(default_mailbox, raw).status == S.PROCESSED


def test_mail_from_the_desk_itself_is_ignored(desk, default_mailbox, settings):
    raw = fixture_message("plain.eml").replace(
        b"ana@example.test", settings.SERVICEDESK_FROM_EMAIL.encode()
    )
    assert "mail loop" in deliver(default_mailbox, raw).reason


def test_a_failure_keeps_the_message_failed_and_retry_processes_it(
    desk, default_mailbox, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("database said no")

    monkeypatch.setattr(services, "ticket_log", broken)
    row = deliver(default_mailbox, fixture_message("plain.eml"))
    assert row.status == S.FAILED and "database said no" in row.reason
    assert not Ticket.objects.filter(title__startswith="Printer").exists()
    monkeypatch.undo()
    assert services.inbound_retry(message_ids=[row.pk]) == 1
    row.refresh_from_db()
    assert row.status == S.PROCESSED and row.ticket.title.startswith("Printer")


def test_the_periodic_job_processes_what_was_only_stored(desk, default_mailbox):
    row, _new = services.inbound_store(
        mailbox=default_mailbox, raw=fixture_message("plain.eml"), process=False
    )
    row.refresh_from_db()
    assert row.status == S.RECEIVED
    assert services.inbound_pending_process() == 1
    row.refresh_from_db()
    assert row.status == S.PROCESSED


def test_an_unknown_mailbox_is_refused(db):
    with pytest.raises(services.MailboxUnknown):
        services.mailbox_for("nope")


def test_the_timeline_shows_that_a_comment_came_by_email(desk, default_mailbox, answered, client):
    deliver(default_mailbox, fixture_message("outlook_reply.eml", **answered.values()))
    client.force_login(desk.l1_agent)
    page = client.get(f"/desk/tickets/{answered.number}/").content.decode()
    assert "by email" in page and "The whole email, as sent" in page
