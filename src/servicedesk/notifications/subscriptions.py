"""Chat channels subscribed to a topic: who gets an event besides its audience, and the message
each is sent, rendered when it is queued in the channel's language.

A channel narrowed to support groups or priorities gets an event only when its subject's facts
(registered by the subject's app with `topics.facts_register`) match: "P1 and P2 incidents of
group Network". A subject with no facts reaches only channels without such filters. The active
channels are read once per cache period, not once per event.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

from servicedesk.core.caches import TIMEOUT, reference_key
from servicedesk.notifications.channels import chat, slack, teams
from servicedesk.notifications.models import ChatChannel
from servicedesk.notifications.topics import Summary, Topic, facts_for, summary_for

CHAT_CHANNELS_KEY = reference_key("notifications:chat-channels")
RENDERERS = {ChatChannel.Kind.SLACK: slack.render, ChatChannel.Kind.TEAMS: teams.render}


def _channels() -> list[dict]:
    def read():
        rows = ChatChannel.objects.filter(is_active=True).prefetch_related("groups")
        return [
            {
                "pk": c.pk,
                "kind": c.kind,
                "topics": tuple(c.topics),
                "groups": frozenset(g.pk for g in c.groups.all()),
                "priorities": frozenset(c.priorities),
                "language": chat_channel_language(c),
            }
            for c in rows
        ]

    return cache.get_or_set(CHAT_CHANNELS_KEY, read, TIMEOUT)


def chat_channel_language(channel: ChatChannel) -> str:
    """The language a channel is written in: its own, else its groups' when they share one,
    else the site's."""
    return channel.language or _group_language(channel) or settings.LANGUAGE_CODE


def _group_language(channel: ChatChannel) -> str:
    """The language of the channel's groups, when they all speak the same one."""
    languages = {g.language for g in channel.groups.all()}
    return languages.pop() if len(languages) == 1 else ""


def matches(subscription: dict, topic: str, facts: dict) -> bool:
    """Whether a channel (as `_channels` reads it) takes an event of `topic` with `facts`."""
    if topic not in subscription["topics"] and "*" not in subscription["topics"]:
        return False
    if subscription["groups"] and facts.get("group") not in subscription["groups"]:
        return False
    return not subscription["priorities"] or facts.get("priority") in subscription["priorities"]


def chat_recipients(topic: str, subject, recipient_type):
    """The chat channels that take this event, as Recipients (`recipient_type`) of their kind."""
    subscriptions = _channels()
    if not subscriptions:
        return []
    facts = facts_for(subject)
    return [
        recipient_type(s["kind"], str(s["pk"]), s["language"])
        for s in subscriptions
        if matches(s, topic, facts)
    ]


def is_chat(channel: str) -> bool:
    return channel in RENDERERS


def chat_body(channel: str, spec: Topic, subject, language: str) -> str:
    """The JSON a chat channel is sent about `subject` under `spec`, in `language`."""
    with translation.override(language):
        summary = summary_for(subject)
        message = chat.Message(
            headline=str(spec.label),
            summary=summary,
            url=f"{settings.SITE_URL}{summary.path}" if summary.path else "",
            link_text=_("Open in the console"),
            footer=_("Service desk · %(topic)s") % {"topic": spec.name},
        )
        return RENDERERS[channel](message, language)


def chat_test_body(channel: ChatChannel) -> str:
    """A message that says the channel works, for the administrator's "send a test message"."""
    language = chat_channel_language(channel)
    with translation.override(language):
        message = chat.Message(
            headline=_("Test message from the service desk"),
            summary=Summary(
                reference=channel.name,
                title=_("This channel will receive the desk's notifications."),
                path="",
            ),
            url=settings.SITE_URL,
            link_text=_("Open the service desk"),
            footer=_("Service desk · test"),
        )
        return RENDERERS[channel.kind](message, language)
