"""Webhooks: each message is a JSON POST to a subscribed endpoint, signed as Standard Webhooks.

The request goes only to a public address (or one an administrator allow-listed in
SERVICEDESK_WEBHOOK_ALLOWED_TARGETS), to the address checked, with no redirect followed
(`notifications/http.py`). The `webhook-id` is the outbox message's id, the same on every
attempt, so a receiver drops a repeat; a refused target, a deleted endpoint or a secret that
cannot sign ends the message dead at once, a failing one is retried with backoff by the outbox.
"""

from django.conf import settings
from django.utils import timezone

from servicedesk.notifications.channels.base import Failure
from servicedesk.notifications.http import DeliveryFailed, TargetRefused, post_json
from servicedesk.notifications.models import WebhookEndpoint
from servicedesk.notifications.signing import webhook_headers


def send(batch) -> dict[int, Failure]:
    endpoints = WebhookEndpoint.objects.in_bulk([int(m.destination) for m in batch])
    failures = {}
    for message in batch:
        endpoint = endpoints.get(int(message.destination))
        if endpoint is None or not endpoint.is_active:
            failures[message.pk] = Failure("The webhook endpoint was removed or disabled.", True)
            continue
        body = message.body.encode()
        try:
            headers = webhook_headers(
                secret=endpoint.secret,
                message_id=message.message_id,
                timestamp=int(timezone.now().timestamp()),
                body=body,
            )
        except ValueError as error:
            # A secret that cannot sign would otherwise abort the whole batch after its claim,
            # and every message in it would be sent again when the lease runs out.
            failures[message.pk] = Failure(
                f"The endpoint's signing secret is invalid: {error}", True
            )
            continue
        try:
            post_json(
                endpoint.url,
                body=body,
                headers=headers,
                timeout=settings.SERVICEDESK_WEBHOOK_TIMEOUT,
                allowed=settings.SERVICEDESK_WEBHOOK_ALLOWED_TARGETS,
            )
        except TargetRefused as error:
            failures[message.pk] = Failure(f"Refused: {error}", True)
        except DeliveryFailed as error:
            failures[message.pk] = Failure(str(error))
    return failures
