"""1,000 messages through real processes at once: `servicedesk mail-in` pipes (single
messages and mbox batches, some delivered twice) and two workers polling one Maildir. Every
message is stored once, every reply lands in its ticket once, no message is taken twice."""

import mailbox as stdlib_mailbox
import os
import subprocess
import sys
from pathlib import Path

import pytest

from servicedesk.mailin.models import InboundMessage, Mailbox
from servicedesk.notifications.models import OutboxMessage
from servicedesk.tickets import services
from servicedesk.tickets.models import Ticket, TicketEvent
from tests.accounts.factories import UserFactory
from tests.mailin.factories import MailboxFactory
from tests.processes import process_env

# serialized_rollback: the default mailbox and the SLA defaults come from migrations.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TICKETS = 20
REPLIES_PER_TICKET = 40  # 800 replies
NEW = 200


def _message(n: int, sender: str, subject: str, body: str, in_reply_to: str = "") -> bytes:
    headers = [
        f"From: Sender {n} <{sender}>",
        "To: desk@example.test",
        f"Subject: {subject}",
        f"Message-ID: <load-{n}@mail.example.test>",
        *([f"In-Reply-To: {in_reply_to}"] if in_reply_to else []),
        "Content-Type: text/plain; charset=utf-8",
    ]
    return ("\n".join(headers) + f"\n\n{body}\n").encode()


def _mbox(path: Path, messages: list[bytes]) -> Path:
    box = stdlib_mailbox.mbox(path)
    for raw in messages:
        box.add(raw)
    box.close()
    return path


def _run(args, env, stdin=None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "servicedesk.cli", *args],
        env=env,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_a_thousand_messages_through_pipes_and_two_maildir_workers(desk, tmp_path):
    people = [UserFactory(username=f"load{n}") for n in range(10)]
    replies_to = []
    for n in range(TICKETS):
        person = people[n % len(people)]
        ticket = services.ticket_log(actor=person, title=f"Load ticket {n}")
        services.ticket_comment(ticket=ticket, actor=desk.l1_agent, body="Which floor?")
        reply = OutboxMessage.objects.about(ticket).get(topic="ticket.reply")
        replies_to.append((ticket, person, reply.message_id))
    messages = []
    for n in range(TICKETS * REPLIES_PER_TICKET):
        ticket, person, message_id = replies_to[n % TICKETS]
        messages.append(
            _message(n, person.email, f"Re: [{ticket.number}]", f"reply {n}", message_id)
        )
    for n in range(NEW):
        messages.append(
            _message(10_000 + n, f"new{n % 20}@example.test", f"New problem {n}", f"body {n}")
        )
    # Mixed so that pipes and Maildir both carry replies and new messages.
    messages = messages[::2] + messages[1::2]
    singles, mbox_a, mbox_b, maildir = (
        messages[:4],
        messages[4:300],
        messages[300:600],
        messages[600:],
    )
    folder = stdlib_mailbox.Maildir(tmp_path / "Maildir")
    for raw in maildir:
        folder.add(raw)
    MailboxFactory(name="md", kind=Mailbox.Kind.MAILDIR, path=str(tmp_path / "Maildir"))
    env = process_env(tmp_path, SERVICEDESK_MAILIN_SENDER_HOURLY_CAP="100000")
    a = _mbox(tmp_path / "a.mbox", mbox_a + mbox_b[:20])  # 20 delivered twice
    b = _mbox(tmp_path / "b.mbox", mbox_b)

    processes = [
        _run(["manage", "mailin_run", "--mailbox", "md", "--until-idle"], env),
        _run(["manage", "mailin_run", "--mailbox", "md", "--until-idle"], env),
        _run(["mail-in", "--mbox"], env, stdin=a.read_bytes()),
        _run(["mail-in", "--mbox"], env, stdin=b.read_bytes()),
    ]
    inputs = {processes[2]: a.read_bytes(), processes[3]: b.read_bytes()}
    outputs = []
    for raw in singles:  # real one-message pipes, as an MTA runs them
        single = _run(["mail-in"], env, stdin=raw)
        outputs.append((single.communicate(raw, timeout=120), single.returncode))
    for process in processes:
        out, _err = process.communicate(inputs.get(process), timeout=600)
        outputs.append(((out, _err), process.returncode))
    failed = [(code, out.decode(errors="replace")[-3000:]) for (out, _e), code in outputs if code]
    (tmp_path / "failed.txt").write_text(repr(failed))
    assert not failed, f"see {tmp_path / 'failed.txt'}"

    assert InboundMessage.objects.count() == 1000
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {"processed"}
    assert InboundMessage.objects.values("message_id").distinct().count() == 1000
    # Every reply is one comment on its own ticket.
    by_email = TicketEvent.objects.filter(type="comment", data__via="email")
    assert by_email.count() == TICKETS * REPLIES_PER_TICKET
    for ticket, _person, _id in replies_to:
        assert by_email.filter(ticket=ticket).count() == REPLIES_PER_TICKET
    assert Ticket.objects.filter(channel="email").count() == NEW
    # The Maildir: nothing left in new/, each file taken once and flagged seen.
    assert os.listdir(tmp_path / "Maildir" / "new") == []
    taken = os.listdir(tmp_path / "Maildir" / "cur")
    assert len(taken) == len(maildir) and all(name.endswith(":2,S") for name in taken)
    refs = InboundMessage.objects.exclude(source_ref="").values_list("source_ref", flat=True)
    assert len(refs) == len(set(refs)) == len(maildir)
