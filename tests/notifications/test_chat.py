"""Slack and Teams channels: what is posted (checked against Block Kit's documented rules and
the Adaptive Card schema), to which channels (topic, group, priority), in which language, and
its delivery to a receiver on 127.0.0.1 with Slack's and Teams' answers.

Every test runs with the network guards of tests/notifications/conftest.py.
"""

import json
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.models import Role
from servicedesk.notifications.channels import chat, slack, teams
from servicedesk.notifications.models import ChatChannel, OutboxMessage
from servicedesk.notifications.services import outbox_pending_deliver
from servicedesk.notifications.topics import Summary, Topic
from servicedesk.tickets import services
from servicedesk.tickets.priority import Level
from tests.accounts.factories import UserFactory
from tests.notifications.adaptivecard import assert_adaptive_card_message
from tests.notifications.blockkit import assert_block_kit_message
from tests.notifications.test_webhooks import receiver  # noqa: F401 - the fixture
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.usefixtures("connections", "dns")


def channel_make(kind, url="https://hooks.example.test/services/T/B/x", groups=(), **fields):
    fields.setdefault("topics", ["ticket.logged", "ticket.resolved"])
    channel = ChatChannel.objects.create(
        name=fields.pop("name", f"{kind} channel"), kind=kind, webhook_url=url, **fields
    )
    channel.groups.set(groups)
    return channel


def p1_network(desk, title="Core switch down"):
    return ticket_logged(
        requester=desk.requester,
        actor=desk.l1_agent,
        title=title,
        impact=Level.HIGH,
        urgency=Level.HIGH,
        assignment_group=desk.l2_network,
    )


def chat_rows(**filters):
    return list(
        OutboxMessage.objects.filter(channel__in=["slack", "teams"], **filters).order_by("id")
    )


# ---------------------------------------------------------------------------------------------
# The payloads, against their documented shapes


def test_a_slack_message_is_block_kit_within_its_limits(desk):
    channel = channel_make("slack")
    ticket = p1_network(desk)

    (row,) = chat_rows()
    body = json.loads(row.body)
    assert_block_kit_message(body)
    assert (row.destination, row.topic, row.language) == (str(channel.pk), "ticket.logged", "en")
    header, section, actions, context = body["blocks"]
    assert header["text"]["text"] == "Ticket logged"
    url = f"{settings.SITE_URL}/desk/tickets/{ticket.number}/"
    assert section["text"]["text"] == f"*<{url}|{ticket.number}>* Core switch down"
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for f in section["fields"]}
    assert fields["*Priority*"] == "P1 – critical"
    assert fields["*Group*"] == "Network"
    assert actions["elements"][0]["url"] == url
    assert "ticket.logged" in context["elements"][0]["text"]
    assert body["text"] == f"Ticket logged: {ticket.number} Core switch down"


def test_a_teams_message_is_an_adaptive_card_that_the_schema_accepts(desk):
    channel_make("teams")
    ticket = p1_network(desk)

    (row,) = chat_rows()
    body = json.loads(row.body)
    assert_adaptive_card_message(body)
    card = body["attachments"][0]["content"]
    assert card["version"] == "1.4"
    assert card["body"][0]["text"] == "Ticket logged"
    assert card["body"][1]["text"] == f"{ticket.number} Core switch down"
    facts = {f["title"]: f["value"] for f in card["body"][2]["facts"]}
    assert facts["Priority"] == "P1 – critical" and facts["Group"] == "Network"
    assert card["actions"][0]["url"] == f"{settings.SITE_URL}/desk/tickets/{ticket.number}/"


def test_the_validators_refuse_what_breaks_the_rules():
    """The checks can fail: each broken rule is caught."""
    message = chat.Message("Head", Summary("INC1", "Title", "/x"), "https://e.test/x", "Open", "f")
    good = slack.payload(message)
    assert_block_kit_message(good)
    long_header = json.loads(json.dumps(good))
    long_header["blocks"][0]["text"]["text"] = "x" * 151
    with pytest.raises(AssertionError, match="150"):
        assert_block_kit_message(long_header)
    mrkdwn_header = json.loads(json.dumps(good))
    mrkdwn_header["blocks"][0]["text"]["type"] = "mrkdwn"
    with pytest.raises(AssertionError, match="type"):
        assert_block_kit_message(mrkdwn_header)
    unknown = json.loads(json.dumps(good))
    unknown["blocks"][1]["colour"] = "red"
    with pytest.raises(AssertionError):
        assert_block_kit_message(unknown)

    card = teams.payload(message, "en")
    assert_adaptive_card_message(card)
    bad = json.loads(json.dumps(card))
    bad["attachments"][0]["content"]["body"][0]["size"] = "enormous"
    with pytest.raises(Exception, match="enormous"):
        assert_adaptive_card_message(bad)
    no_text = json.loads(json.dumps(card))
    del no_text["attachments"][0]["content"]["body"][1]["text"]
    with pytest.raises(Exception, match="text"):
        assert_adaptive_card_message(no_text)


