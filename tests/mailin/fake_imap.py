"""A small IMAP4rev1 server on loopback for the poller's tests: no maintained package serves
IMAP in-process for tests (pymap's last release is from 2024 and needs its own event loop and
backends), so this speaks just what the poller uses: CAPABILITY, LOGIN, SELECT, UID SEARCH
(ALL, UNSEEN), UID FETCH (BODY.PEEK[]), UID STORE (+FLAGS), UID MOVE, UID COPY, UID EXPUNGE,
EXPUNGE, NOOP, LOGOUT. One folder tree in memory, shared by all connections under one lock.
"""

import re
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Message:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class Store:
    folders: dict[str, list[Message]] = field(default_factory=lambda: {"INBOX": []})
    next_uid: int = 1
    uidvalidity: int = 4242
    user: str = "desk"
    password: str = "secret"
    move: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)
    commands: list[str] = field(default_factory=list)

    def add(self, raw: bytes, folder: str = "INBOX") -> int:
        with self.lock:
            uid = self.next_uid
            self.next_uid += 1
            self.folders.setdefault(folder, []).append(Message(uid, raw))
            return uid


def _uids(spec: str) -> set[int]:
    found: set[int] = set()
    for part in spec.split(","):
        if ":" in part:
            low, high = part.split(":")
            found |= set(range(int(low), int(high if high != "*" else 10**9) + 1))
        else:
            found.add(int(part))
    return found


class Handler(socketserver.StreamRequestHandler):
    store: Store

    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def capabilities(self) -> str:
        return "IMAP4rev1 UIDPLUS" + (" MOVE" if self.store.move else "")

    def handle(self):
        self.folder = None
        self.send(f"* OK [CAPABILITY {self.capabilities()}] fake IMAP ready")
        while line := self.rfile.readline():
            text = line.decode().rstrip("\r\n")
            if not text:
                continue
            tag, _, rest = text.partition(" ")
            command, _, args = rest.partition(" ")
            self.store.commands.append(f"{command.upper()} {args}".strip())
            if command.upper() == "UID":
                command, _, args = args.partition(" ")
                command = "UID " + command.upper()
            if not self.dispatch(tag, command.upper(), args):
                return

    def dispatch(self, tag: str, command: str, args: str) -> bool:
        store = self.store
        if command == "CAPABILITY":
            self.send(f"* CAPABILITY {self.capabilities()}")
        elif command == "NOOP":
            pass
        elif command == "LOGIN":
            user, password = [a.strip('"') for a in args.split(" ", 1)]
            if (user, password) != (store.user, store.password):
                self.send(f"{tag} NO [AUTHENTICATIONFAILED] wrong password")
                return True
        elif command == "SELECT":
            self.folder = args.strip('"')
            with store.lock:
                messages = store.folders.setdefault(self.folder, [])
                self.send("* FLAGS (\\Seen \\Deleted)")
                self.send(f"* {len(messages)} EXISTS")
                self.send(f"* OK [UIDVALIDITY {store.uidvalidity}] UIDs valid")
                self.send(f"* OK [UIDNEXT {store.next_uid}] next")
            self.send(f"{tag} OK [READ-WRITE] selected")
            return True
        elif command == "UID SEARCH":
            with store.lock:
                messages = store.folders[self.folder]
                if "UNSEEN" in args.upper():
                    messages = [m for m in messages if "\\Seen" not in m.flags]
                found = " ".join(str(m.uid) for m in messages if "\\Deleted" not in m.flags)
            self.send(f"* SEARCH {found}".rstrip())
        elif command == "UID FETCH":
            spec, _, _items = args.partition(" ")
            wanted = _uids(spec)
            with store.lock:
                chosen = [m for m in store.folders[self.folder] if m.uid in wanted]
            for seq, message in enumerate(chosen, 1):
                self.send(
                    f"* {seq} FETCH (UID {message.uid} BODY[] {{{len(message.raw)}}}".encode()
                )
                self.wfile.write(message.raw)
                self.send(")")
        elif command == "UID STORE":
            spec, _, change = args.partition(" ")
            flags = set(re.findall(r"\\\w+", change))
            with store.lock:
                for message in store.folders[self.folder]:
                    if message.uid in _uids(spec):
                        message.flags |= flags
        elif command in {"UID MOVE", "UID COPY"}:
            spec, _, target = args.partition(" ")
            target = target.strip('"')
            with store.lock:
                chosen = [m for m in store.folders[self.folder] if m.uid in _uids(spec)]
                store.folders.setdefault(target, []).extend(
                    Message(m.uid, m.raw, set(m.flags)) for m in chosen
                )
                if command == "UID MOVE":
                    store.folders[self.folder] = [
                        m for m in store.folders[self.folder] if m not in chosen
                    ]
        elif command in {"UID EXPUNGE", "EXPUNGE"}:
            with store.lock:
                store.folders[self.folder] = [
                    m for m in store.folders[self.folder] if "\\Deleted" not in m.flags
                ]
        elif command == "LOGOUT":
            self.send("* BYE")
            self.send(f"{tag} OK bye")
            return False
        else:
            self.send(f"{tag} BAD unknown command {command}")
            return True
        self.send(f"{tag} OK {command} done")
        return True


class FakeImapServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, store: Store):
        handler = type("BoundHandler", (Handler,), {"store": store})
        super().__init__(("127.0.0.1", 0), handler)
        self.store = store
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()

    @property
    def port(self) -> int:
        return self.server_address[1]
