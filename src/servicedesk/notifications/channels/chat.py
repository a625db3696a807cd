"""What the Slack and Teams channels share: a message is the JSON rendered when it was queued,
POSTed to the channel's incoming webhook through the SSRF-safe `post_json`.

An answer that retrying cannot mend (4xx other than 408 and 429: Slack's `invalid_payload`,
`no_service`, `channel_is_archived`, a Teams card it refuses or a workflow that was deleted)
ends the message dead at once with the answer on the row; a timeout, 408, 429 or 5xx is
retried with backoff by the outbox. A removed or disabled channel ends its messages dead.
"""

from dataclasses import dataclass

from django.conf import settings

from servicedesk.notifications.channels.base import Failure
from servicedesk.notifications.http import DeliveryFailed, TargetRefused, post_json
from servicedesk.notifications.models import ChatChannel
from servicedesk.notifications.topics import Summary

RETRIED_4XX = {408, 425, 429}


@dataclass(frozen=True)
class Message:
    """What a chat message says, in its language: the topic's label and the subject's summary."""

    headline: str
    summary: Summary
    #: the subject's page in the console, absolute; empty when it has none
    url: str
    #: the text of the link to `url`
    link_text: str
    #: a last line naming where it comes from
    footer: str


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, an ellipsis marking the cut."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def failure_of(error: DeliveryFailed) -> Failure:
    status = error.status
    permanent = status is not None and 400 <= status < 500 and status not in RETRIED_4XX
    return Failure(str(error), permanent)


def send(batch, kind: str) -> dict[int, Failure]:
    """POST each message's body to its channel's webhook; the failures by message id."""
    found = ChatChannel.objects.in_bulk([int(m.destination) for m in batch])
    failures = {}
    for message in batch:
        channel = found.get(int(message.destination))
        if channel is None or not channel.is_active or channel.kind != kind:
            failures[message.pk] = Failure("The chat channel was removed or disabled.", True)
            continue
        try:
            post_json(
                channel.webhook_url,
                body=message.body.encode(),
                headers={"content-type": "application/json"},
                timeout=settings.SERVICEDESK_WEBHOOK_TIMEOUT,
                allowed=settings.SERVICEDESK_WEBHOOK_ALLOWED_TARGETS,
            )
        except TargetRefused as error:
            failures[message.pk] = Failure(f"Refused: {error}", True)
        except DeliveryFailed as error:
            failures[message.pk] = failure_of(error)
    return failures
