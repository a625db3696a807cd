"""Each person chooses which topics reach them by which of their channels.

The default is everything on (a person with `email_notifications` off is still never emailed);
only the choices away from it are stored, one `NotificationPreference` row each. A mandatory
topic (security, breaches) reaches its people whatever they chose. A person is offered the
topics meant for them: a requester the requester topics, desk staff every topic.

A person's channels are the rows of PERSON_CHANNELS: a later channel (SMS, voice, a push
webhook) is one more row there and in `person_recipient`, and the settings pages, the API and
the filter in `notify()` take it up without other code.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicedesk.accounts.models import User
from servicedesk.core.errors import ValidationFailed
from servicedesk.notifications.models import NotificationPreference
from servicedesk.notifications.topics import (
    REQUESTER,
    SUBSCRIBERS,
    Topic,
    topic_get,
    topics_all,
)

#: the channels of a person: (name, label, whether this person has it)
PERSON_CHANNELS: list[tuple[str, object, object]] = [
    (
        "email",
        gettext_lazy("Email"),
        lambda person: bool(person.email and person.email_notifications),
    ),
]
CHANNEL_NAMES = frozenset(name for name, _label, _has in PERSON_CHANNELS)


@dataclass(frozen=True)
class Choice:
    channel: str
    label: str
    #: the person has this channel at all (an email address, emails not turned off)
    available: bool
    enabled: bool


@dataclass(frozen=True)
class TopicChoices:
    topic: Topic
    choices: tuple[Choice, ...]


def topics_for(person: User) -> list[Topic]:
    """The topics a person is offered: a requester's, or every person's topic for desk staff."""
    staff = person.is_desk_staff
    return [
        t for t in topics_all() if t.audience != SUBSCRIBERS and (staff or t.audience == REQUESTER)
    ]


def preferences_for(*, person: User) -> list[TopicChoices]:
    """The person's topics, each with every channel of theirs and whether it is on."""
    off = set(
        NotificationPreference.objects.filter(person=person, enabled=False).values_list(
            "topic", "channel"
        )
    )
    has = {name: bool(check(person)) for name, _label, check in PERSON_CHANNELS}
    return [
        TopicChoices(
            topic,
            tuple(
                Choice(
                    name,
                    str(label),
                    has[name],
                    topic.mandatory or (topic.name, name) not in off,
                )
                for name, label, _check in PERSON_CHANNELS
            ),
        )
        for topic in topics_for(person)
    ]


def notification_preferences_set(
    *, person: User, choices: list[tuple[str, str, bool]]
) -> list[TopicChoices]:
    """Turn each (topic, channel, enabled) of `choices` on or off for `person`.

    All or nothing: a topic that is not offered to them, an unknown channel or turning off a
    mandatory topic refuses the whole change, naming the entry and the reason.
    """
    offered = {t.name: t for t in topics_for(person)}
    errors: dict[str, list[str]] = {}
    for index, (topic, channel, enabled) in enumerate(choices):
        field = f"preferences[{index}]"
        if topic not in offered:
            errors.setdefault(f"{field}.topic", []).append(
                _("%(topic)s is not a notification topic of yours.") % {"topic": topic}
            )
        elif not enabled and offered[topic].mandatory:
            errors.setdefault(f"{field}.enabled", []).append(
                _("%(topic)s cannot be turned off: it concerns security or a breach.")
                % {"topic": topic}
            )
        if channel not in CHANNEL_NAMES:
            errors.setdefault(f"{field}.channel", []).append(
                _("Choose one of the channels: %(channels)s.")
                % {"channels": ", ".join(sorted(CHANNEL_NAMES))}
            )
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        for topic, channel, enabled in choices:
            if enabled:  # the default: no row
                NotificationPreference.objects.filter(
                    person=person, topic=topic, channel=channel
                ).delete()
            else:
                NotificationPreference.objects.update_or_create(
                    person=person, topic=topic, channel=channel, defaults={"enabled": False}
                )
    return preferences_for(person=person)


def preferences_apply(topic: str, recipients: list) -> list:
    """`recipients` without the people who turned `topic` off on that channel: one query for
    every person of the audience, none when the topic is mandatory or reaches nobody's own
    channel."""
    if topic_get(topic).mandatory:
        return recipients
    people = {
        r.person.pk for r in recipients if r.person is not None and r.channel in CHANNEL_NAMES
    }
    if not people:
        return recipients
    off = set(
        NotificationPreference.objects.filter(
            person_id__in=people, topic=topic, enabled=False
        ).values_list("person_id", "channel")
    )
    if not off:
        return recipients
    return [r for r in recipients if r.person is None or (r.person.pk, r.channel) not in off]