@pytest.mark.parametrize("kind", ["slack", "teams"])
def test_long_text_is_cut_to_the_limits_and_mrkdwn_cannot_be_forged(kind):
    title = "<!channel> <https://evil.test|click> & " + "é" * 5000
    message = chat.Message(
        "H" * 400,
        Summary("INC|1>", title, "/x", fields=tuple((f"L{n}", "v" * 3000) for n in range(12))),
        "https://e.test/x",
        "Open " * 40,
        "footer",
    )
    if kind == "slack":
        body = slack.payload(message)
        assert_block_kit_message(body)
        text = body["blocks"][1]["text"]["text"]
        assert "<!channel>" not in text and "&lt;!channel&gt;" in text
        assert "<https://evil.test" not in text and "&amp;" in text
        assert body["blocks"][0]["text"]["text"].endswith("…")
        assert len(body["blocks"][1]["fields"]) == 10
    else:
        body = teams.payload(message, "en")
        assert_adaptive_card_message(body)
        assert len(body["attachments"][0]["content"]["body"][2]["facts"]) == 10


# ---------------------------------------------------------------------------------------------
# Which channels get an event


def test_a_channel_gets_only_its_topics_groups_and_priorities(desk):
    network_p1_p2 = channel_make(
        "slack", name="Network P1-P2", groups=[desk.l2_network], priorities=["P1", "P2"]
    )
    everything = channel_make("teams", name="All", topics=["*"])
    apps_only = channel_make("slack", name="Applications", groups=[desk.l2])

    urgent = p1_network(desk)
    minor = ticket_logged(
        requester=desk.requester,
        actor=desk.l1_agent,
        title="Slow wifi",
        impact=Level.LOW,
        urgency=Level.LOW,
        assignment_group=desk.l2_network,
    )
    services.ticket_comment(ticket=urgent, actor=desk.l2_network_agent, body="On it")

    got = {(m.destination, m.subject_id, m.topic) for m in chat_rows()}
    assert (str(network_p1_p2.pk), urgent.pk, "ticket.logged") in got
    assert not any(d == str(network_p1_p2.pk) and s == minor.pk for d, s, _t in got)
    assert (str(everything.pk), minor.pk, "ticket.logged") in got
    assert (str(everything.pk), urgent.pk, "ticket.reply") in got
    assert not any(d == str(network_p1_p2.pk) and t == "ticket.reply" for d, _s, t in got)
    assert not any(d == str(apps_only.pk) for d, _s, _t in got)


def test_an_inactive_channel_gets_nothing_and_a_change_is_seen_at_once(desk):
    channel = channel_make("slack", is_active=False)
    p1_network(desk)
    assert chat_rows() == []
    channel.is_active = True
    channel.save()
    p1_network(desk, title="Second")
    assert len(chat_rows()) == 1


def test_a_restricted_ticket_is_never_posted_to_a_chat_channel(desk):
    channel_make("slack", topics=["*"])
    ticket = p1_network(desk)
    officer = UserFactory(username="ofelia", role=Role.SECURITY_OFFICER)
    services.ticket_restrict(
        ticket=ticket,
        actor=officer,
        group=desk.l2_network,
        reason="Suspected intrusion",
    )
    before = len(chat_rows())
    services.ticket_comment(ticket=ticket, actor=desk.l2_network_agent, body="Isolating")
    assert len(chat_rows()) == before


def test_messages_are_in_the_groups_language_unless_the_channel_has_its_own(desk):
    desk.l2_network.language = "ro"
    desk.l2_network.save()
    group_language = channel_make("slack", name="Rețea", groups=[desk.l2_network])
    english = channel_make("teams", name="English", groups=[desk.l2_network], language="en")
    ticket = p1_network(desk)

    by_channel = {m.destination: m for m in chat_rows()}
    ro = by_channel[str(group_language.pk)]
    assert ro.language == "ro"
    body = json.loads(ro.body)
    assert_block_kit_message(body)
    assert body["blocks"][0]["text"]["text"] == "Tichet înregistrat"
    fields = {f["text"].split("\n")[0] for f in body["blocks"][1]["fields"]}
    assert "*Prioritate*" in fields
    assert body["blocks"][2]["elements"][0]["text"]["text"] == "Deschide în consolă"
    en = json.loads(by_channel[str(english.pk)].body)
    assert en["attachments"][0]["content"]["lang"] == "en"
    assert en["attachments"][0]["content"]["body"][0]["text"] == "Ticket logged"
    assert ticket.number in en["attachments"][0]["content"]["body"][1]["text"]


def test_a_subject_without_facts_reaches_only_channels_without_filters(desk, monkeypatch):
    from servicedesk.notifications import topics
    from servicedesk.notifications.services import notify

    monkeypatch.setitem(
        topics._topics, "demo.note", Topic("demo.note", "A note", "tickets/email/logged.txt")
    )
    plain = channel_make("slack", name="Plain", topics=["demo.note"])
    channel_make("slack", name="Filtered", topics=["demo.note"], priorities=["P1"])
    notify("demo.note", desk.l1, [], {}, dedup_key="note:1")
    assert [m.destination for m in chat_rows()] == [str(plain.pk)]


