"""A strict check of a Slack incoming-webhook message against Block Kit's documented rules.

Slack publishes no JSON Schema for Block Kit, so the rules of the blocks the desk sends are
written out here from its reference (https://docs.slack.dev/reference/block-kit/): every key
known, every type allowed where it stands, every length and count within its limit. As a second
opinion each block is parsed by Slack's own SDK models (slack_sdk), which raise on a limit and
drop a key they do not know: the block must come back unchanged.
"""

from slack_sdk.models.blocks import Block

MESSAGE_KEYS = {"text", "blocks"}
MAX_BLOCKS = 50
BLOCK_ID_LIMIT = 255


def _text(obj, where: str, *, limit: int, kinds=("plain_text", "mrkdwn")) -> None:
    assert isinstance(obj, dict), f"{where}: a text object"
    assert obj.get("type") in kinds, f"{where}: type {obj.get('type')!r} not in {kinds}"
    allowed = (
        {"type", "text", "emoji"} if obj["type"] == "plain_text" else {"type", "text", "verbatim"}
    )
    assert set(obj) <= allowed, f"{where}: unknown keys {set(obj) - allowed}"
    assert isinstance(obj["text"], str) and obj["text"], f"{where}: text must be non-empty"
    assert len(obj["text"]) <= limit, f"{where}: {len(obj['text'])} characters > {limit}"
    for flag in ("emoji", "verbatim"):
        if flag in obj:
            assert isinstance(obj[flag], bool), f"{where}.{flag}: a boolean"


def _button(element: dict, where: str) -> None:
    allowed = {"type", "text", "url", "action_id", "value", "style", "accessibility_label"}
    assert set(element) <= allowed, f"{where}: unknown keys {set(element) - allowed}"
    _text(element["text"], f"{where}.text", limit=75, kinds=("plain_text",))
    if "url" in element:
        assert element["url"].startswith(("https://", "http://")), f"{where}.url"
        assert len(element["url"]) <= 3000, f"{where}.url longer than 3000"
    assert len(element.get("action_id", "")) <= 255, f"{where}.action_id"


def _block(block: dict, where: str) -> None:
    kind = block.get("type")
    if "block_id" in block:
        assert len(block["block_id"]) <= BLOCK_ID_LIMIT, f"{where}.block_id"
    if kind == "header":
        assert set(block) <= {"type", "text", "block_id"}, f"{where}: keys {set(block)}"
        _text(block["text"], f"{where}.text", limit=150, kinds=("plain_text",))
    elif kind == "section":
        assert set(block) <= {"type", "text", "fields", "block_id", "accessory"}, where
        assert "text" in block or "fields" in block, f"{where}: text or fields required"
        if "text" in block:
            _text(block["text"], f"{where}.text", limit=3000)
        fields = block.get("fields", [])
        assert len(fields) <= 10, f"{where}: {len(fields)} fields > 10"
        for n, field in enumerate(fields):
            _text(field, f"{where}.fields[{n}]", limit=2000)
    elif kind == "actions":
        assert set(block) <= {"type", "elements", "block_id"}, where
        assert 1 <= len(block["elements"]) <= 25, f"{where}: 1 to 25 elements"
        for n, element in enumerate(block["elements"]):
            assert element["type"] == "button", f"{where}.elements[{n}]: only buttons are sent"
            _button(element, f"{where}.elements[{n}]")
    elif kind == "context":
        assert set(block) <= {"type", "elements", "block_id"}, where
        assert 1 <= len(block["elements"]) <= 10, f"{where}: 1 to 10 elements"
        for n, element in enumerate(block["elements"]):
            _text(element, f"{where}.elements[{n}]", limit=3000)
    elif kind == "divider":
        assert set(block) <= {"type", "block_id"}, where
    else:
        raise AssertionError(f"{where}: block type {kind!r} is not one the desk sends")
    parsed = Block.parse(block)
    assert parsed is not None, f"{where}: slack_sdk does not know {kind!r}"
    assert parsed.to_dict() == block, f"{where}: slack_sdk reads it differently"


def assert_block_kit_message(message: dict) -> None:
    """Raise AssertionError naming the first rule `message` breaks."""
    assert isinstance(message, dict), "a JSON object"
    assert set(message) <= MESSAGE_KEYS, f"unknown keys {set(message) - MESSAGE_KEYS}"
    assert isinstance(message.get("text"), str) and message["text"], "a fallback text"
    blocks = message["blocks"]
    assert 1 <= len(blocks) <= MAX_BLOCKS, f"{len(blocks)} blocks"
    for n, block in enumerate(blocks):
        _block(block, f"blocks[{n}]")
