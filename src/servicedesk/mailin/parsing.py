"""Reading one raw message: headers, sender, threading ids, text, attachments, whether it is an
automatic message. Pure functions over bytes; nothing here touches the database.

Parsed with the standard library's `email` package under `policy.default`. Whatever a message
does wrong (an unknown charset, 8-bit bytes without one, a header that does not parse, no
`Date`), reading it never raises: a header that cannot be read counts as absent, text that
cannot be decoded is decoded with replacement characters. Only a message without a usable
sender is refused (`NotMail`), and the caller keeps it as failed.
"""

import contextlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr

import html2text
from mailparser_reply import EmailReplyParser

# [INC0001234] or [REQ0001234] anywhere in the subject.
TICKET_TAG = re.compile(r"\[((?:INC|REQ)\d{7,})\]")
MESSAGE_ID = re.compile(r"<[^<>\s]+@[^<>\s]+>")
ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
# Replies the reply parser does not know: Romanian clients' "Pe <date>, <name> a scris:" and
# Outlook's Romanian header block ("De la: …" followed by "Trimis:"/"Data:").
ROMANIAN_QUOTE = re.compile(
    r"^(?:>\s*)?(?:Pe .{3,200}? a scris:\s*$|De la:.*\n(?:>\s*)?(?:Trimis|Data|Dată):)",
    re.MULTILINE,
)
ROMANIAN_SIGNATURE = re.compile(
    r"^(?:Cu stimă|Cu respect|Mulțumesc|Mulţumesc|Multumesc|Toate cele bune|Trimis de pe)\b.*",
    re.MULTILINE | re.IGNORECASE | re.DOTALL,
)
_REPLY_PARSER = EmailReplyParser(languages=["en", "de", "fr", "es", "it"])


class NotMail(ValueError):
    """The bytes are not an email the desk can act on (no sender); kept as failed."""


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    """What the pipeline needs from one message."""

    from_address: str
    from_name: str
    subject: str
    message_id: str
    references: list[str]
    text: str  # the whole body as text (quotes kept)
    reply: str  # the new part: quotes and signature removed
    attachments: list[Attachment] = field(default_factory=list)
    automatic: str = ""  # why it is an auto-reply, a bounce or a list message; "" if not
    html_only: bool = False
    # The same, but a machine's notification (Auto-Submitted: auto-generated, Precedence:
    # bulk or list) is not a reason: what an alerts mailbox still ignores.
    reply_or_bounce: str = ""
    # Every header by lower-case name, decoded (the first of a repeated one).
    headers: dict[str, str] = field(default_factory=dict)


def mail_parse(raw: bytes) -> ParsedMail:
    """Read `raw`; raises NotMail when it has no sender address to answer."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    name, address = _sender(message)
    if not address:
        if not message.keys():
            raise NotMail("not an email: no headers")
        raise NotMail("no valid sender address in From")
    text, html_only = _body_text(message)
    return ParsedMail(
        from_address=address,
        from_name=name,
        subject=" ".join(_header(message, "subject").split())[:250],
        message_id=_first_id(_header(message, "message-id")),
        references=thread_ids(message),
        text=text,
        reply=reply_text(text),
        attachments=list(_attachments(message)),
        automatic=automatic_reason(message),
        html_only=html_only,
        reply_or_bounce=automatic_reason(message, notifications=False),
        headers=_headers(message),
    )


def _headers(message: EmailMessage) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name in message.keys():  # noqa: SIM118 - a Message iterates its headers' names only via keys()
        key = name.lower()
        if key not in headers:
            headers[key] = " ".join(_header(message, name).split())[:2000]
    return headers


def message_id_of(raw: bytes) -> str:
    """The Message-ID of a raw message, read cheaply (for de-duplicating before parsing)."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    message = BytesParser(policy=policy.default).parsebytes(head, headersonly=True)
    return _first_id(_header(message, "message-id"))[:250]


def _header(message: EmailMessage, name: str) -> str:
    """A header's decoded value (RFC 2047 words decoded), or "" if it is absent or unreadable.

    The standard library raises many kinds of error on malformed headers (ValueError,
    IndexError, AttributeError, TypeError, HeaderParseError…); any of them means "absent".
    """
    try:
        value = message.get(name)
        return str(value) if value is not None else ""
    except Exception:  # noqa: BLE001 - see the docstring: a header we cannot read is absent
        try:
            raw_value = message.get_all(name, failobj=[None])[0]
            return str(getattr(raw_value, "_value", raw_value) or "")
        except Exception:  # noqa: BLE001
            return ""


def _sender(message: EmailMessage) -> tuple[str, str]:
    for header in ("from", "sender", "reply-to"):
        value = _header(message, header)
        if not value:
            continue
        name, address = parseaddr(value)
        address = address.strip().lower()
        if ADDRESS.match(address):
            return name.strip()[:150], address[:254]
    return "", ""


