"""Microsoft Teams: a message is an Adaptive Card POSTed to a channel's incoming webhook (or a
Workflows "post to a channel when a webhook request is received" URL, which takes the same).

The body is the message shape both accept: `{"type": "message", "attachments": [{"contentType":
"application/vnd.microsoft.card.adaptive", "content": <AdaptiveCard 1.4>}]}`; the card has a
headline, the subject's reference and title, its facts and an "open" action. Teams refuses a
message over 28 KB: text is cut well below that.
"""

import json

from servicedesk.notifications.channels import chat
from servicedesk.notifications.channels.base import Failure

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
TEXT_LIMIT = 2000
FACT_LIMIT = 500
FACTS_MAX = 10


def card(message: chat.Message, language: str) -> dict:
    """The Adaptive Card for `message`."""
    summary = message.summary
    body = [
        {
            "type": "TextBlock",
            "text": chat.clip(message.headline, FACT_LIMIT),
            "size": "medium",
            "weight": "bolder",
            "wrap": True,
        },
        {
            "type": "TextBlock",
            "text": chat.clip(f"{summary.reference} {summary.title}", TEXT_LIMIT),
            "wrap": True,
        },
    ]
    if summary.fields:
        body.append(
            {
                "type": "FactSet",
                "facts": [
                    {"title": chat.clip(label, FACT_LIMIT), "value": chat.clip(value, FACT_LIMIT)}
                    for label, value in summary.fields[:FACTS_MAX]
                ],
            }
        )
    body.append(
        {
            "type": "TextBlock",
            "text": chat.clip(message.footer, FACT_LIMIT),
            "isSubtle": True,
            "size": "small",
            "wrap": True,
        }
    )
    content = {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "lang": language,
        "fallbackText": chat.clip(
            f"{message.headline}: {summary.reference} {summary.title}", TEXT_LIMIT
        ),
        "body": body,
    }
    if message.url:
        content["actions"] = [
            {
                "type": "Action.OpenUrl",
                "title": chat.clip(message.link_text, 75),
                "url": message.url,
            }
        ]
    return content


def payload(message: chat.Message, language: str) -> dict:
    return {
        "type": "message",
        "attachments": [
            {"contentType": CONTENT_TYPE, "contentUrl": None, "content": card(message, language)}
        ],
    }


def render(message: chat.Message, language: str) -> str:
    return json.dumps(payload(message, language), ensure_ascii=False, separators=(",", ":"))


def send(batch) -> dict[int, Failure]:
    return chat.send(batch, "teams")
