"""The one way anything tells a person or a system: `notify()`, the outbox, and its delivery.

`notify()` runs inside the writer's transaction: it resolves the audience into recipients and
their channels (a person's email, a group's address or its members, the webhook endpoints and
chat channels subscribed to the topic, less what each person turned off), renders the message
for each in their language and writes one outbox row per recipient and channel. After commit
one job delivers whatever is due, in batches, each channel by its own module
(`notifications/channels/`).
"""

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from servicedesk.accounts.models import SupportGroup, User
from servicedesk.core.caches import TIMEOUT, reference_key
from servicedesk.core.jobs import job_enqueue_on_commit
from servicedesk.core.visibility import is_visible
from servicedesk.notifications import channels
from servicedesk.notifications.models import OutboxMessage, WebhookEndpoint
from servicedesk.notifications.preferences import preferences_apply
from servicedesk.notifications.subscriptions import chat_body, chat_recipients, is_chat
from servicedesk.notifications.topics import payload_for, topic_get

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# How long a claimed message is left to the worker that claimed it before another may retry it.
CLAIM_LEASE = timedelta(minutes=10)
WEBHOOK_ENDPOINTS_KEY = reference_key("notifications:webhook-endpoints")


@dataclass(frozen=True)
class Recipient:
    """One destination on one channel, in one language; `person` when it is someone's."""

    channel: str
    destination: str
    language: str = settings.LANGUAGE_CODE
    person: User | None = None
    #: values for this recipient alone, in the template as `recipient_values.<name>` (e.g. a
    #: subscriber's unsubscribe link); a message with values is rendered for its recipient
    values: tuple[tuple[str, str], ...] = ()
    #: extra email headers for this recipient alone (e.g. List-Unsubscribe, RFC 8058)
    headers: tuple[tuple[str, str], ...] = ()


def person_recipient(person: User, *, email: str = "") -> list[Recipient]:
    """A person's channels: their email (or `email`, e.g. the address a ticket was logged with)
    unless they are not to be emailed (a monitoring system, a shared mailbox)."""
    address = email or person.email
    if not address or not person.is_active or not person.email_notifications:
        return []
    return [Recipient("email", address, person.language, person)]


def _resolve(item) -> list[Recipient]:
    if item is None:
        return []
    if isinstance(item, Recipient):
        return [item]
    if isinstance(item, User):
        return person_recipient(item)
    if isinstance(item, SupportGroup):
        if item.email:
            return [Recipient("email", item.email, settings.LANGUAGE_CODE)]
        members = item.members.filter(is_active=True).order_by("id")
        return [r for member in members for r in person_recipient(member)]
    raise TypeError(f"Cannot notify {item!r}: give people, support groups or Recipients.")


def _may_see(subject, recipient: Recipient) -> bool:
    """A restricted subject (a security incident, a breach) reaches only the people its own
    visibility rule lets see it, and no group address or subscribed system."""
    if subject is None or not getattr(subject, "is_restricted", False):
        return True
    return recipient.person is not None and is_visible(subject, recipient.person)


def _webhook_recipients(topic: str) -> list[Recipient]:
    def read():
        rows = WebhookEndpoint.objects.filter(is_active=True).values_list("pk", "topics")
        return [(pk, tuple(topics)) for pk, topics in rows]

    return [
        Recipient("webhook", str(pk))
        for pk, topics in cache.get_or_set(WEBHOOK_ENDPOINTS_KEY, read, TIMEOUT)
        if topic in topics or "*" in topics
    ]


def notify(
    topic: str,
    subject: models.Model | None,
    audience: Iterable,
    context: dict,
    dedup_key: str,
    *,
    fresh: bool = False,
) -> list[OutboxMessage]:
    """Tell `audience` (people, support groups, Recipients) about `subject` under `topic`.

    Call it inside the writer's transaction. Each recipient and channel gets one outbox row,
    whose key is `dedup_key` with the destination: the same call made twice (a retried job,
    two workers) writes nothing new. Returns the rows written by this call. `fresh` says the
    caller knows no message can have this key yet (about an object created in this very
    transaction), which spares the savepoint a possible repeat needs.
    """
    spec = topic_get(topic)
    seen: set[tuple[str, str]] = set()
    recipients = []
    subscribed = [*_webhook_recipients(topic), *chat_recipients(topic, subject, Recipient)]
    for item in [*audience, *subscribed]:
        for recipient in _resolve(item):
            key = (recipient.channel, recipient.destination.lower())
            if key not in seen and _may_see(subject, recipient):
                seen.add(key)
                recipients.append(recipient)
    recipients = preferences_apply(topic, recipients)
    if not recipients:
        return []
    now = timezone.now()
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    thread = _thread_id(subject)
    rendered: dict[tuple, tuple[str, str]] = {}
    written = []
    for recipient in recipients:
        key = f"{dedup_key}:{recipient.channel}:{_short_hash(recipient.destination.lower())}"
        if recipient.channel == "email":
            variant = (recipient.language, recipient.values)
            if variant not in rendered:
                rendered[variant] = _render_email(spec.template, context, recipient)
            title, body = rendered[variant]
            starts = spec.starts_thread and not any(m.channel == "email" for m in written)
            message_id = thread if starts and thread else _message_id(key)
        else:
            title = spec.label
            body = (
                chat_body(recipient.channel, spec, subject, recipient.language)
                if is_chat(recipient.channel)
                else _webhook_body(topic, subject, context, now)
            )
            message_id = f"msg_{_short_hash(key, 24)}"
        message = OutboxMessage(
            channel=recipient.channel,
            destination=recipient.destination,
            topic=topic,
            language=recipient.language,
            subject_type=subject_type,
            subject_id=subject.pk if subject is not None else None,
            title=title[:250],
            body=body,
            message_id=message_id,
            thread="" if message_id == thread else thread,
            attachments=list(context.get("attachments", [])),
            headers=dict(recipient.headers),
            dedup_key=key,
            created_at=now,
            next_attempt_at=now,
        )
        if _insert(message, fresh=fresh):
            written.append(message)
    if written:
        job_enqueue_on_commit("notifications.outbox_sweep")
    return written


