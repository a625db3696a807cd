"""Email: one mail connection per batch, threaded, marked as automatic, readable as sent.

Every message carries its stable Message-ID, `In-Reply-To`/`References` to its subject's thread
(so a ticket's emails stay one conversation in the requester's mail client) and
`Auto-Submitted: auto-generated` (RFC 3834), so auto-responders do not answer it. Bodies go out
as 8-bit UTF-8 when every line fits the 998-octet limit of RFC 5322, else as base64; never
quoted-printable, which makes Romanian text unreadable in a raw message or a console.
"""

import email.policy
import functools
import logging
import mimetypes
import re
from datetime import datetime
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import MIMEPart
from email.utils import format_datetime
from smtplib import SMTPException

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage, mailers
from django.core.mail.handler import DEFAULT_MAILER_ALIAS
from django.utils import timezone

from servicedesk.notifications.channels.base import Failure

log = logging.getLogger(__name__)
MAX_LINE_OCTETS = 998
# Parsed headers kept for reuse by the next emails (the per-recipient ones are mostly new).
SHARED_HEADERS = 4096


class _FoldedOnce(BaseHeader):
    """A header that remembers how it folds for each policy (a header object never changes)."""

    def fold(self, *, policy):
        folds = self.__dict__.setdefault("_folds", {})
        if policy not in folds:
            folds[policy] = super().fold(policy=policy)
        return folds[policy]


class _SharedHeaders(HeaderRegistry):
    """The standard library's header registry, parsing a header once for every email that
    carries the same one (a batch's subject, sender, date, content type) and making each header
    class once instead of on every header set. Header objects are immutable, so sharing them
    gives the same headers and the same bytes; it makes building an email about twice as fast.
    """

    def __init__(self) -> None:
        super().__init__(base_class=_FoldedOnce)
        self._parsed: dict[tuple, BaseHeader] = {}

    @functools.cache  # noqa: B019 - one registry for the process, a few dozen header names
    def __getitem__(self, name):
        return super().__getitem__(name)

    def __call__(self, name, value):
        plain = _plain_header(name, value)
        if plain is not None:
            return plain
        if isinstance(value, str):
            key = (name, str(value))
        elif isinstance(value, datetime):
            # Equal instants in two zones are equal datetimes, but not the same Date header.
            key = (name, value, value.tzinfo, value.utcoffset())
        else:
            return super().__call__(name, value)
        header = self._parsed.get(key)
        if header is None:
            if len(self._parsed) >= SHARED_HEADERS:
                self._parsed.clear()
            header = self._parsed[key] = super().__call__(name, value)
        return header


class _PlainHeader(str):
    """A header whose value the standard library would write unchanged on one line.

    The headers that differ in every email of a batch (its To, its Message-ID, its own
    List-Unsubscribe) are short ASCII values in the common case. Parsing each one into a token
    tree only to fold it back to the same text was a third of the time spent building an email;
    `_plain_header` hands such a value over as is. The equality with the standard library's
    output is a tested property (tests/notifications/test_channels_email.py).
    """

    __slots__ = ("name",)
    defects = ()

    def __new__(cls, name: str, value: str):
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy):
        return f"{self.name}: {self}{policy.linesep}"


# An addr-spec of dot-atoms (RFC 5322 3.4.1) and nothing else: written as it is.
SIMPLE_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)
# A Message-ID of the desk's own shape: <dot-atom@dot-atom>.
_SIMPLE_MESSAGE_ID = re.compile(r"<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+>")
# Unstructured text: visible ASCII words separated by single spaces, no encoded-word.
_SIMPLE_TEXT = re.compile(r"[!-~]+(?: [!-~]+)*")
_PLAIN = {
    "to": SIMPLE_ADDRESS,
    "message-id": _SIMPLE_MESSAGE_ID,
    "in-reply-to": _SIMPLE_TEXT,
    "references": _SIMPLE_TEXT,
    "list-unsubscribe": _SIMPLE_TEXT,
}
MAX_LINE = 78  # RFC 5322 2.1.1: what the standard library folds to


def _plain_header(name: str, value) -> _PlainHeader | None:
    """`value` as a header written unchanged, when it is one of those; else None."""
    pattern = _PLAIN.get(name.lower())
    if (
        pattern is None
        or not isinstance(value, str)
        or len(name) + 2 + len(value) > MAX_LINE
        or not pattern.fullmatch(value)
        or "=?" in value
    ):
        return None
    return _PlainHeader(name, value)