# ---------------------------------------------------------------------------------------------
# Delivery to a receiver on 127.0.0.1


@pytest.fixture
def local(settings):
    settings.SERVICEDESK_WEBHOOK_ALLOWED_TARGETS = ["127.0.0.1"]


@pytest.mark.parametrize("kind", ["slack", "teams"])
def test_messages_are_posted_to_the_webhook_as_rendered(desk, receiver, local, kind):  # noqa: F811
    channel_make(kind, url=receiver.url)
    ticket = p1_network(desk)

    outbox_pending_deliver()

    (row,) = chat_rows()
    assert row.status == "sent"
    (request,) = receiver.requests
    assert request.headers["content-type"] == "application/json"
    assert request.body.decode() == row.body
    checked = assert_block_kit_message if kind == "slack" else assert_adaptive_card_message
    checked(json.loads(request.body))
    assert ticket.number in request.body.decode()


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (400, "dead"),
        (403, "dead"),
        (404, "dead"),
        (410, "dead"),
        (429, "pending"),
        (500, "pending"),
        (503, "pending"),
    ],
)
def test_a_refusal_ends_the_message_and_a_passing_failure_is_retried(
    desk,
    receiver,  # noqa: F811
    local,
    status,
    outcome,
):
    channel_make("slack", url=receiver.url)
    receiver.script.statuses = [status]
    p1_network(desk)

    outbox_pending_deliver()

    (row,) = chat_rows()
    assert (row.status, row.attempts) == (outcome, 1)
    assert str(status) in row.last_error


def test_a_private_address_is_refused_before_any_connection(desk, connections):
    channel_make("slack", url="http://10.0.0.5/hook")
    p1_network(desk)
    outbox_pending_deliver()
    (row,) = chat_rows()
    assert row.status == "dead" and "private" in row.last_error
    assert connections == []


def test_a_removed_channel_ends_its_queued_messages(desk):
    channel = channel_make("teams")
    p1_network(desk)
    channel.delete()
    outbox_pending_deliver()
    (row,) = chat_rows()
    assert row.status == "dead" and "removed" in row.last_error


# ---------------------------------------------------------------------------------------------
# The admin


@pytest.fixture
def admin_client(desk):
    client = Client()
    client.force_login(desk.admin)
    return client


def test_the_admin_list_does_not_show_the_webhook_secret(desk, admin_client):
    channel_make("slack", url="https://hooks.example.test/services/T000/B000/SECRETTOKEN")
    page = admin_client.get(reverse("admin:notifications_chatchannel_changelist"))
    assert page.status_code == 200
    assert "SECRETTOKEN" not in page.content.decode()
    assert "hooks.example.test/…" in page.content.decode()


def test_the_admin_creates_a_subscription_and_refuses_a_private_address(desk, admin_client, dns):
    url = reverse("admin:notifications_chatchannel_add")
    form = {
        "name": "Network P1",
        "kind": "slack",
        "webhook_url": "http://10.1.2.3/hook",
        "topics": ["ticket.logged"],
        "groups": [desk.l2_network.pk],
        "priorities": ["P1"],
        "language": "",
        "is_active": "on",
    }
    page = admin_client.post(url, form)
    assert page.status_code == 200
    assert "The desk may not post to this address" in page.content.decode()
    assert not ChatChannel.objects.exists()

    dns.answer("hooks.slack.test", ["8.8.4.4"])
    form["webhook_url"] = "https://hooks.slack.test/services/T/B/x"
    page = admin_client.post(url, form)
    assert page.status_code == 302, re.findall(r"errorlist.*?</ul>", page.content.decode(), re.S)
    channel = ChatChannel.objects.get()
    assert (channel.topics, channel.priorities) == (["ticket.logged"], ["P1"])
    assert list(channel.groups.all()) == [desk.l2_network]


def test_the_admin_sends_a_test_message(desk, admin_client, receiver, local):  # noqa: F811
    good = channel_make("teams", name="Good", url=receiver.url)
    receiver.script.statuses = [404, 200]  # in the order of their names
    bad = channel_make("slack", name="Gone", url=receiver.url.replace("/hooks", "/gone"))
    page = admin_client.post(
        reverse("admin:notifications_chatchannel_changelist"),
        {"action": "send_test", "_selected_action": [good.pk, bad.pk]},
        follow=True,
    )
    text = page.content.decode()
    assert "Good: the test message was sent." in text
    assert "Gone: the test message was not sent" in text and "404" in text
    assert len(receiver.requests) == 2
    assert_block_kit_message(json.loads(receiver.requests[0].body))
    assert_adaptive_card_message(json.loads(receiver.requests[1].body))
    assert OutboxMessage.objects.filter(topic="chat.test").count() == 2
