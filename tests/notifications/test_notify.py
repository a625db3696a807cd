"""The notification seam (notifications.services.notify) as people receive it: every topic of the
product reaches the right people once each, in their language, threaded and readable."""

import email
import email.policy
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from servicedesk.core.due import due_sweep
from servicedesk.notifications import topics
from servicedesk.notifications.channels.email import email_of
from servicedesk.notifications.models import OutboxMessage
from servicedesk.notifications.services import Recipient, notify
from servicedesk.notifications.topics import Topic
from servicedesk.tickets import services
from tests.accounts.factories import UserFactory
from tests.tickets.factories import ticket_logged

BUCHAREST = ZoneInfo("Europe/Bucharest")
T0 = datetime(2026, 11, 16, 10, 0, tzinfo=BUCHAREST)  # a Monday, office hours


def _parsed(message: OutboxMessage) -> email.message.EmailMessage:
    """The email as a mail client reads it: its bytes on the wire, parsed again."""
    raw = email_of(message).message(policy=email.policy.SMTP).as_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)


def _sent(ticket, topic) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.about(ticket).filter(topic=topic).order_by("id"))


@pytest.fixture
def walk(desk):
    """One ticket through every requester-facing topic, with a Romanian requester."""
    desk.requester.language = "ro"
    desk.requester.save()
    with time_machine.travel(T0, tick=False) as clock:
        ticket = ticket_logged(requester=desk.requester, title="Imprimanta nu merge")
        services.ticket_assign(ticket=ticket, actor=desk.l1_agent, assignee=desk.l1_agent)
        clock.shift(timedelta(minutes=5))
        services.ticket_comment(ticket=ticket, actor=desk.l1_agent, body="Verificăm acum.")
        services.ticket_hold(
            ticket=ticket, actor=desk.l1_agent, reason="awaiting_caller", note="Ce model este?"
        )
        services.ticket_comment(ticket=ticket, actor=desk.requester, body="HP 4250")
        services.ticket_escalate_to_manager(
            ticket=ticket, actor=desk.l1_agent, reason="The requester is a director"
        )
        services.ticket_resolve(
            ticket=ticket,
            actor=desk.l1_agent,
            resolution_code="solved_remotely",
            resolution_notes="Driver reinstalat.",
            service_restored=True,
        )
        services.ticket_close(ticket=ticket, actor=desk.l1_agent)
        ticket.refresh_from_db()
        yield ticket


@pytest.mark.parametrize(
    ("topic", "subject_words"),
    [
        ("ticket.logged", "Am înregistrat sesizarea"),
        ("ticket.reply", "Răspuns nou"),
        ("ticket.awaiting_caller", "Avem nevoie de răspunsul"),
        ("ticket.resolved", "Rezolvat"),
        ("ticket.closed", "Închis"),
    ],
)
def test_each_requester_topic_reaches_the_requester_once_in_their_language(
    walk, desk, topic, subject_words
):
    [message] = _sent(walk, topic)
    assert (message.channel, message.destination, message.language) == (
        "email",
        desk.requester.email,
        "ro",
    )
    parsed = _parsed(message)
    assert subject_words in parsed["Subject"], parsed["Subject"]
    assert parsed["Message-ID"] == message.message_id
    assert parsed["Message-ID"].startswith("<") and parsed["Message-ID"].endswith(">")
    assert parsed["Auto-Submitted"] == "auto-generated"


def test_the_manager_escalation_reaches_the_manager_in_their_language(walk, desk):
    [message] = _sent(walk, "ticket.manager_escalation")
    assert message.destination == desk.manager.email
    assert message.language == desk.manager.language == "en"
    assert _parsed(message)["Subject"] == f"[{walk.number}] Escalated to you as group manager"


def test_every_email_of_a_ticket_threads_under_its_first_message(walk):
    messages = list(OutboxMessage.objects.about(walk).filter(channel="email").order_by("id"))
    first, *later = [_parsed(m) for m in messages]
    assert first["Subject"].startswith(f"[{walk.number}]")
    root = first["Message-ID"]
    assert "In-Reply-To" not in first
    assert len(later) >= 5
    for reply in later:
        assert reply["In-Reply-To"] == root
        assert root in reply["References"].split()
        assert reply["Message-ID"] != root
    ids = [m["Message-ID"] for m in [first, *later]]
    assert len(set(ids)) == len(ids)


def test_a_message_id_stays_the_same_on_every_attempt(walk):
    message = _sent(walk, "ticket.reply")[0]
    assert _parsed(message)["Message-ID"] == _parsed(message)["Message-ID"] == message.message_id


