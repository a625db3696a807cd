"""What the desk can tell people about, declared by the app that owns each topic.

A topic is registered once (in its app's `AppConfig.ready()`): its name (`ticket.logged`), a
label for the admin's webhook subscriptions, and the email template (first line the subject,
the rest the body), who it is for (`audience`: the people who asked for help, or the desk's
staff, which decides whose settings page offers it) and whether a person may turn it off
(`mandatory`: security and breach topics reach everyone they are for). Apps also register how
their objects look in a webhook's JSON (`payload_register`), which facts of them a chat
subscription can filter on (`facts_register`: group, priority) and how a chat message
summarises them (`summary_register`), so notifications name no app.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

#: who a topic is for: requesters read requester topics; desk staff read both; a subscribers'
#: topic goes to addresses that are nobody's account (a status page's readers) and is on no
#: person's settings page
REQUESTER = "requester"
STAFF = "staff"
SUBSCRIBERS = "subscribers"


@dataclass(frozen=True)
class Topic:
    name: str
    label: str
    template: str
    #: the first message of a subject's email thread (its Message-ID is the thread's root)
    starts_thread: bool = False
    #: REQUESTER, STAFF or SUBSCRIBERS: whose notification settings offer it
    audience: str = STAFF
    #: a security or breach topic: nobody can turn it off
    mandatory: bool = False


@dataclass(frozen=True)
class Summary:
    """How a chat message shows its subject, in the language active when it is built."""

    #: a short reference people quote ("INC0000123")
    reference: str
    title: str
    #: the subject's page in the console, a path under SITE_URL
    path: str
    #: (label, value) pairs shown as the message's facts
    fields: tuple[tuple[str, str], ...] = ()


_topics: dict[str, Topic] = {}
_payloads: dict[type[models.Model], Callable[[models.Model], dict]] = {}
_facts: dict[type[models.Model], Callable[[models.Model], dict]] = {}
_summaries: dict[type[models.Model], Callable[[models.Model], Summary]] = {}
_fact_choices: dict[str, list[tuple[str, str]]] = {}


def topic_register(topic: Topic) -> Topic:
    _topics[topic.name] = topic
    return topic


def topic_get(name: str) -> Topic:
    try:
        return _topics[name]
    except KeyError:
        raise ValueError(f"No notification topic {name!r} is registered.") from None


def topics_all() -> list[Topic]:
    return list(_topics.values())


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


def facts_register(
    model: type[models.Model],
    builder: Callable[[models.Model], dict],
    *,
    choices: dict[str, list[tuple[str, str]]] | None = None,
) -> None:
    """What a chat subscription can filter an object of `model` on: `{"group": id or None,
    "priority": "P1"}`, and the values a subscription may choose for a fact other than the
    group (`choices={"priority": [("P1", label), …]}`). A subject with no facts matches only
    subscriptions without filters."""
    _facts[model] = builder
    for fact, values in (choices or {}).items():
        known = _fact_choices.setdefault(fact, [])
        known.extend(v for v in values if v[0] not in {k for k, _label in known})


def fact_choices(fact: str) -> list[tuple[str, str]]:
    return list(_fact_choices.get(fact, []))


def facts_for(obj: models.Model | None) -> dict:
    builder = _facts.get(type(obj)) if obj is not None else None
    return builder(obj) if builder else {}


def summary_register(model: type[models.Model], builder: Callable[[models.Model], Summary]) -> None:
    """How a chat message shows an object of `model`; called in the message's language."""
    _summaries[model] = builder


def summary_for(obj: models.Model | None) -> Summary | None:
    if obj is None:
        return None
    builder = _summaries.get(type(obj))
    return builder(obj) if builder else Summary(reference=str(obj.pk), title=str(obj), path="")
