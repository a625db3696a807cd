"""The monitor formats, one declarative module each, and what they share.

A source says how to read its body into `Item`s (one alert change each: key, action, severity,
summary, …) and how to answer: PagerDuty's clients expect PagerDuty's response shapes, the
others get the API's error shape. Intake and processing know only `Item` and `SourceSpec`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

TRIGGER, ACKNOWLEDGE, RESOLVE = "trigger", "acknowledge", "resolve"
ACTIONS = (TRIGGER, ACKNOWLEDGE, RESOLVE)
SEVERITIES = ("critical", "error", "warning", "info")
KEY_MAX = 255
SUMMARY_MAX = 1024


class SourceInvalid(Exception):  # noqa: N818 - the body is wrong, as its errors say
    """The body does not fit the format: `errors` maps a field path to its reason."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass
class Item:
    """One alert change read from an event, as JSON-ready values (stored in RawEvent.items)."""

    key: str
    action: str
    severity: str = "warning"
    summary: str = ""
    source: str = ""
    at: str = ""  # ISO 8601, the monitor's time of the change; empty: when it arrived
    labels: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    links: list = field(default_factory=list)
    # Who acknowledged it, when the monitor names a person (an email or a username).
    by: str = ""


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SourceSpec:
    """A monitor format: how to read a body, and the answers its senders expect."""

    name: str
    parse: Callable[[object], list[Item]]
    accepted: Callable[[list[Item]], Reply]
    invalid: Callable[[dict[str, str]], Reply]
    # An example body for the integration page's `curl` (the key goes where {key} is).
    example: str
    # Where the routing key travels: in the path, or in the body (PagerDuty's `routing_key`).
    key_in_body: bool = False


def api_accepted(items: list[Item]) -> Reply:
    return Reply(202, {"status": "accepted", "alerts": len(items)})


def api_invalid(errors: dict[str, str]) -> Reply:
    return Reply(
        400,
        {
            "detail": "; ".join(f"{k}: {v}" for k, v in errors.items()),
            "code": "invalid",
            "errors": {k: [v] for k, v in errors.items()},
        },
    )


# ---------------------------------------------------------------------------------------------
# Field readers: each adds the field's reason to `errors` and returns a usable default.


def text(
    data: dict, name: str, errors: dict, *, path: str = "", required=False, limit=SUMMARY_MAX
) -> str:
    where = f"{path}{name}"
    value = data.get(name)
    if value is None or value == "":
        if required:
            errors[where] = _("This field is required.")
        return ""
    if not isinstance(value, str):
        errors[where] = _("Must be a string.")
        return ""
    if len(value) > limit:
        errors[where] = _("At most %(limit)d characters.") % {"limit": limit}
        return ""
    return value


def mapping(data: dict, name: str, errors: dict, *, path: str = "", strings=False) -> dict:
    where = f"{path}{name}"
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors[where] = _("Must be an object.")
        return {}
    if strings and not all(isinstance(v, str) for v in value.values()):
        errors[where] = _("Every value must be a string.")
        return {}
    return value


def moment(data: dict, name: str, errors: dict, *, path: str = "", required=False) -> str:
    """An ISO 8601 date and time with its offset, as given (validated)."""
    where = f"{path}{name}"
    value = text(data, name, errors, path=path, required=required, limit=64)
    if not value:
        return ""
    try:
        parsed: datetime | None = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        errors[where] = _("Must be an ISO 8601 date and time with its offset.")
        return ""
    return value


def choice(data: dict, name: str, errors: dict, options, *, path="", required=False) -> str:
    where = f"{path}{name}"
    value = text(data, name, errors, path=path, required=required, limit=64)
    if value and value not in options:
        errors[where] = _("Must be one of: %s.") % ", ".join(options)
        return ""
    return value


def body_object(data) -> dict:
    if not isinstance(data, dict):
        raise SourceInvalid({"body": _("Must be a JSON object.")})
    return data