_HEADERS = _SharedHeaders()


@functools.cache
def _with_shared_headers(policy: email.policy.EmailPolicy) -> email.policy.EmailPolicy:
    """`policy` with the shared header registry: the same headers, the same bytes."""
    if type(policy.header_factory) is not HeaderRegistry:
        return policy
    return policy.clone(header_factory=_HEADERS)


class ReadableEmailMessage(EmailMessage):
    """Django's EmailMessage with its text body in 8-bit (or base64), never quoted-printable.

    `parts` are extra MIME parts (an outbox message's `parts`): one without a filename is an
    alternative to the text body (multipart/alternative, e.g. `text/calendar; method=REQUEST`,
    the iMIP form of RFC 6047), one with a filename is attached.
    """

    parts: list = []

    def message(self, *, policy=email.policy.default):
        return super().message(policy=_with_shared_headers(policy))

    def _add_bodies(self, msg):
        if self.body or not self.attachments:
            body = self.body or ""
            octets = max((len(line.encode()) for line in body.splitlines()), default=0)
            cte = "8bit" if octets <= MAX_LINE_OCTETS else "base64"
            msg.set_content(body, subtype=self.content_subtype, charset="utf-8", cte=cte)
        for part in self.parts:
            if not part.get("filename"):
                _main, subtype = part["content_type"].split("/", 1)
                msg.add_alternative(
                    part["content"], subtype=subtype, charset="utf-8", params=part.get("params", {})
                )


def send(batch) -> dict[int, Failure]:
    """Send over one connection; returns the failures by message id."""
    mailer = mailers[DEFAULT_MAILER_ALIAS]
    try:
        mailer.open()
    except (SMTPException, OSError) as error:
        return {m.pk: Failure(f"{type(error).__name__}: {error}") for m in batch}
    failures = {}
    # One Date for the batch: the same header for every email, parsed once.
    date = format_datetime(timezone.now())
    try:
        for message in batch:
            try:
                mailer.send_messages([email_of(message, date=date)])
            except (SMTPException, OSError, ValueError) as error:  # ValueError: a bad header
                failures[message.pk] = Failure(f"{type(error).__name__}: {error}")
            except Exception as error:  # noqa: BLE001 - recorded on the message, which backs off
                # and ends dead; one message the mail library cannot handle must not hold back
                # or resend the rest of its batch.
                log.exception("outbox message %s could not be sent", message.pk)
                failures[message.pk] = Failure(f"{type(error).__name__}: {error}")
    finally:
        try:
            mailer.close()
        except (SMTPException, OSError) as error:  # what was sent is sent
            log.warning("closing the mail connection failed: %s", error)
    return failures


def email_of(message, *, date: str | None = None) -> ReadableEmailMessage:
    """The email an outbox message becomes, headers and attachments included. `date` is its
    Date header (RFC 5322 date-time); the mail library's clock when None."""
    headers = {
        "Message-ID": message.message_id,
        "Auto-Submitted": "auto-generated",
        # Asks Exchange and Outlook not to answer with out-of-office replies.
        "X-Auto-Response-Suppress": "All",
    }
    if message.thread:
        headers["In-Reply-To"] = message.thread
        headers["References"] = message.thread
    if date:
        headers["Date"] = date
    headers.update(message.headers)
    mail = ReadableEmailMessage(
        subject=message.title,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.destination],
        headers=headers,
    )
    for attachment in message.attachments:
        with default_storage.open(attachment["path"], "rb") as file:
            content = file.read()
        content_type = attachment.get("content_type") or (
            mimetypes.guess_type(attachment["name"])[0] or "application/octet-stream"
        )
        mail.attach(attachment["name"], content, content_type)
    if message.parts:
        mail.parts = message.parts
        for part in message.parts:
            if part.get("filename"):
                mail.attach(_part_attached(part))
    return mail


def _part_attached(part: dict) -> MIMEPart:
    """An extra part as an attachment (e.g. `invite.ics`), its parameters kept."""
    attached = MIMEPart()
    maintype, subtype = part["content_type"].split("/", 1)
    attached.set_content(
        part["content"].encode(),
        maintype=maintype,
        subtype=subtype,
        disposition="attachment",
        filename=part["filename"],
        params=part.get("params", {}),
    )
    return attached
