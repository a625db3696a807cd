"""The mail pipeline's writes: store the raw message, then process it into a ticket or a
comment, and poll the mailboxes that are read rather than piped to.

Raw first: `inbound_store` commits the bytes in a transaction of their own, before anything
reads them, so a parser bug or a failed write loses nothing. Processing runs afterwards on the
job backbone (after the store commits, and every sweep for whatever is left), one message per
transaction, claimed with `SKIP LOCKED`: a message is processed once whatever number of
workers run, and one that fails stays `failed` with its error for an administrator to retry.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

import imapclient.exceptions
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.core.errors import ServiceError
from servicedesk.core.jobs import job_enqueue_on_commit
from servicedesk.core.mailboxes import InboundMail, NoHandler, mailbox_handler_for
from servicedesk.core.visibility import is_visible
from servicedesk.mailin import selectors
from servicedesk.mailin.models import InboundMessage, Mailbox
from servicedesk.mailin.parsing import TICKET_TAG, NotMail, ParsedMail, mail_parse, message_id_of
from servicedesk.mailin.pollers import poller_open
from servicedesk.tickets.models import Channel, Ticket
from servicedesk.tickets.permissions import can_comment
from servicedesk.tickets.services import (
    attachment_refusals,
    requester_from_email,
    ticket_comment,
    ticket_log,
)
from servicedesk.tickets.states import Status

log = logging.getLogger(__name__)
PROCESS_TASK = "mailin.process"
# The whole text kept on the timeline row, beside the comment (the raw message has it all).
FULL_TEXT_ON_TIMELINE = 20_000


class MailboxUnknown(ServiceError):
    """No active mailbox by that name: the MTA's mail cannot be stored (it retries)."""


# ---------------------------------------------------------------------------------------------
# Storing


def inbound_store(
    *, mailbox: Mailbox, raw: bytes, source_ref: str = "", process: bool = True
) -> tuple[InboundMessage, bool]:
    """Commit `raw` as received, before it is read; returns (the row, whether it is new).

    A re-delivery (the same IMAP UID or Maildir file, or the same Message-ID and bytes) returns
    the row already stored. Must not run inside another transaction: what it stores must be
    committed when it returns (the MTA is told "delivered" then). `process` queues the
    processing job after the commit; the periodic job picks up what is left either way.
    """
    sha256 = hashlib.sha256(raw).hexdigest()
    message_id = message_id_of(raw)
    known = dict(mailbox=mailbox, source_ref=source_ref, message_id=message_id, sha256=sha256)
    existing = selectors.inbound_duplicate(**known)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = InboundMessage.objects.create(
                mailbox=mailbox,
                raw=raw,
                size=len(raw),
                sha256=sha256,
                message_id=message_id,
                source_ref=source_ref,
                received_at=timezone.now(),
            )
            if process:
                job_enqueue_on_commit(PROCESS_TASK)
    except IntegrityError:
        existing = selectors.inbound_duplicate(**known)
        if existing is None:
            raise
        return existing, False
    return row, True


def mailbox_for(name: str | None) -> Mailbox:
    """The mailbox `name` (the default one when None), active; MailboxUnknown otherwise."""
    mailbox = selectors.mailbox_get(name) if name else selectors.mailbox_default()
    if mailbox is None or not mailbox.is_active:
        raise MailboxUnknown(
            {"mailbox": _("No active mailbox is called “%(name)s”.") % {"name": name or "default"}}
        )
    return mailbox


# ---------------------------------------------------------------------------------------------
# Processing


def inbound_pending_process(*, batch: int = 100) -> int:
    """Process every stored message not yet processed, oldest first; returns how many this
    call handled. Safe on many workers: a message another worker holds is skipped."""
    handled = 0
    while True:
        ids = selectors.inbound_received_ids(limit=batch)
        if not ids:
            return handled
        done = sum(inbound_process(message_id=pk) for pk in ids)
        handled += done
        if done == 0 or len(ids) < batch:
            return handled


def inbound_process(*, message_id: int) -> bool:
    """Process one stored message, in one transaction; False when another worker has it or it
    is no longer waiting. Whatever goes wrong rolls the ticket's side back and leaves the row
    `failed` with the error."""
    try:
        with transaction.atomic():
            row = (
                InboundMessage.objects.select_for_update(skip_locked=True)
                .select_related("mailbox")
                .filter(pk=message_id, status=InboundMessage.Status.RECEIVED)
                .first()
            )
            if row is None:
                return False
            _process(row)
    except OperationalError:
        raise  # the database is away or busy: the row stays received, the next run takes it
    except Exception as error:  # noqa: BLE001 - kept as failed with the error, shown in the admin with a retry
        log.warning("inbound message %s failed: %s", message_id, error, exc_info=True)
        _failed(message_id, error)
    return True