def test_bodies_are_readable_8bit_utf8_not_quoted_printable(walk):
    message = _sent(walk, "ticket.awaiting_caller")[0]
    raw = email_of(message).message(policy=email.policy.SMTP).as_bytes()
    assert b"Content-Transfer-Encoding: 8bit" in raw
    assert b"quoted-printable" not in raw
    assert b"Ce model este?" in raw
    assert "Răspundeți aici".encode() in raw  # readable as it is, not =C4=83


def test_a_line_too_long_for_8bit_goes_as_base64(desk):
    ticket = ticket_logged(requester=desk.requester)
    [message] = notify(
        "ticket.reply",
        ticket,
        [Recipient("email", "long@example.test", "ro")],
        {"ticket": ticket, "body": "ă" * 700, "author": "Lena"},
        dedup_key="long",
    )
    raw = email_of(message).message(policy=email.policy.SMTP).as_bytes()
    assert b"Content-Transfer-Encoding: base64" in raw
    assert "ă" * 700 in _parsed(message).get_content()


def test_an_attachment_by_reference_is_read_when_sent(desk):
    ticket = ticket_logged(requester=desk.requester)
    path = default_storage.save("notifications/invite.ics", ContentFile(b"BEGIN:VCALENDAR\r\n"))
    [message] = notify(
        "ticket.reply",
        ticket,
        [desk.requester],
        {
            "ticket": ticket,
            "body": "See the invitation.",
            "author": "Lena",
            "attachments": [{"path": path, "name": "invite.ics", "content_type": "text/calendar"}],
        },
        dedup_key="invite",
    )
    parsed = _parsed(message)
    [part] = list(parsed.iter_attachments())
    assert part.get_filename() == "invite.ics"
    assert part.get_content_type() == "text/calendar"
    assert part.get_content().startswith("BEGIN:VCALENDAR")


def test_a_group_with_an_address_gets_one_message_and_without_one_each_member(desk):
    ticket = ticket_logged(requester=desk.requester)
    desk.l2.email = "apps-team@example.test"
    desk.l2.save()
    messages = notify(
        "ticket.reply",
        ticket,
        [desk.l2, desk.l3, desk.l3_agent],  # the L3 agent twice: once by name, once as member
        {"ticket": ticket, "body": "x", "author": "y"},
        dedup_key="groups",
    )
    assert sorted(m.destination for m in messages) == sorted(
        ["apps-team@example.test", desk.l3_agent.email]
    )


def test_the_sla_warning_and_breach_reach_the_team_and_the_manager_once_each(desk):
    ro_member = UserFactory(username="ioana", email="ioana@example.test", language="ro")
    desk.l1.members.add(ro_member)
    with time_machine.travel(T0, tick=False) as clock:
        ticket = ticket_logged(requester=desk.requester, title="VPN down")
        services.ticket_assign(ticket=ticket, actor=desk.l1_agent, assignee=desk.l1_agent)
        clock.shift(timedelta(hours=3))  # past the P3 two-hour first-response target
        due_sweep()
        due_sweep()  # a second worker, or a retried job: nothing new
    warnings = _sent(ticket, "sla.warning")
    team = {desk.l1_agent.email, ro_member.email}
    assert {m.destination for m in warnings} <= team
    breaches = _sent(ticket, "sla.breach")
    assert sorted(m.destination for m in breaches) == sorted({desk.manager.email, *team})
    assert len({(m.topic, m.destination) for m in warnings + breaches}) == len(warnings + breaches)
    romanian = next(m for m in breaches if m.destination == ro_member.email)
    assert romanian.language == "ro"
    assert "depășit" in romanian.title or "depăşit" in romanian.title, romanian.title


def test_a_recipients_own_values_and_headers_reach_only_their_message(desk, settings, monkeypatch):
    """A subscriber's unsubscribe link is theirs alone: rendered into their body and sent as
    their List-Unsubscribe header (RFC 8058), not into anyone else's message."""
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {"test/values.txt": "Hello\nLeave: {{ recipient_values.leave }}"},
                    )
                ]
            },
        }
    ]
    monkeypatch.setitem(
        topics._topics, "test.values", Topic("test.values", "values", "test/values.txt")
    )
    people = [
        Recipient(
            "email",
            f"{name}@example.org",
            values=(("leave", f"https://desk.test/leave/{name}"),),
            headers=(("List-Unsubscribe", f"<https://desk.test/leave/{name}>"),),
        )
        for name in ("ana", "ion")
    ]
    ana, ion = notify("test.values", None, people, {}, "values:1")

    assert "leave/ana" in ana.body and "leave/ion" not in ana.body
    assert "leave/ion" in ion.body
    assert _parsed(ion)["List-Unsubscribe"] == "<https://desk.test/leave/ion>"