def _first_id(value: str) -> str:
    found = MESSAGE_ID.search(value or "")
    return found.group(0) if found else (value or "").strip()[:250]


def thread_ids(message: EmailMessage) -> list[str]:
    """Message-IDs this message answers: In-Reply-To first, then References, newest first."""
    ids: list[str] = []
    for header in ("in-reply-to", "references"):
        found = MESSAGE_ID.findall(_header(message, header))
        ids += found[::-1] if header == "references" else found
    seen: set[str] = set()
    return [i for i in ids if not (i in seen or seen.add(i))][:50]


def automatic_reason(message: EmailMessage, *, notifications: bool = True) -> str:
    """Why this is an automatic message that must never open a ticket or get an answer.

    `notifications=False` leaves out what marks a machine's notification (Auto-Submitted:
    auto-generated or auto-notified, Precedence: bulk or list): monitoring mail is that, and
    an alerts mailbox takes it; auto-replies, bounces and reports stay reasons."""
    auto_submitted = _header(message, "auto-submitted").strip().lower()
    if (
        auto_submitted
        and not auto_submitted.startswith("no")
        and (notifications or auto_submitted.startswith("auto-replied"))
    ):
        return f"Auto-Submitted: {auto_submitted}"
    precedence = _header(message, "precedence").strip().lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"} and (
        notifications or precedence == "auto_reply"
    ):
        return f"Precedence: {precedence}"
    for header in ("x-autoreply", "x-autorespond", "x-auto-response-suppress-loop"):
        if _header(message, header):
            return f"{header}"
    if message.get_content_type() == "multipart/report":
        return "delivery or read report (multipart/report)"
    if _header(message, "return-path").strip() == "<>":
        return "bounce (empty Return-Path)"
    sender = parseaddr(_header(message, "from"))[1].lower()
    if sender.split("@")[0] in {"mailer-daemon", "postmaster"}:
        return f"bounce ({sender})"
    return ""


def _decoded(part: EmailMessage) -> str:
    """A text part as str whatever its charset claims: unknown or missing charsets and bytes
    that do not fit fall back to UTF-8, then Windows-1252, with replacement characters. 8-bit
    text without a charset is read as UTF-8 when it is valid UTF-8 (what clients send today)."""
    if part.get_param("charset") is None:
        payload = part.get_payload(decode=True) or b""
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", errors="replace")
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, ValueError, AssertionError, KeyError):
        pass
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    for candidate in (charset, "utf-8"):
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("cp1252", errors="replace")


def html_to_text(html: str) -> str:
    """Safe text from HTML: markup, scripts and styles dropped, links kept as text."""
    converter = html2text.HTML2Text(bodywidth=0)
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.protect_links = True
    return converter.handle(html).strip()


def _body_text(message: EmailMessage) -> tuple[str, bool]:
    if message.get_content_maintype() != "multipart" and message.get_content_maintype() not in {
        "text",
        "",
    }:
        return "", False
    try:
        plain = message.get_body(preferencelist=("plain",))
        html = None if plain is not None else message.get_body(preferencelist=("html",))
    except (KeyError, ValueError, AttributeError):
        plain, html = message, None
    if plain is not None:
        return _normalize(_decoded(plain)), False
    if html is not None:
        return _normalize(html_to_text(_decoded(html))), True
    return "", False


def _normalize(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()


def reply_text(text: str) -> str:
    """The new part of a reply: quoted text (Outlook, Gmail, Apple Mail and others, in English,
    Romanian and the reply parser's languages) and the signature removed."""
    if not text:
        return ""
    romanian = ROMANIAN_QUOTE.search(text)
    if romanian:
        text = text[: romanian.start()]
    reply = _REPLY_PARSER.parse_reply(text) or ""
    reply = ROMANIAN_SIGNATURE.sub("", reply).strip()
    return reply or text.strip()


def _attachments(message: EmailMessage):
    try:
        parts = list(message.iter_attachments()) if message.is_multipart() else []
    except (KeyError, ValueError, AttributeError, TypeError):
        return
    stack = parts
    while stack:
        part = stack.pop(0)
        if part.get_content_type() == "message/rfc822" or part.is_multipart():
            # A forwarded message or a nested multipart: its own files, not the text parts.
            with contextlib.suppress(KeyError, ValueError, AttributeError, TypeError):
                stack += list(part.iter_attachments())
            continue
        try:
            data = part.get_payload(decode=True) or b""
        except (ValueError, TypeError, AssertionError):
            continue
        name = part.get_filename() or ""
        if not name and part.get_content_maintype() == "text":
            continue
        yield Attachment(
            name=(name or "attachment").replace("/", "_").replace("\\", "_")[:200],
            content_type=part.get_content_type()[:120],
            data=data,
        )