def inbound_retry(*, message_ids: list[int]) -> int:
    """Process failed (or ignored) messages again, now; returns how many ended processed."""
    InboundMessage.objects.filter(pk__in=message_ids).exclude(
        status=InboundMessage.Status.PROCESSED
    ).update(status=InboundMessage.Status.RECEIVED, reason="")
    for pk in message_ids:
        inbound_process(message_id=pk)
    return InboundMessage.objects.filter(
        pk__in=message_ids, status=InboundMessage.Status.PROCESSED
    ).count()


def _failed(message_id: int, error: Exception) -> None:
    reason = (error.message if isinstance(error, ServiceError) else str(error)) or type(
        error
    ).__name__
    with transaction.atomic():
        InboundMessage.objects.filter(pk=message_id).update(
            status=InboundMessage.Status.FAILED,
            reason=reason[:2000],
            processed_at=timezone.now(),
        )


def _finish(row: InboundMessage, status: str, reason: str = "", outcome: str = "") -> None:
    row.status = status
    row.reason = reason
    row.outcome = outcome
    row.processed_at = timezone.now()
    row.save()


def _process(row: InboundMessage) -> None:
    row.attempts += 1
    try:
        mail = mail_parse(bytes(row.raw))
    except NotMail as error:
        _finish(row, InboundMessage.Status.FAILED, str(error))
        return
    row.from_address = mail.from_address
    row.subject = mail.subject
    row.full_text = mail.text
    if row.mailbox.purpose != Mailbox.Purpose.TICKETS:
        _hand(row, mail)
        return
    ignored = _ignore_reason(row, mail)
    if ignored:
        _finish(row, InboundMessage.Status.IGNORED, ignored)
        return
    sender = selectors.person_by_email(mail.from_address)
    if sender is None:
        if not row.mailbox.accept_new_requesters:
            _finish(
                row,
                InboundMessage.Status.IGNORED,
                "unknown sender; this mailbox does not accept new requesters",
            )
            return
        sender = requester_from_email(email=mail.from_address, name=mail.from_name)
    ticket = selectors.ticket_for_mail(references=mail.references, subject=mail.subject)
    why_new = _why_new_ticket(ticket, sender) if ticket is not None else ""
    files, refused = _files(mail)
    if ticket is not None and not why_new:
        event = ticket_comment(
            ticket=ticket,
            actor=sender,
            body=_with_refusals(mail.reply or mail.text, refused) or _("(empty message)"),
            public=True,
            files=files,
            origin=_origin(row, mail),
        )
        row.ticket, row.event = ticket, event
        _finish(row, InboundMessage.Status.PROCESSED, "; ".join(refused), "commented")
        return
    ticket = _ticket_open(row, mail, sender, answered=ticket, why_new=why_new)
    event = None
    if files or refused:
        event = ticket_comment(
            ticket=ticket,
            actor=sender,
            body=_with_refusals("", refused),
            public=True,
            files=files,
            origin={"via": "email", "inbound_message": row.pk},
        )
    row.ticket, row.event = ticket, event
    reasons = [why_new, *refused]
    _finish(row, InboundMessage.Status.PROCESSED, "; ".join(r for r in reasons if r), "opened")


def _hand(row: InboundMessage, mail: ParsedMail) -> None:
    """A mailbox of another purpose: its handler takes the message (core/mailboxes.py).

    Auto-replies, bounces, reports and the desk's own mail are still ignored; a machine's
    notification is not (monitoring mail is that), and there is no loop guard per sender: a
    monitor sends storms from one address, and its handler deduplicates."""
    if mail.reply_or_bounce:
        _finish(row, InboundMessage.Status.IGNORED, f"automatic message: {mail.reply_or_bounce}")
        return
    if _own_address(mail.from_address):
        _finish(row, InboundMessage.Status.IGNORED, "sent by the desk itself (mail loop)")
        return
    purpose = row.mailbox.purpose
    handler = mailbox_handler_for(purpose)
    if handler is None:
        raise NoHandler(f"no handler takes mailboxes of purpose {purpose!r}")
    note = handler(
        InboundMail(
            inbound_id=row.pk,
            mailbox=row.mailbox.name,
            reference=row.mailbox.integration_ref,
            from_address=mail.from_address,
            subject=mail.subject,
            text=mail.text,
            received_at=row.received_at,
            message_id=mail.message_id,
            headers=mail.headers,
        )
    )
    _finish(row, InboundMessage.Status.PROCESSED, note or "", InboundMessage.Outcome.HANDED)


def _own_address(address: str) -> bool:
    own = {settings.SERVICEDESK_FROM_EMAIL.lower()} | {
        a.lower() for a in Mailbox.objects.exclude(address="").values_list("address", flat=True)
    }
    return address in own


def _ignore_reason(row: InboundMessage, mail: ParsedMail) -> str:
    """Why this message must not open a ticket nor be answered, or "" when it may."""
    if mail.automatic:
        return f"automatic message: {mail.automatic}"
    if _own_address(mail.from_address):
        return "sent by the desk itself (mail loop)"
    cap = settings.SERVICEDESK_MAILIN_SENDER_HOURLY_CAP
    if selectors.sender_recent_count(message=row) >= cap:
        return f"loop guard: more than {cap} messages from this sender in an hour"
    return ""


