"""Writing to the outbox and delivering from it."""

import logging
from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.handler import DEFAULT_MAILER_ALIAS
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from servicedesk.core.jobs import job_enqueue_on_commit
from servicedesk.notifications.models import OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def email_enqueue(
    *,
    to: str,
    template: str,
    context: dict,
    dedup_key: str,
    language: str = "en",
    ticket=None,
) -> OutboxMessage | None:
    """Render `notifications/email/<template>.txt` in `language` and write it to the outbox.

    The first line of the rendered template is the subject. Returns None when there is no
    recipient or the same message (by `dedup_key`) was already written.
    """
    if not to:
        return None
    with translation.override(language):
        rendered = render_to_string(
            f"notifications/email/{template}.txt",
            {**context, "site_url": settings.SITE_URL},
        ).strip()
    subject, _, body = rendered.partition("\n")
    now = timezone.now()
    try:
        # Insert and let the unique key refuse a repeat (rare): one round trip fewer than
        # looking first, and as safe against a concurrent writer as get_or_create.
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                dedup_key=dedup_key,
                recipient=to,
                subject=subject.strip()[:250],
                body=body.strip() + "\n",
                template=template,
                ticket=ticket,
                created_at=now,
                next_attempt_at=now,
            )
    except IntegrityError:
        if OutboxMessage.objects.filter(dedup_key=dedup_key).exists():
            return None
        raise
    from servicedesk.notifications.tasks import outbox_deliver

    job_enqueue_on_commit(outbox_deliver, message.pk)
    return message


def outbox_message_deliver(*, message_id: int) -> bool:
    """Send one pending message; True when it was sent by this call.

    Locks the row so two workers never send the same message twice.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .first()
        )
        if message is None:
            return False
        message.attempts += 1
        try:
            EmailMessage(
                subject=message.subject,
                body=message.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.recipient],
                headers={
                    "Auto-Submitted": "auto-generated",
                    "X-Servicedesk-Message": message.dedup_key,
                },
            ).send(using=DEFAULT_MAILER_ALIAS)
        except (SMTPException, OSError) as error:
            message.last_error = f"{type(error).__name__}: {error}"
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.DEAD
            message.next_attempt_at = timezone.now() + timedelta(minutes=2**message.attempts)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            log.warning("outbox message %s failed: %s", message.pk, message.last_error)
            return False
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["attempts", "status", "sent_at"])
        return True


def outbox_pending_deliver(*, limit: int = 200) -> int:
    """Deliver messages whose turn has come (the periodic safety net). Returns how many were sent."""
    due = list(
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(outbox_message_deliver(message_id=pk) for pk in due)
