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
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape

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
# Messages claimed and sent at a time (one connection per channel): a status page's update to
# thousands of subscribers costs a round of claim, connection and update per 500, well inside
# the lease.
BATCH = 500
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
    render = _EmailRenderer(spec.template, context, recipients)
    attachments = list(context.get("attachments", []))
    parts = list(context.get("parts", []))
    webhook_body = None
    thread_started = not spec.starts_thread or not thread
    rows = []
    for recipient in recipients:
        key = f"{dedup_key}:{recipient.channel}:{_short_hash(recipient.destination.lower())}"
        if recipient.channel == "email":
            title, body = render(recipient)
            message_id = _message_id(key)
            if not thread_started:
                message_id, thread_started = thread, True
        else:
            title = spec.label
            if is_chat(recipient.channel):
                body = chat_body(recipient.channel, spec, subject, recipient.language)
            else:
                if webhook_body is None:
                    webhook_body = _webhook_body(topic, subject, context, now)
                body = webhook_body
            message_id = f"msg_{_short_hash(key, 24)}"
        rows.append(
            OutboxMessage(
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
                attachments=list(attachments),
                headers=dict(recipient.headers),
                parts=parts if recipient.channel == "email" else [],
                dedup_key=key,
                created_at=now,
                next_attempt_at=now,
            )
        )
    written = _insert(rows, fresh=fresh)
    if written:
        job_enqueue_on_commit("notifications.outbox_sweep")
    return written


# Rows per INSERT statement (Django splits it further where SQLite's parameter limit needs it).
INSERT_CHUNK = 1000


def _insert(rows: list[OutboxMessage], *, fresh: bool) -> list[OutboxMessage]:
    """Write `rows`, leaving out those whose key is already in the outbox; the rows written.

    A chunk at a time, in one INSERT, and let the unique `dedup_key` refuse a repeat (rare):
    inside a savepoint, so the caller's transaction stays usable. A refused chunk is written
    again without the keys found in the outbox, and, should a concurrent writer have added one
    meanwhile, row by row. `fresh` (no key can exist yet) spares the savepoint.
    """
    if len(rows) == 1:
        return [row for row in rows if _insert_one(row, fresh=fresh)]
    written = []
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        if fresh:
            OutboxMessage.objects.bulk_create(chunk)
            written += chunk
            continue
        try:
            with transaction.atomic():
                OutboxMessage.objects.bulk_create(chunk)
        except IntegrityError:
            existing = set(
                OutboxMessage.objects.filter(
                    dedup_key__in=[row.dedup_key for row in chunk]
                ).values_list("dedup_key", flat=True)
            )
            if not existing:
                raise
            new = [row for row in chunk if row.dedup_key not in existing]
            try:
                with transaction.atomic():
                    OutboxMessage.objects.bulk_create(new)
            except IntegrityError:
                new = [row for row in new if _insert_one(row, fresh=False)]
            written += new
        else:
            written += chunk
    return written


def _insert_one(message: OutboxMessage, *, fresh: bool) -> bool:
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


def _render_email(template: str, context: dict, recipient: Recipient) -> str:
    """The template rendered for `recipient`, in their language: subject line, then body."""
    with translation.override(recipient.language):
        return render_to_string(
            template,
            {
                **context,
                "site_url": settings.SITE_URL,
                "recipient": recipient,
                "recipient_values": dict(recipient.values),
            },
        )


def _email_parts(rendered: str) -> tuple[str, str]:
    """(subject line, body) of a rendered template."""
    title, _, body = rendered.strip().partition("\n")
    return " ".join(title.split()), body.strip() + "\n"  # a header is one line


# A stand-in for a recipient's value while a template is rendered once for many recipients: text
# no template writes, with an "&" that tells whether autoescaping escaped the value there.
_SLOT = "\x1esdv{}&\x1f"
_SLOTS = re.compile("\x1esdv(\\d+)&(amp;)?\x1f")
# Below this many recipients sharing a language and value names, each is rendered on its own.
_SLOTS_FROM = 3


class _EmailRenderer:
    """The emails of one call: (subject line, body) for each recipient.

    The template is rendered once per language and set of value names, with a stand-in for each
    of a recipient's `values`; each recipient's email is that text with their own values put in,
    escaped where autoescaping would have escaped them. That gives exactly the text rendering the
    template for each recipient gives, as long as the template prints a value as it is
    (`{{ recipient_values.name }}`). Where it does not (a filter changed the stand-in, or the
    first recipient's email differs from their own rendering), and for a recipient with an empty
    value (which an `{% if %}` may test), each recipient is rendered on their own.
    """

    def __init__(self, template: str, context: dict, recipients: list[Recipient]):
        self.template = template
        self.context = context
        self.shapes: dict[tuple, list | None] = {}
        self.rendered: dict[tuple, tuple[str, str]] = {}
        self.counts: dict[tuple, int] = {}
        for recipient in recipients:
            if recipient.channel == "email":
                shape = self._shape(recipient)
                self.counts[shape] = self.counts.get(shape, 0) + 1

    @staticmethod
    def _shape(recipient: Recipient) -> tuple:
        return (recipient.language, tuple(name for name, _ in recipient.values))

    def __call__(self, recipient: Recipient) -> tuple[str, str]:
        shape = self._shape(recipient)
        if not recipient.values or self.counts.get(shape, 0) < _SLOTS_FROM:
            return self._alone(recipient)
        if shape not in self.shapes:
            self.shapes[shape] = self._slotted(recipient)
        parts = self.shapes[shape]
        if parts is None or not all(value for _, value in recipient.values):
            return self._alone(recipient)
        return _email_parts(_fill(parts, recipient.values))

    def _alone(self, recipient: Recipient) -> tuple[str, str]:
        variant = (recipient.language, recipient.values)
        if variant not in self.rendered:
            self.rendered[variant] = _email_parts(
                _render_email(self.template, self.context, recipient)
            )
        return self.rendered[variant]

    def _slotted(self, first: Recipient) -> list | None:
        """The template's text split at the stand-ins, or None when they cannot be used."""
        stand_in = replace(
            first, values=tuple((name, _SLOT.format(n)) for n, (name, _) in enumerate(first.values))
        )
        parts = _SLOTS.split(_render_email(self.template, self.context, stand_in))
        if any("\x1e" in text or "\x1f" in text for text in parts[::3]):
            return None
        if not all(value for _, value in first.values):
            return parts
        own = _render_email(self.template, self.context, first)
        return parts if _fill(parts, first.values) == own else None


def _fill(parts: list, values: tuple[tuple[str, str], ...]) -> str:
    """Put a recipient's values in place of the stand-ins (`parts` as `_SLOTS.split` gives)."""
    out = [parts[0]]
    for n in range(1, len(parts), 3):
        value = values[int(parts[n])][1]
        out.append(escape(value) if parts[n + 1] else value)
        out.append(parts[n + 2])
    return "".join(out)


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


def outbox_pending_deliver(*, batch: int = BATCH) -> int:
    """Deliver every message whose turn has come. Returns how many were sent.

    Runs after each commit that wrote to the outbox and as the periodic safety net. Works in
    batches: one claim, one connection per channel and one update of the sent rows for up to
    `batch` messages, so a burst of tickets or one update to thousands of subscribers does not cost a round of queries and a connection
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
