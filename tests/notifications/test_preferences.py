"""Per-person notification preferences: what a person turns off stops reaching them on that
channel, a mandatory topic still does, each is offered the topics meant for them, and the
settings pages and the API read and write the same choices."""

import pytest
from django.core import mail
from django.urls import reverse

from servicedesk.core.errors import ValidationFailed
from servicedesk.notifications import topics
from servicedesk.notifications.models import NotificationPreference, OutboxMessage
from servicedesk.notifications.preferences import (
    notification_preferences_set,
    preferences_apply,
    preferences_for,
)
from servicedesk.notifications.services import Recipient, notify, person_recipient
from servicedesk.notifications.topics import REQUESTER, Topic
from servicedesk.tickets import services
from tests.accounts.factories import UserFactory
from tests.tickets.factories import ticket_logged

REQUESTER_TOPICS = {
    "ticket.logged",
    "ticket.reply",
    "ticket.awaiting_caller",
    "ticket.resolved",
    "ticket.closed",
    "ticket.reclassified",
    "appointments.invitation",
    "appointments.rescheduled",
    "appointments.cancelled",
    "appointments.reminder",
    "major.update",
}


@pytest.fixture
def security_topic(monkeypatch):
    """A mandatory topic, as a security or breach app would register it."""
    topic = Topic(
        "security.notice",
        "Security notice",
        "tickets/email/logged.txt",
        audience=REQUESTER,
        mandatory=True,
    )
    monkeypatch.setitem(topics._topics, topic.name, topic)
    return topic


def emails_to(person, topic):
    return OutboxMessage.objects.filter(channel="email", destination=person.email, topic=topic)


def offered(person) -> dict[str, dict[str, bool]]:
    return {
        row.topic.name: {c.channel: c.enabled for c in row.choices}
        for row in preferences_for(person=person)
    }


def test_everything_is_on_by_default_and_each_person_sees_their_topics(desk):
    requester = offered(desk.requester)
    assert set(requester) == REQUESTER_TOPICS
    assert all(choices == {"email": True} for choices in requester.values())
    agent = offered(desk.l1_agent)
    assert REQUESTER_TOPICS | {"sla.warning", "sla.breach", "ticket.manager_escalation"} <= set(
        agent
    )


def test_a_topic_turned_off_no_longer_reaches_the_person_and_others_still_do(desk):
    notification_preferences_set(
        person=desk.requester, choices=[("ticket.resolved", "email", False)]
    )
    assert offered(desk.requester)["ticket.resolved"] == {"email": False}

    ticket = ticket_logged(requester=desk.requester, title="Printer jam")
    services.ticket_assign(ticket=ticket, actor=desk.l1_agent, assignee=desk.l1_agent)
    services.ticket_resolve(
        ticket=ticket,
        actor=desk.l1_agent,
        resolution_code="solved_remotely",
        resolution_notes="Cleared.",
        service_restored=True,
    )
    assert emails_to(desk.requester, "ticket.logged").exists()
    assert not emails_to(desk.requester, "ticket.resolved").exists()

    other = ticket_logged(requester=desk.other_requester, title="Scanner")
    services.ticket_assign(ticket=other, actor=desk.l1_agent, assignee=desk.l1_agent)
    services.ticket_resolve(
        ticket=other,
        actor=desk.l1_agent,
        resolution_code="solved_remotely",
        resolution_notes="Cleared.",
        service_restored=True,
    )
    assert emails_to(desk.other_requester, "ticket.resolved").exists()


def test_turning_a_topic_back_on_restores_the_default(desk):
    notification_preferences_set(person=desk.requester, choices=[("ticket.closed", "email", False)])
    notification_preferences_set(person=desk.requester, choices=[("ticket.closed", "email", True)])
    assert not NotificationPreference.objects.exists()
    assert offered(desk.requester)["ticket.closed"] == {"email": True}