def _insert(message: OutboxMessage, *, fresh: bool) -> bool:
    if fresh:
        message.save(force_insert=True)
        return True
    try:
        # Insert and let the unique key refuse a repeat (rare): one round trip fewer than
        # looking first, and as safe against a concurrent writer as get_or_create.
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        if OutboxMessage.objects.filter(dedup_key=message.dedup_key).exists():
            return False
        raise
    return True


def _short_hash(text: str, length: int = 16) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _domain() -> str:
    return settings.SERVICEDESK_MESSAGE_ID_DOMAIN


def _message_id(key: str) -> str:
    return f"<{_short_hash(key, 32)}@{_domain()}>"


def _thread_id(subject) -> str:
    """The Message-ID every email about `subject` refers to, so mail clients keep one thread."""
    if subject is None:
        return ""
    meta = subject._meta
    return f"<{meta.app_label}.{meta.model_name}.{subject.pk}@{_domain()}>"


def _render_email(template: str, context: dict, recipient: Recipient) -> tuple[str, str]:
    """(subject line, body) of the template in the recipient's language."""
    with translation.override(recipient.language):
        rendered = render_to_string(
            template,
            {
                **context,
                "site_url": settings.SITE_URL,
                "recipient": recipient,
                "recipient_values": dict(recipient.values),
            },
        ).strip()
    title, _, body = rendered.partition("\n")
    return " ".join(title.split()), body.strip() + "\n"  # a header is one line


def _webhook_body(topic: str, subject, context: dict, now) -> str:
    """The event as Standard Webhooks suggest: {"type", "timestamp", "data"}."""
    details = {
        name: value
        for name, value in context.items()
        if isinstance(value, str | int | float | bool) or value is None
    }
    data = {"subject": payload_for(subject), **({"details": details} if details else {})}
    return json.dumps(
        {"type": topic, "timestamp": now.isoformat(), "data": data},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )


# ---------------------------------------------------------------------------------------------
# Delivery


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
    batches: one claim, one connection per channel and one update of the sent rows for up to
    `batch` messages, so a burst of tickets does not cost a round of queries and a connection
    each.
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
    the rows' turn CLAIM_LEASE ahead, so no other worker takes them meanwhile; the messages are
    sent outside any transaction (no row or SQLite write lock held while a server answers). If
    the process dies before recording, the rows come back when the lease runs out: a message is
    sent at least once, always with the same Message-ID or webhook-id, so a receiver can spot
    a repeat.
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
    failures: dict[int, channels.Failure] = {}
    by_channel: dict[str, list[OutboxMessage]] = {}
    for message in messages:
        by_channel.setdefault(message.channel, []).append(message)
    for name, batch in by_channel.items():
        send = channels.CHANNELS.get(name)
        if send is None:
            failures |= {m.pk: channels.Failure(f"no channel {name!r}", True) for m in batch}
        else:
            failures |= send(batch)
    sent = [m.pk for m in messages if m.pk not in failures]
    with transaction.atomic():
        OutboxMessage.objects.filter(pk__in=sent).update(
            status=OutboxMessage.Status.SENT, sent_at=timezone.now()
        )
        for message in messages:
            if message.pk in failures:
                _failed(message, failures[message.pk], timezone.now())
    return len(sent), len(messages)


def _failed(message: OutboxMessage, failure: "channels.Failure", now) -> None:
    """Back off exponentially; after MAX_ATTEMPTS, or at once when retrying cannot help (a
    refused webhook target), the message is dead and shown in the admin with its error."""
    message.last_error = failure.error
    if message.attempts >= MAX_ATTEMPTS or failure.permanent:
        message.status = OutboxMessage.Status.DEAD
    message.next_attempt_at = now + timedelta(minutes=2**message.attempts)
    message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    log.warning("outbox message %s failed: %s", message.pk, failure.error)
