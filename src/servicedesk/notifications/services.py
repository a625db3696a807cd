"""Writing to the outbox and delivering from it."""

import logging
from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.mail.handler import DEFAULT_MAILER_ALIAS
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from servicedesk.core.jobs import job_enqueue_on_commit
from servicedesk.notifications.models import OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# How long a claimed message is left to the worker that claimed it before another may retry it.
CLAIM_LEASE = timedelta(minutes=10)


def email_enqueue(
    *,
    to: str,
    template: str,
    context: dict,
    dedup_key: str,
    language: str = "en",
    ticket=None,
    key_is_new: bool = False,
) -> OutboxMessage | None:
    """Render `notifications/email/<template>.txt` in `language` and write it to the outbox.

    The first line of the rendered template is the subject. Returns None when there is no
    recipient or the same message (by `dedup_key`) was already written. `key_is_new` says the
    caller knows no message can have this key yet (one about a ticket logged in this very
    transaction), which spares the savepoint that a possible repeat needs.
    """
    if not to:
        return None
    with translation.override(language):
        rendered = render_to_string(
            f"notifications/email/{template}.txt",
            {**context, "site_url": settings.SITE_URL},
        ).strip()
    subject, _, body = rendered.partition("\n")
    subject = " ".join(subject.split())  # a header is one line, whatever a title holds
    now = timezone.now()
    message = OutboxMessage(
        dedup_key=dedup_key,
        recipient=to,
        subject=subject[:250],
        body=body.strip() + "\n",
        template=template,
        ticket=ticket,
        created_at=now,
        next_attempt_at=now,
    )
    if key_is_new:
        message.save(force_insert=True)
    else:
        try:
            # Insert and let the unique key refuse a repeat (rare): one round trip fewer than
            # looking first, and as safe against a concurrent writer as get_or_create.
            with transaction.atomic():
                message.save(force_insert=True)
        except IntegrityError:
            if OutboxMessage.objects.filter(dedup_key=dedup_key).exists():
                return None
            raise
    job_enqueue_on_commit("notifications.outbox_sweep")
    return message


def outbox_message_deliver(*, message_id: int) -> bool:
    """Send one pending message now, whatever its turn; True when it was sent by this call."""
    sent, _taken = _deliver_batch(OutboxMessage.objects.filter(pk=message_id), limit=1)
    return sent == 1


def outbox_messages_retry(*, message_ids: list[int]) -> int:
    """Send these unsent messages now, dead ones included, with a fresh count of attempts (an
    administrator's "send now" once the mail server is mended). Returns how many were sent."""
    OutboxMessage.objects.filter(pk__in=message_ids).exclude(
        status=OutboxMessage.Status.SENT
    ).update(status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=timezone.now())
    return sum(outbox_message_deliver(message_id=pk) for pk in message_ids)


def outbox_pending_deliver(*, batch: int = 100) -> int:
    """Deliver every message whose turn has come. Returns how many were sent.

    Runs after each commit that wrote to the outbox and as the periodic safety net. Works in
    batches: one claim, one mail connection and one update of the sent rows for up to `batch`
    messages, so a burst of tickets does not cost a round of queries and a connection each.
    """
    sent = 0
    while True:
        due = OutboxMessage.objects.filter(next_attempt_at__lte=timezone.now())
        sent_now, taken = _deliver_batch(due.order_by("next_attempt_at", "id"), limit=batch)
        sent += sent_now
        if taken < batch:
            return sent


def _deliver_batch(queryset, *, limit: int) -> tuple[int, int]:
    """Claim up to `limit` pending messages of `queryset`, send them, record each outcome.

    Returns (sent, taken). The claim is a short transaction that counts the attempt and moves
    the rows' turn CLAIM_LEASE ahead, so no other worker takes them meanwhile; the mail is sent
    outside any transaction (no row or SQLite write lock held while a mail server answers). If
    the process dies before recording, the rows come back when the lease runs out: a message is
    sent at least once, and its X-Servicedesk-Message header lets a reader spot a repeat.
    """
    now = timezone.now()
    with transaction.atomic():
        messages = list(
            queryset.filter(status=OutboxMessage.Status.PENDING).select_for_update(
                skip_locked=True
            )[:limit]
        )
        if not messages:
            return 0, 0
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
            attempts=F("attempts") + 1, next_attempt_at=now + CLAIM_LEASE
        )
    for message in messages:
        message.attempts += 1
    failures = _send(messages)
    sent = [m.pk for m in messages if m.pk not in failures]
    with transaction.atomic():
        OutboxMessage.objects.filter(pk__in=sent).update(
            status=OutboxMessage.Status.SENT, sent_at=timezone.now()
        )
        for message in messages:
            if message.pk in failures:
                _failed(message, failures[message.pk], timezone.now())
    return len(sent), len(messages)


def _send(messages: list[OutboxMessage]) -> dict[int, str]:
    """Send over one connection; returns {message id: error} of those that were not sent."""
    mailer = mailers[DEFAULT_MAILER_ALIAS]
    try:
        mailer.open()
    except (SMTPException, OSError) as error:
        return {m.pk: f"{type(error).__name__}: {error}" for m in messages}
    failures = {}
    try:
        for message in messages:
            try:
                mailer.send_messages([_email(message)])
            except (SMTPException, OSError, ValueError) as error:  # ValueError: a bad header
                failures[message.pk] = f"{type(error).__name__}: {error}"
            except Exception as error:  # noqa: BLE001 - recorded on the message, which backs off
                # and ends dead; one message the mail library cannot handle must not hold back
                # or resend the rest of its batch.
                log.exception("outbox message %s could not be sent", message.pk)
                failures[message.pk] = f"{type(error).__name__}: {error}"
    finally:
        try:
            mailer.close()
        except (SMTPException, OSError) as error:  # what was sent is sent
            log.warning("closing the mail connection failed: %s", error)
    return failures


def _email(message: OutboxMessage) -> EmailMessage:
    return EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"Auto-Submitted": "auto-generated", "X-Servicedesk-Message": message.dedup_key},
    )


def _failed(message: OutboxMessage, error: str, now) -> None:
    """Back off exponentially; after MAX_ATTEMPTS the message is dead (shown in the admin)."""
    message.last_error = error
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxMessage.Status.DEAD
    message.next_attempt_at = now + timedelta(minutes=2**message.attempts)
    message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    log.warning("outbox message %s failed: %s", message.pk, error)
