"""A check of a Teams incoming-webhook message: the message envelope as Microsoft documents it
for incoming webhooks and Workflows, and its card against the Adaptive Card JSON Schema
published by Microsoft (vendored in schemas/, from the MIT-licensed adaptivecards-designer
package), plus the Teams limits the schema does not state (28 KB a message)."""

import json
from functools import cache
from pathlib import Path

import jsonschema

SCHEMA = Path(__file__).parent / "schemas" / "adaptive-card.json"
MESSAGE_LIMIT = 28 * 1024
ELEMENTS_SENT = {"TextBlock", "FactSet"}


@cache
def _validator():
    schema = json.loads(SCHEMA.read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def assert_adaptive_card_message(message: dict) -> None:
    """Raise AssertionError (or jsonschema's ValidationError) naming what `message` breaks."""
    assert len(json.dumps(message).encode()) <= MESSAGE_LIMIT, "over Teams' 28 KB"
    assert set(message) == {"type", "attachments"}, set(message)
    assert message["type"] == "message"
    assert len(message["attachments"]) == 1
    attachment = message["attachments"][0]
    assert set(attachment) <= {"contentType", "contentUrl", "content"}, set(attachment)
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    major, minor = (int(part) for part in card["version"].split("."))
    assert (major, minor) >= (1, 4), card["version"]
    _validator().validate(card)
    for element in card["body"]:
        assert element["type"] in ELEMENTS_SENT, element["type"]
        if element["type"] == "TextBlock":
            assert element["text"].strip(), "an empty TextBlock"
        else:
            for fact in element["facts"]:
                assert set(fact) == {"title", "value"} and all(fact.values()), fact
    for action in card.get("actions", []):
        assert action["type"] == "Action.OpenUrl" and action["url"].startswith("http"), action
