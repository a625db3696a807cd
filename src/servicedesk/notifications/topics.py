"""What the desk can tell people about, declared by the app that owns each topic.

A topic is registered once (in its app's `AppConfig.ready()`): its name (`ticket.logged`), a
label for the admin's webhook subscriptions, and the email template (first line the subject,
the rest the body). Apps also register how their objects look in a webhook's JSON
(`payload_register`), so notifications name no app.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Topic:
    name: str
    label: str
    template: str
    #: the first message of a subject's email thread (its Message-ID is the thread's root)
    starts_thread: bool = False


_topics: dict[str, Topic] = {}
_payloads: dict[type[models.Model], Callable[[models.Model], dict]] = {}


def topic_register(topic: Topic) -> Topic:
    _topics[topic.name] = topic
    return topic


def topic_get(name: str) -> Topic:
    try:
        return _topics[name]
    except KeyError:
        raise ValueError(f"No notification topic {name!r} is registered.") from None


def topic_choices() -> list[tuple[str, str]]:
    return [(topic.name, f"{topic.name} – {topic.label}") for topic in _topics.values()]


def payload_register(model: type[models.Model], builder: Callable[[models.Model], dict]) -> None:
    """How an object of `model` is written in the JSON of a webhook event."""
    _payloads[model] = builder


def payload_for(obj: models.Model | None) -> dict | None:
    if obj is None:
        return None
    builder = _payloads.get(type(obj))
    return builder(obj) if builder else {"type": obj._meta.label_lower, "id": obj.pk}