def test_a_mandatory_topic_is_always_on_and_cannot_be_turned_off(desk, security_topic):
    assert offered(desk.requester)["security.notice"] == {"email": True}
    with pytest.raises(ValidationFailed) as refused:
        notification_preferences_set(
            person=desk.requester,
            choices=[("ticket.closed", "email", False), ("security.notice", "email", False)],
        )
    assert "preferences[1].enabled" in refused.value.errors
    assert not NotificationPreference.objects.exists()  # all or nothing

    # Even a row written behind the service's back does not stop it.
    NotificationPreference.objects.create(
        person=desk.requester, topic="security.notice", channel="email"
    )
    ticket = ticket_logged(requester=desk.requester)
    notify("security.notice", ticket, [desk.requester], {"ticket": ticket}, dedup_key="sec:1")
    assert emails_to(desk.requester, "security.notice").exists()


def test_bad_choices_name_the_entry_and_the_reason(desk):
    with pytest.raises(ValidationFailed) as refused:
        notification_preferences_set(
            person=desk.requester,
            choices=[("sla.breach", "email", False), ("ticket.closed", "pigeon", False)],
        )
    errors = refused.value.errors
    assert "is not a notification topic of yours" in errors["preferences[0].topic"][0]
    assert "email" in errors["preferences[1].channel"][0]
    assert not NotificationPreference.objects.exists()


def test_a_person_who_is_never_emailed_still_gets_no_email(desk):
    desk.requester.email_notifications = False
    desk.requester.save()
    row = {r.topic.name: r for r in preferences_for(person=desk.requester)}["ticket.logged"]
    assert row.choices[0].available is False
    ticket_logged(requester=desk.requester)
    assert not emails_to(desk.requester, "ticket.logged").exists()


def test_the_filter_reads_the_whole_audience_in_one_query(desk, django_assert_num_queries):
    people = [UserFactory() for _ in range(30)]
    for person in people[::3]:
        NotificationPreference.objects.create(person=person, topic="ticket.reply", channel="email")
    recipients = [r for p in people for r in person_recipient(p)]
    recipients.append(Recipient("email", "team@example.test"))  # a group's address: no person
    with django_assert_num_queries(1):
        kept = preferences_apply("ticket.reply", recipients)
    assert {r.person for r in kept if r.person} == set(people) - set(people[::3])
    assert any(r.destination == "team@example.test" for r in kept)


def test_a_group_address_ignores_its_members_choices(desk):
    desk.l1.email = "servicedesk@example.test"
    desk.l1.save()
    NotificationPreference.objects.create(
        person=desk.l1_agent, topic="ticket.logged", channel="email"
    )
    ticket = ticket_logged(requester=desk.other_requester)
    notify("ticket.logged", ticket, [desk.l1, desk.l1_agent], {"ticket": ticket}, dedup_key="w:1")
    sent = set(
        OutboxMessage.objects.filter(dedup_key__startswith="w:1:").values_list(
            "destination", flat=True
        )
    )
    assert sent == {"servicedesk@example.test"}


# ---------------------------------------------------------------------------------------------
# The settings pages


def test_the_portal_page_saves_what_the_requester_unticks(client, desk, deliver_outbox):
    client.force_login(desk.requester)
    url = reverse("portal-notification-settings")
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="email:ticket.closed"' in text and "checked" in text
    assert "sla.breach" not in text
    assert reverse("portal-notification-settings") in text  # in the navigation

    ticked = {f"email:{t}": "on" for t in REQUESTER_TOPICS - {"ticket.resolved"}}
    saved = client.post(url, ticked, follow=True)
    assert saved.redirect_chain == [(url, 302)]
    assert "Your notification settings are saved." in saved.content.decode()
    assert offered(desk.requester)["ticket.resolved"] == {"email": False}
    assert offered(desk.requester)["ticket.closed"] == {"email": True}


def test_the_console_page_offers_staff_topics_and_shows_mandatory_ones_always_on(
    client, desk, security_topic
):
    client.force_login(desk.l1_agent)
    page = client.get(reverse("desk-notification-settings"))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'name="email:sla.breach"' in text
    assert "Always on" in text
    mandatory = text.split('name="email:security.notice"')[1].split(">")[0]
    assert "disabled" in mandatory and "checked" in mandatory

    # Unticking everything leaves the mandatory topic on.
    assert client.post(reverse("desk-notification-settings"), {}).status_code == 302
    choices = offered(desk.l1_agent)
    assert choices["security.notice"] == {"email": True}
    assert choices["sla.breach"] == {"email": False}


