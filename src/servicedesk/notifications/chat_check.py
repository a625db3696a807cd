"""The administrator's "send a test message" to a chat channel: one outbox message written and
delivered at once, so the answer (sent, or the channel's refusal) is seen on the spot and the
message stays in the outbox like any other."""

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.notifications.models import ChatChannel, OutboxMessage
from servicedesk.notifications.services import outbox_message_deliver
from servicedesk.notifications.subscriptions import chat_channel_language, chat_test_body

TEST_TOPIC = "chat.test"


def chat_channel_test_send(*, channel: ChatChannel) -> OutboxMessage:
    """Send `channel` a test message now; returns its outbox row (sent, or with its error)."""
    now = timezone.now()
    key = f"chat-test:{channel.pk}:{uuid.uuid4().hex}"
    with transaction.atomic():
        message = OutboxMessage.objects.create(
            channel=channel.kind,
            destination=str(channel.pk),
            topic=TEST_TOPIC,
            language=chat_channel_language(channel),
            title=_("Test message from the service desk"),
            body=chat_test_body(channel),
            message_id=f"msg_{key[-24:]}",
            dedup_key=key,
            created_at=now,
            next_attempt_at=now,
        )
    outbox_message_deliver(message_id=message.pk)
    message.refresh_from_db()
    return message
