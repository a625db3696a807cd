"""Taking mail from IMAP (a fake IMAP4rev1 server on loopback) and from a Maildir: each
message stored once, marked on the server only once stored, never taken twice."""

import mailbox as stdlib_mailbox
import os

import pytest

from servicedesk.mailin import pollers, services
from servicedesk.mailin.models import InboundMessage, Mailbox
from servicedesk.tickets.models import Ticket
from tests.mailin.factories import MailboxFactory, fixture_message
from tests.mailin.fake_imap import FakeImapServer, Store

pytestmark = pytest.mark.django_db


def _numbered(n: int) -> bytes:
    return fixture_message("plain.eml").replace(b"<plain-1@", f"<poll-{n}@".encode())


@pytest.fixture
def imap():
    store = Store()
    with FakeImapServer(store) as server:
        yield server


def _imap_box(server, **extra):
    fields = dict(
        name="imap",
        kind=Mailbox.Kind.IMAP,
        host="127.0.0.1",
        port=server.port,
        use_tls=False,
        username="desk",
        password_env="TEST_IMAP_PASSWORD",
    )
    return MailboxFactory(**(fields | extra))


def test_imap_messages_are_stored_processed_and_moved(desk, imap, monkeypatch):
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "secret")
    for n in range(3):
        imap.store.add(_numbered(n))
    box = _imap_box(imap, done_folder="Servicedesk")
    result = services.mailbox_poll(mailbox_id=box.pk)
    assert (result.stored, result.seen, result.error) == (3, 3, "")
    assert imap.store.folders["INBOX"] == []
    assert len(imap.store.folders["Servicedesk"]) == 3
    assert any(c.startswith("UID FETCH") and "BODY.PEEK[]" in c for c in imap.store.commands)
    refs = set(InboundMessage.objects.values_list("source_ref", flat=True))
    assert refs == {"imap:4242:1", "imap:4242:2", "imap:4242:3"}
    services.inbound_pending_process()
    assert Ticket.objects.filter(channel="email").count() == 3
    box.refresh_from_db()
    assert box.last_polled_at is not None and box.next_poll_at > box.last_polled_at


def test_imap_without_a_done_folder_flags_seen_and_takes_nothing_twice(desk, imap, monkeypatch):
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "secret")
    imap.store.add(_numbered(1))
    box = _imap_box(imap)
    assert services.mailbox_poll(mailbox_id=box.pk).stored == 1
    assert imap.store.folders["INBOX"][0].flags == {"\\Seen"}
    assert services.mailbox_poll(mailbox_id=box.pk, force=True).seen == 0
    # The server forgot the flag (another client cleared it): the UID is known, stored once.
    imap.store.folders["INBOX"][0].flags.clear()
    again = services.mailbox_poll(mailbox_id=box.pk, force=True)
    assert (again.seen, again.stored) == (1, 0)
    assert InboundMessage.objects.count() == 1


def test_imap_without_move_copies_deletes_and_expunges(desk, imap, monkeypatch):
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "secret")
    imap.store.move = False
    imap.store.add(_numbered(1))
    box = _imap_box(imap, done_folder="Done")
    assert services.mailbox_poll(mailbox_id=box.pk).stored == 1
    assert imap.store.folders["INBOX"] == [] and len(imap.store.folders["Done"]) == 1
    assert "UID EXPUNGE 1" in imap.store.commands


def test_a_wrong_password_is_recorded_on_the_mailbox_and_nothing_is_taken(desk, imap):
    imap.store.add(_numbered(1))
    box = _imap_box(imap, password_env="", password="wrong")
    result = services.mailbox_poll(mailbox_id=box.pk)
    assert result.stored == 0 and "wrong password" in result.error
    box.refresh_from_db()
    assert "wrong password" in box.last_error
    assert len(imap.store.folders["INBOX"]) == 1


def test_a_mailbox_not_yet_due_is_not_polled(desk, tmp_path):
    box = MailboxFactory(name="md", kind=Mailbox.Kind.MAILDIR, path=str(tmp_path / "md"))
    stdlib_mailbox.Maildir(box.path)
    assert [r.mailbox for r in services.mailboxes_poll()] == ["md"]
    assert services.mailboxes_poll() == []


def test_maildir_new_mail_is_stored_and_flagged_seen(desk, tmp_path):
    folder = stdlib_mailbox.Maildir(tmp_path / "md")
    keys = [folder.add(_numbered(n)) for n in range(3)]
    box = MailboxFactory(name="md", kind=Mailbox.Kind.MAILDIR, path=str(tmp_path / "md"))
    assert services.mailbox_poll(mailbox_id=box.pk).stored == 3
    assert os.listdir(tmp_path / "md" / "new") == []
    assert sorted(os.listdir(tmp_path / "md" / "cur")) == sorted(f"{k}:2,S" for k in keys)
    assert services.mailbox_poll(mailbox_id=box.pk, force=True).seen == 0


def test_maildir_file_left_by_a_dead_worker_is_taken_once(desk, tmp_path, monkeypatch):
    folder = stdlib_mailbox.Maildir(tmp_path / "md")
    key = folder.add(_numbered(1))
    box = MailboxFactory(name="md", kind=Mailbox.Kind.MAILDIR, path=str(tmp_path / "md"))
    # A worker took it (new/ → cur/) and died before storing it.
    cur = tmp_path / "md" / "cur" / f"{key}:2,"
    os.rename(tmp_path / "md" / "new" / key, cur)
    monkeypatch.setattr(pollers, "MAILDIR_ORPHAN_SECONDS", 0)
    assert services.mailbox_poll(mailbox_id=box.pk).stored == 1
    assert os.listdir(tmp_path / "md" / "cur") == [f"{key}:2,S"]


def test_a_missing_maildir_is_an_error_on_the_mailbox(desk, tmp_path):
    box = MailboxFactory(name="md", kind=Mailbox.Kind.MAILDIR, path=str(tmp_path / "none"))
    assert "not a Maildir" in services.mailbox_poll(mailbox_id=box.pk).error