def test_each_person_is_sent_to_their_own_page(client, desk):
    client.force_login(desk.l1_agent)
    assert client.get(reverse("portal-notification-settings")).url == reverse(
        "desk-notification-settings"
    )
    client.force_login(desk.requester)
    assert client.get(reverse("desk-notification-settings")).url == reverse(
        "portal-notification-settings"
    )
    client.logout()
    assert "/login/" in client.get(reverse("portal-notification-settings")).url


def test_the_pages_read_a_bounded_number_of_queries(client, desk, django_assert_max_num_queries):
    client.force_login(desk.l1_agent)
    for topic in ("sla.warning", "ticket.closed", "ticket.reply"):
        NotificationPreference.objects.create(person=desk.l1_agent, topic=topic, channel="email")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("desk-notification-settings")).status_code == 200


def test_the_page_is_in_romanian_for_a_romanian_speaker(client, desk):
    desk.requester.language = "ro"
    desk.requester.save()
    client.force_login(desk.requester)
    text = client.get(reverse("portal-notification-settings")).content.decode()
    assert "Setări pentru notificări" in text
    assert "Tichet rezolvat" in text


# ---------------------------------------------------------------------------------------------
# The API


def test_the_api_lists_and_changes_the_preferences(desk, api_for, security_topic):
    api = api_for(desk.requester)
    url = "/api/me/notification-preferences/"
    listed = api.get(url).json()["preferences"]
    by_topic = {p["topic"]: p for p in listed}
    assert set(by_topic) == REQUESTER_TOPICS | {"security.notice"}
    assert by_topic["ticket.closed"] == {
        "topic": "ticket.closed",
        "label": "Ticket closed",
        "channel": "email",
        "enabled": True,
        "mandatory": False,
        "available": True,
    }
    assert by_topic["security.notice"]["mandatory"] is True

    changed = api.put(
        url,
        {"preferences": [{"topic": "ticket.closed", "channel": "email", "enabled": False}]},
        format="json",
    )
    assert changed.status_code == 200
    assert {p["topic"]: p["enabled"] for p in changed.json()["preferences"]}[
        "ticket.closed"
    ] is False

    refused = api.put(
        url,
        {"preferences": [{"topic": "security.notice", "channel": "email", "enabled": False}]},
        format="json",
    )
    assert refused.status_code == 400
    assert "preferences[0].enabled" in refused.json()["errors"]
    bad = api.put(
        url,
        {"preferences": [{"topic": "ticket.closed", "channel": "fax", "enabled": False}]},
        format="json",
    )
    assert bad.status_code == 400
    assert "fax" not in str(NotificationPreference.objects.values_list("channel", flat=True))
    assert list(bad.json()["errors"]) == ["preferences[0].channel"]
    missing = api.put(url, {"preferences": [{"topic": "ticket.closed"}]}, format="json")
    assert missing.status_code == 400
    assert any("enabled" in field for field in missing.json()["errors"])
    assert any("channel" in field for field in missing.json()["errors"])
    assert api.put(url, {"preferences": "all"}, format="json").status_code == 400
    assert NotificationPreference.objects.filter(enabled=False).count() == 1


def test_the_api_needs_a_signed_in_person_and_is_in_the_schema(client, desk):
    assert client.get("/api/me/notification-preferences/").status_code in (401, 403)
    schema = client.get("/api/schema/?format=json").json()
    operations = schema["paths"]["/api/me/notification-preferences/"]
    assert set(operations) >= {"get", "put"}


def test_a_notification_turned_off_sends_no_mail(desk, deliver_outbox):
    notification_preferences_set(person=desk.requester, choices=[("ticket.logged", "email", False)])
    ticket_logged(requester=desk.requester, title="Quiet please")
    assert [m for m in deliver_outbox() if desk.requester.email in m.to] == []
    assert mail.outbox == []
