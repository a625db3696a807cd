"""`servicedesk mail-in` as an MTA runs it: a message on standard input, exit 0 once stored,
75 (EX_TEMPFAIL) when it could not be stored, never a traceback's exit 1."""

import subprocess
import sys

import pytest

from servicedesk.mailin.models import InboundMessage
from tests.mailin.factories import fixture_message
from tests.processes import process_env

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def mail_in(env, raw: bytes, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "servicedesk.cli", "mail-in", *args],
        input=raw,
        env=env,
        capture_output=True,
        timeout=120,
    )


def test_mail_in_stores_and_processes_exits_0_and_tempfails_when_it_cannot_store(desk, tmp_path):
    env = process_env(tmp_path)
    done = mail_in(env, fixture_message("plain.eml"))
    assert done.returncode == 0, done.stderr
    row = InboundMessage.objects.get()
    assert (row.mailbox.name, row.status, row.outcome) == ("default", "processed", "opened")
    assert row.ticket.requester == desk.requester

    not_mail = mail_in(env, fixture_message("not_mail.eml"))
    assert not_mail.returncode == 0
    assert InboundMessage.objects.filter(status="failed", reason__contains="not an email").exists()

    unknown = mail_in(env, fixture_message("plain.eml"), "--mailbox", "nope")
    assert unknown.returncode == 75
    assert b"No active mailbox" in unknown.stderr

    down = mail_in(
        {**env, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}, fixture_message("plain.eml")
    )
    assert down.returncode == 75 and b"not stored" in down.stderr
    assert InboundMessage.objects.count() == 2
