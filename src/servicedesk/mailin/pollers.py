"""Taking mail from a mailbox: a Maildir on disk or an IMAP folder.

Each poller yields `Taken(source_ref, raw)` one message at a time and is told afterwards which
ones were stored (`done`), so it marks on the server only what the database already holds: a
crash between the two leaves a message to be taken again, and the stored row's `source_ref`
(unique per mailbox) makes the second taking a no-op.
"""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient

# A Maildir file taken (moved to cur/ with no flag) but not marked seen after this long was
# left by a worker that died: it is taken again (the unique source_ref keeps it stored once).
MAILDIR_ORPHAN_SECONDS = 60
IMAP_BATCH = 50
IMAP_TIMEOUT = 30


@dataclass(frozen=True)
class Taken:
    source_ref: str
    raw: bytes


class MaildirPoller:
    """new/ → cur/ by rename (atomic within a file system: of two workers, one wins the file),
    read and stored, then flagged seen (`:2,S`). The standard library's `mailbox.Maildir`
    delivers and lists, but moves by copy-and-remove steps that two workers could both win."""

    def __init__(self, path: str):
        self.root = Path(path)

    def take(self, *, limit: int) -> Iterator[Taken]:
        new, cur = self.root / "new", self.root / "cur"
        if not new.is_dir() or not cur.is_dir():
            raise FileNotFoundError(f"{self.root} is not a Maildir (no new/ and cur/)")
        taken = 0
        for name in sorted(os.listdir(new)):
            if taken >= limit:
                return
            if name.startswith("."):
                continue
            claimed = cur / f"{name.split(':')[0]}:2,"
            try:
                os.rename(new / name, claimed)
            except FileNotFoundError:
                continue  # another worker took it
            taken += 1
            yield Taken(self._ref(claimed.name), claimed.read_bytes())
        for orphan in self._orphans():
            if taken >= limit:
                return
            taken += 1
            yield Taken(self._ref(orphan.name), orphan.read_bytes())

    def _orphans(self) -> Iterator[Path]:
        cutoff = time.time() - MAILDIR_ORPHAN_SECONDS
        for path in sorted((self.root / "cur").glob("*:2,")):
            try:
                # ctime: the rename into cur/ sets it (mtime is the delivery's).
                if path.stat().st_ctime < cutoff:
                    yield path
            except FileNotFoundError:
                continue

    @staticmethod
    def _ref(name: str) -> str:
        return f"maildir:{name.split(':')[0]}"[:250]

    def done(self, refs: list[str]) -> None:
        cur = self.root / "cur"
        for ref in refs:
            key = ref.removeprefix("maildir:")
            try:
                os.rename(cur / f"{key}:2,", cur / f"{key}:2,S")
            except FileNotFoundError:
                continue  # already marked by another worker

    def close(self) -> None:
        pass


class ImapPoller:
    """An IMAP folder through `imapclient`: UID SEARCH of what is not taken, UID FETCH with
    BODY.PEEK[] (reading sets no flag), then, once stored, UID MOVE to the done folder (or COPY,
    \\Deleted and UID EXPUNGE on a server without MOVE), or the \\Seen flag when the mailbox has
    no done folder."""

    def __init__(self, *, host, port, use_tls, username, password, folder, done_folder):
        self.client = IMAPClient(host, port=port, ssl=use_tls, timeout=IMAP_TIMEOUT)
        self.client.login(username, password)
        info = self.client.select_folder(folder)
        self.uidvalidity = int(info.get(b"UIDVALIDITY", 0))
        self.done_folder = done_folder

    def take(self, *, limit: int) -> Iterator[Taken]:
        criteria = ["ALL"] if self.done_folder else ["UNSEEN"]
        uids = sorted(self.client.search(criteria))[:limit]
        for start in range(0, len(uids), IMAP_BATCH):
            chunk = uids[start : start + IMAP_BATCH]
            fetched = self.client.fetch(chunk, ["BODY.PEEK[]"])
            for uid in chunk:
                data = fetched.get(uid, {})
                raw = data.get(b"BODY[]")
                if raw is not None:
                    yield Taken(f"imap:{self.uidvalidity}:{uid}", bytes(raw))

    def done(self, refs: list[str]) -> None:
        uids = [int(ref.rsplit(":", 1)[1]) for ref in refs]
        if not uids:
            return
        if not self.done_folder:
            self.client.add_flags(uids, [b"\\Seen"])
        elif self.client.has_capability("MOVE"):
            self.client.move(uids, self.done_folder)
        else:
            self.client.copy(uids, self.done_folder)
            self.client.add_flags(uids, [b"\\Deleted"])
            if self.client.has_capability("UIDPLUS"):
                self.client.uid_expunge(uids)
            else:
                self.client.expunge()

    def close(self) -> None:
        self.client.logout()


@contextmanager
def poller_open(mailbox) -> Iterator[MaildirPoller | ImapPoller]:
    if mailbox.kind == "maildir":
        poller = MaildirPoller(mailbox.path)
    else:
        poller = ImapPoller(
            host=mailbox.host,
            port=mailbox.port,
            use_tls=mailbox.use_tls,
            username=mailbox.username,
            password=mailbox.secret,
            folder=mailbox.folder or "INBOX",
            done_folder=mailbox.done_folder,
        )
    try:
        yield poller
    finally:
        poller.close()
