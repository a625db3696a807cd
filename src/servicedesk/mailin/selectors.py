"""Reads of the mail pipeline: which ticket a mail answers, who wrote it, what is waiting."""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from servicedesk.accounts.models import User
from servicedesk.mailin.models import InboundMessage, Mailbox
from servicedesk.mailin.parsing import TICKET_TAG
from servicedesk.notifications.models import OutboxMessage
from servicedesk.tickets.models import Ticket


def inbound_duplicate(
    *, mailbox: Mailbox, source_ref: str, message_id: str, sha256: str
) -> InboundMessage | None:
    """The stored row this delivery repeats: the same IMAP UID or Maildir file, or the same
    Message-ID with the same bytes."""
    match = Q(pk__in=[])
    if source_ref:
        match |= Q(source_ref=source_ref)
    if message_id:
        match |= Q(message_id=message_id, sha256=sha256)
    return InboundMessage.objects.filter(match, mailbox=mailbox).order_by("id").first()


def _thread_root(message_id: str) -> int | None:
    """The ticket id of the desk's thread-root form `<tickets.ticket.PK@DOMAIN>`."""
    domain = re.escape(settings.SERVICEDESK_MESSAGE_ID_DOMAIN)
    found = re.fullmatch(rf"<tickets\.ticket\.(\d+)@{domain}>", message_id, re.IGNORECASE)
    return int(found.group(1)) if found else None


def ticket_for_mail(*, references: list[str], subject: str) -> Ticket | None:
    """The ticket a mail answers: the first of its In-Reply-To/References ids that the desk
    sent about a ticket (or the ticket's thread root), else the `[INC0001234]` tag of its
    subject; None for a new request."""
    if references:
        ticket_type = ContentType.objects.get_for_model(Ticket)
        sent = dict(
            OutboxMessage.objects.filter(message_id__in=references, subject_type=ticket_type)
            .order_by("id")
            .values_list("message_id", "subject_id")
        )
        for message_id in references:
            pk = sent.get(message_id) or _thread_root(message_id)
            if pk is not None:
                ticket = Ticket.objects.filter(pk=pk).first()
                if ticket is not None:
                    return ticket
    tag = TICKET_TAG.search(subject or "")
    if tag:
        return Ticket.objects.filter(number=tag.group(1)).first()
    return None


def person_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email, is_active=True).order_by("id").first()


def sender_recent_count(*, message: InboundMessage, hours: int = 1) -> int:
    """How many messages from the same sender were stored in the hour before this one."""
    since: datetime = message.received_at - timedelta(hours=hours)
    return (
        InboundMessage.objects.filter(
            from_address=message.from_address, received_at__gte=since, pk__lt=message.pk
        )
        .exclude(from_address="")
        .count()
    )


def inbound_received_ids(*, limit: int) -> list[int]:
    """Ids of messages stored but not yet processed, oldest first."""
    return list(
        InboundMessage.objects.filter(status=InboundMessage.Status.RECEIVED)
        .order_by("received_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def mailbox_default() -> Mailbox | None:
    name = settings.SERVICEDESK_MAILIN_DEFAULT_MAILBOX
    return Mailbox.objects.filter(name=name).first()


def mailbox_get(name: str) -> Mailbox | None:
    return Mailbox.objects.filter(name=name).first()


def mailboxes_due_ids(*, now: datetime) -> list[int]:
    """Active IMAP and Maildir mailboxes whose next poll has come."""
    return list(
        Mailbox.objects.filter(is_active=True, kind__in=[Mailbox.Kind.IMAP, Mailbox.Kind.MAILDIR])
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .order_by("id")
        .values_list("pk", flat=True)
    )