def _why_new_ticket(ticket: Ticket, sender: User) -> str:
    """Why a reply to `ticket` opens a new ticket instead of commenting, or "" if it comments."""
    if not is_visible(ticket, sender) or not can_comment(sender, ticket, public=True):
        return f"the sender may not see {ticket.number}: logged as a new ticket"
    if not ticket.is_open and ticket.status != Status.RESOLVED:
        return f"{ticket.number} is {ticket.status}: logged as a new ticket"
    return ""


def _ticket_open(
    row: InboundMessage, mail: ParsedMail, sender: User, *, answered, why_new: str
) -> Ticket:
    title = " ".join(TICKET_TAG.sub("", mail.subject).split())
    for prefix in ("re:", "fw:", "fwd:", "aw:", "răs:", "ras:", "tr:"):
        while title.lower().startswith(prefix):
            title = title[len(prefix) :].strip()
    description = mail.reply if mail.references or answered is not None else mail.text
    if answered is not None and is_visible(answered, sender):
        description = _("Follows up on %(number)s.") % {"number": answered.number} + (
            "\n\n" + description if description else ""
        )
    mailbox = row.mailbox
    return ticket_log(
        actor=sender,
        requester=sender,
        title=(title or _("(no subject)"))[:200],
        description=description,
        channel=Channel.EMAIL,
        category=mailbox.category if mailbox.category and mailbox.category.is_active else None,
        intake_group=mailbox.group,
    )


def _files(mail: ParsedMail) -> tuple[list[SimpleUploadedFile], list[str]]:
    uploads = [
        SimpleUploadedFile(a.name, a.data, content_type=a.content_type) for a in mail.attachments
    ]
    refusals = attachment_refusals(uploads)
    return [u for u in uploads if u.name not in refusals], list(refusals.values())


def _with_refusals(body: str, refused: list[str]) -> str:
    if not refused:
        return body
    note = "\n".join(_("Not attached: %(reason)s") % {"reason": r} for r in refused)
    return f"{body}\n\n{note}".strip()


def _origin(row: InboundMessage, mail: ParsedMail) -> dict:
    origin = {"via": "email", "inbound_message": row.pk}
    if mail.reply.strip() != mail.text.strip():
        origin["full_text"] = mail.text[:FULL_TEXT_ON_TIMELINE]
    return origin


# ---------------------------------------------------------------------------------------------
# Polling


@dataclass(frozen=True)
class PollResult:
    mailbox: str
    stored: int
    seen: int
    error: str = ""


# The errors a poll can meet that say "try again later", recorded on the mailbox.
POLL_ERRORS = (OSError, imapclient.exceptions.IMAPClientError, EOFError)


def mailboxes_poll(*, limit: int = 500) -> list[PollResult]:
    """Poll each active IMAP or Maildir mailbox whose turn has come; safe on many workers."""
    return [
        result
        for pk in selectors.mailboxes_due_ids(now=timezone.now())
        if (result := mailbox_poll(mailbox_id=pk, limit=limit)) is not None
    ]


def mailbox_poll(*, mailbox_id: int, limit: int = 500, force: bool = False) -> PollResult | None:
    """Take up to `limit` messages from one mailbox: each is committed (raw) before the
    mailbox marks it taken. None when another worker is polling it, its turn has not come, or
    it is not polled (an MTA pipe mailbox, an inactive one).

    The mailbox is claimed for a lease (its next poll moved ahead) in a short transaction, so
    two workers do not poll it at once and no transaction is held while a server answers.
    """
    now = timezone.now()
    with transaction.atomic():
        mailbox = (
            Mailbox.objects.select_for_update(skip_locked=True)
            .filter(pk=mailbox_id, is_active=True)
            .exclude(kind=Mailbox.Kind.PIPE)
            .first()
        )
        if mailbox is None:
            return None
        if not force and mailbox.next_poll_at is not None and mailbox.next_poll_at > now:
            return None
        lease = max(mailbox.poll_seconds, 60)
        mailbox.next_poll_at = now + timedelta(seconds=lease)
        mailbox.save(update_fields=["next_poll_at"])
    stored = seen = 0
    error = ""
    try:
        with poller_open(mailbox) as poller:
            done: list[str] = []
            for taken in poller.take(limit=limit):
                seen += 1
                _row, created = inbound_store(
                    mailbox=mailbox, raw=taken.raw, source_ref=taken.source_ref
                )
                stored += created
                done.append(taken.source_ref)
                if len(done) >= 50:
                    poller.done(done)
                    done = []
            poller.done(done)
    except POLL_ERRORS as failure:
        error = f"{type(failure).__name__}: {failure}"
        log.warning("mailbox %s: poll failed: %s", mailbox.name, error)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_polled_at=timezone.now(),
        last_error=error[:2000],
        next_poll_at=timezone.now() + timedelta(seconds=mailbox.poll_seconds),
    )
    return PollResult(mailbox.name, stored, seen, error)
