"""PagerDuty's Events API v2 (`POST /v2/enqueue`), so a tool set up for PagerDuty with a custom
events URL works unchanged.

One event is one alert change. A trigger without `dedup_key` gets one, returned in the answer;
acknowledge and resolve need the key. After a resolve the same key opens a new alert.
"""

import json
import uuid

from django.utils.translation import gettext as _

from servicedesk.alerts.sources import (
    ACTIONS,
    KEY_MAX,
    SEVERITIES,
    TRIGGER,
    Item,
    Reply,
    SourceInvalid,
    SourceSpec,
    body_object,
    choice,
    mapping,
    moment,
    text,
)

PAYLOAD_FIELDS = ("component", "group", "class")


def parse(data) -> list[Item]:
    data = body_object(data)
    errors: dict[str, str] = {}
    action = choice(data, "event_action", errors, ACTIONS, required=True)
    key = text(data, "dedup_key", errors, limit=KEY_MAX)
    if action and action != TRIGGER and not key and "dedup_key" not in errors:
        errors["dedup_key"] = _("Required to %(action)s an alert.") % {"action": action}
    item = Item(key=key or uuid.uuid4().hex, action=action or TRIGGER)
    if action == TRIGGER and "payload" not in data:
        errors["payload"] = _("This field is required.")
    elif action == TRIGGER or "payload" in data:
        _payload_read(item, mapping(data, "payload", errors), errors)
    item.links = _links(data, errors)
    if errors:
        raise SourceInvalid(errors)
    return [item]


def _payload_read(item: Item, payload: dict, errors: dict) -> None:
    path = "payload."
    item.summary = text(payload, "summary", errors, path=path, required=True)
    item.source = text(payload, "source", errors, path=path, required=True, limit=255)
    item.severity = (
        choice(payload, "severity", errors, SEVERITIES, path=path, required=True) or "warning"
    )
    item.at = moment(payload, "timestamp", errors, path=path)
    item.labels = {
        name: value
        for name in PAYLOAD_FIELDS
        if (value := text(payload, name, errors, path=path, limit=255))
    }
    details = payload.get("custom_details")
    if isinstance(details, dict):
        item.details = details
    elif details is not None:
        item.details = {"details": details}


def _links(data: dict, errors: dict) -> list:
    links = []
    for name, url_field in (("links", "href"), ("images", "src")):
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, list):
            errors[name] = _("Must be a list.")
            continue
        for index, link in enumerate(value):
            where = f"{name}.{index}."
            if not isinstance(link, dict):
                errors[where[:-1]] = _("Must be an object.")
                continue
            href = text(link, url_field, errors, path=where, required=True, limit=2000)
            label = text(link, "text" if name == "links" else "alt", errors, path=where, limit=255)
            if href:
                links.append({"href": href, "text": label})
    return links


def accepted(items: list[Item]) -> Reply:
    return Reply(
        202, {"status": "success", "message": "Event processed", "dedup_key": items[0].key}
    )


def invalid(errors: dict[str, str]) -> Reply:
    return Reply(
        400,
        {
            "status": "invalid event",
            "message": "Event object is invalid",
            "errors": [f"{field}: {reason}" for field, reason in errors.items()],
        },
    )


EXAMPLE = json.dumps(
    {
        "routing_key": "{key}",
        "event_action": "trigger",
        "dedup_key": "db1-disk-var",
        "payload": {
            "summary": "Disk /var on db1 is 97% full",
            "source": "db1",
            "severity": "critical",
            "component": "postgres",
        },
    }
)

SOURCE = SourceSpec(
    name="pagerduty",
    parse=parse,
    accepted=accepted,
    invalid=invalid,
    example=EXAMPLE,
    key_in_body=True,
)
