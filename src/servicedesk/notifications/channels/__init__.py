"""The delivery channels. A channel is a module with one `send(batch) -> {id: Failure}` that
sends a batch of outbox messages of its kind; a new channel is one module and one line here."""

from servicedesk.notifications.channels import email, slack, teams, webhook
from servicedesk.notifications.channels.base import Failure

CHANNELS = {
    "email": email.send,
    "webhook": webhook.send,
    "slack": slack.send,
    "teams": teams.send,
}

__all__ = ["CHANNELS", "Failure"]
