"""Slack: a message is Block Kit JSON POSTed to a channel's incoming webhook.

The body is `{"text": fallback, "blocks": [header, section with fields, actions, context]}`,
within Slack's documented limits (a header's plain_text at most 150 characters, a section's
text 3,000, at most 10 fields of 2,000 each, a button's text 75, its URL 3,000, at most 50
blocks); longer text is cut with an ellipsis. `&`, `<` and `>` in text are escaped as Slack's
mrkdwn requires, so a ticket's title cannot forge a link or a mention.
"""

import json

from servicedesk.notifications.channels import chat
from servicedesk.notifications.channels.base import Failure

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
FIELDS_MAX = 10
BUTTON_TEXT_LIMIT = 75
URL_LIMIT = 3000
CONTEXT_LIMIT = 3000


def escape(text: str) -> str:
    """Text safe inside mrkdwn: the three characters Slack reserves for links and mentions."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mrkdwn(text: str, limit: int) -> dict:
    return {"type": "mrkdwn", "text": chat.clip(text, limit), "verbatim": True}


def payload(message: chat.Message) -> dict:
    """The Block Kit message for `message`."""
    summary = message.summary
    reference = escape(summary.reference)
    title = escape(summary.title)
    if message.url and len(message.url) <= URL_LIMIT:
        reference = f"<{message.url}|{reference.replace('|', '¦')}>"
    blocks = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": chat.clip(message.headline, HEADER_LIMIT),
                "emoji": False,
            },
        },
    ]
    section = {"type": "section", "text": _mrkdwn(f"*{reference}* {title}", SECTION_LIMIT)}
    fields = [
        _mrkdwn(f"*{escape(label)}*\n{escape(value)}", FIELD_LIMIT)
        for label, value in summary.fields[:FIELDS_MAX]
    ]
    if fields:
        section["fields"] = fields
    blocks.append(section)
    if message.url and len(message.url) <= URL_LIMIT:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {
                            "type": "plain_text",
                            "text": chat.clip(message.link_text, BUTTON_TEXT_LIMIT),
                        },
                        "url": message.url,
                        "action_id": "open",
                    }
                ],
            }
        )
    blocks.append({"type": "context", "elements": [_mrkdwn(escape(message.footer), CONTEXT_LIMIT)]})
    # The notification's text (and what screen readers and old clients show).
    fallback = f"{message.headline}: {summary.reference} {summary.title}"
    return {"text": chat.clip(fallback, SECTION_LIMIT), "blocks": blocks}


def render(message: chat.Message, language: str) -> str:
    return json.dumps(payload(message), ensure_ascii=False, separators=(",", ":"))


def send(batch) -> dict[int, Failure]:
    return chat.send(batch, "slack")
