"""A P1 from monitoring at night: who is paged, when, by what; acknowledgement by link."""

import json
import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client

from servicedesk.alerts import services as alert_services
from servicedesk.alerts.services import alerts_process
from servicedesk.core.due import due_sweep
from servicedesk.notifications.models import OutboxMessage, WebhookEndpoint
from servicedesk.oncall.models import ContactMethod, Escalation, NotificationRule, Page
from servicedesk.oncall.services import ACK_SALT
from servicedesk.tickets import services as ticket_services
from servicedesk.tickets.models import Channel, Ticket
from tests.alerts.payloads import pd_event
from tests.oncall.factories import local, policy_create

pytestmark = pytest.mark.django_db
# Sunday 8 March 2026, 03:00 in Bucharest; the week's rotation (from Monday 2 March 09:00) has
# the colleague on call: weeks since 5 January 09:00 = 8, even → the L3 engineer. Checked below.
SUNDAY_NIGHT = local(2026, 3, 8, 3, 0)


def _paging(ticket):
    return [
        (e.data["step"], e.data.get("person"), e.data.get("level"), e.data.get("repeat"))
        for e in ticket.events.filter(type="paging").order_by("created_at", "id")
    ]


def _ack_link(person) -> str:
    message = OutboxMessage.objects.filter(topic="oncall.page", destination=person.email).latest(
        "id"
    )
    return re.search(r"https?://\S+/oncall/ack/\S+/", message.body).group(0)


def _p1_from_monitoring(desk):
    integration, key = alert_services.integration_create(
        name="PagerDuty", source="pagerduty", service=desk.service, assignment_group=desk.l3
    )
    client = Client()
    response = client.post(
        "/v2/enqueue",
        data=json.dumps(pd_event(key)),
        content_type="application/json",
    )
    assert response.status_code == 202
    alerts_process()
    return Ticket.objects.get(channel=Channel.MONITORING)


def test_a_p1_at_night_pages_on_call_then_level_two_then_repeats_until_acknowledged(
    desk, oncall, time_machine
):
    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    incident = _p1_from_monitoring(desk)
    assert incident.priority == 1 and incident.assignment_group == desk.l3
    on_call = desk.l3_agent

    # At once: the one on call for the schedule, by email with an acknowledge link.
    escalation = Escalation.objects.get(ticket=incident)
    assert escalation.state == "active" and escalation.snapshot["policy"] == "Engineering"
    assert _paging(incident) == [("started", None, None, None), ("paged", on_call.username, 1, 0)]
    assert OutboxMessage.objects.filter(topic="oncall.page", destination=on_call.email).count() == 1
    first_link = _ack_link(on_call)
    assert escalation.next_check_at == SUNDAY_NIGHT + timedelta(minutes=5)

    # Nobody answers: level 2 after 5 minutes, exactly then.
    time_machine.move_to(SUNDAY_NIGHT + timedelta(minutes=4, seconds=59), tick=False)
    due_sweep()
    assert len(_paging(incident)) == 2
    time_machine.move_to(SUNDAY_NIGHT + timedelta(minutes=5), tick=False)
    due_sweep()
    assert _paging(incident)[-1] == ("paged", oncall.second.username, 2, 0)

    # Still nobody: after level 2's 10 minutes, the policy again from the top (repeat 1).
    time_machine.move_to(SUNDAY_NIGHT + timedelta(minutes=15), tick=False)
    due_sweep()
    assert _paging(incident)[-1] == ("paged", on_call.username, 1, 1)
    times = [
        e.created_at
        for e in incident.events.filter(type="paging", data__step="paged").order_by("id")
    ]
    assert times == [SUNDAY_NIGHT + timedelta(minutes=m) for m in (0, 5, 15)]

    # The on-call engineer clicks the link of the first page (no session): a page with one
    # button, which acknowledges.
    time_machine.move_to(SUNDAY_NIGHT + timedelta(minutes=17), tick=False)
    client = Client()
    shown = client.get(first_link)
    assert shown.status_code == 200 and incident.number in shown.content.decode()
    done = client.post(first_link)
    assert done.status_code == 200 and "Acknowledged" in done.content.decode()
    escalation.refresh_from_db()
    incident.refresh_from_db()
    assert escalation.state == "acknowledged" and escalation.next_check_at is None
    assert escalation.acknowledged_by == on_call
    assert incident.first_response_at == SUNDAY_NIGHT + timedelta(minutes=17)
    ack = incident.events.get(type="paging", data__step="acknowledged")
    assert ack.actor == on_call and ack.data["via"] == "link"

    # A second click is refused with a clear page, and nothing changes.
    again = client.post(first_link)
    assert again.status_code == 409
    assert "already been acknowledged" in again.content.decode()
    assert client.get(first_link).status_code == 409

    # Nothing more is paged.
    time_machine.move_to(SUNDAY_NIGHT + timedelta(hours=2), tick=False)
    due_sweep()
    assert [step for step, *_ in _paging(incident)] == [
        "started",
        "paged",
        "paged",
        "paged",
        "acknowledged",
    ]


def test_without_acknowledgement_the_policy_ends_exhausted(desk, oncall, time_machine):
    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    incident = _p1_from_monitoring(desk)
    for minutes in (5, 15, 20, 30):
        time_machine.move_to(SUNDAY_NIGHT + timedelta(minutes=minutes), tick=False)
        due_sweep()
    assert [step for step, *_ in _paging(incident)] == [
        "started",
        "paged",
        "paged",
        "paged",
        "paged",
        "exhausted",
    ]
    assert Escalation.objects.get(ticket=incident).state == "exhausted"


def test_a_forged_or_expired_link_is_refused_without_an_error(desk, oncall, time_machine):
    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    _p1_from_monitoring(desk)
    link = _ack_link(desk.l3_agent)
    client = Client()
    assert client.post(link[:-5] + "xxxx/").status_code == 404
    # Signed with the desk's key but naming no page: a wrong id, a wrong token, no token.
    signer = signing.TimestampSigner(salt=ACK_SALT)
    page = Page.objects.get()
    for value in (f"x.{page.token}", f"{page.pk}.nope", f"{page.pk}", f"{10**30}.{page.token}"):
        assert client.post(f"/oncall/ack/{signer.sign(value)}/").status_code == 404
    assert Page.objects.get().used_at is None
    time_machine.move_to(SUNDAY_NIGHT + timedelta(hours=25), tick=False)
    response = client.post(link)
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_resolving_the_incident_stops_paging(desk, oncall, time_machine):
    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    incident = _p1_from_monitoring(desk)
    ticket_services.ticket_resolve(
        ticket=incident,
        actor=desk.l3_agent,
        resolution_code="solved_permanently",
        resolution_notes="Disk extended",
        service_restored=True,
    )
    escalation = Escalation.objects.get(ticket=incident)
    assert escalation.state == "stopped" and escalation.next_check_at is None
    time_machine.move_to(SUNDAY_NIGHT + timedelta(minutes=30), tick=False)
    due_sweep()
    assert [step for step, *_ in _paging(incident)] == ["started", "paged", "stopped"]


def test_a_p3_or_an_l1_incident_pages_nobody(desk, oncall):
    ticket_services.ticket_log(
        actor=desk.l1_agent,
        requester=desk.requester,
        title="Printer",
        impact="low",
        urgency="low",
        assignment_group=desk.l3,
    )
    ticket_services.ticket_log(
        actor=desk.l1_agent,
        requester=desk.requester,
        title="All down",
        impact="high",
        urgency="high",
    )
    assert not Escalation.objects.exists()


@pytest.mark.parametrize("page_on_call", [True, False])
def test_an_integration_set_to_page_pages_for_any_incident_it_opens(desk, oncall, page_on_call):
    """A warning opens a low-priority L1 incident, which pages nobody by the priority rule;
    an integration set to page pages for it anyway, once, however often the alert repeats."""
    policy_create(
        name="Mail service", service=desk.service, levels=[(5, {"people": [oncall.second]})]
    )
    integration, key = alert_services.integration_create(
        name="Zabbix",
        source="pagerduty",
        service=desk.service,
        assignment_group=desk.l1,
        page_on_call=page_on_call,
    )
    client = Client()
    for _ in range(2):  # the same alert again, in a later batch
        event = pd_event(key, dedup_key="disk-1", severity="warning", summary="Disk 90 %")
        client.post("/v2/enqueue", data=json.dumps(event), content_type="application/json")
        alerts_process()
    incident = Ticket.objects.get(channel=Channel.MONITORING)
    assert incident.priority > 2 and incident.assignment_group == desk.l1
    if page_on_call:
        escalation = Escalation.objects.get(ticket=incident)
        assert (escalation.state, escalation.snapshot["policy"]) == ("active", "Mail service")
        assert [p.person for p in Page.objects.filter(ticket=incident)] == [oncall.second]
        assert [step for step, *_ in _paging(incident)] == ["started", "paged"]
    else:
        assert not Escalation.objects.exists()


def test_escalating_a_p1_to_l3_starts_paging(desk, oncall):
    ticket = ticket_services.ticket_log(
        actor=desk.l1_agent,
        requester=desk.requester,
        title="All down",
        impact="high",
        urgency="high",
    )
    assert not Escalation.objects.exists()
    ticket_services.ticket_escalate(
        ticket=ticket, actor=desk.l1_agent, to_group=desk.l3, reason="Needs engineering"
    )
    assert Escalation.objects.get(ticket=ticket).state == "active"
    assert Page.objects.filter(ticket=ticket).count() == 1


def test_notification_rules_email_at_once_then_sms_then_voice_by_webhook(
    desk, oncall, time_machine
):
    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    provider = WebhookEndpoint.objects.create(
        name="SMS and voice provider",
        url="https://sms.example.test/hook",
        secret="whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        topics=[],
    )
    person = desk.l3_agent
    email = ContactMethod.objects.create(person=person, kind="email", address="radu@pager.test")
    sms = ContactMethod.objects.create(
        person=person, kind="sms", address="+40700000001", endpoint=provider
    )
    voice = ContactMethod.objects.create(
        person=person, kind="voice", address="+40700000001", endpoint=provider
    )
    for method, delay in ((email, 0), (sms, 2), (voice, 5)):
        NotificationRule.objects.create(person=person, method=method, delay_minutes=delay)
    incident = _p1_from_monitoring(desk)
    assert OutboxMessage.objects.filter(topic="oncall.page", destination="radu@pager.test").exists()
    assert not OutboxMessage.objects.filter(channel="webhook").exists()

    time_machine.move_to(SUNDAY_NIGHT + timedelta(minutes=2), tick=False)
    due_sweep()
    (sms_message,) = OutboxMessage.objects.filter(channel="webhook", destination=str(provider.pk))
    body = json.loads(sms_message.body)
    assert body["type"] == "oncall.page"
    details = body["data"]["details"]
    assert details["method"] == "sms" and details["to"] == "+40700000001"
    assert details["number"] == incident.number and "/oncall/ack/" in details["acknowledge_url"]
    assert body["data"]["subject"]["ticket"] == incident.number

    time_machine.move_to(SUNDAY_NIGHT + timedelta(minutes=5), tick=False)
    due_sweep()  # level 2 is due too, and the voice call of the first page
    kinds = [
        json.loads(m.body)["data"]["details"]["method"]
        for m in OutboxMessage.objects.filter(channel="webhook").order_by("id")
    ]
    assert kinds == ["sms", "voice"]
    vias = [e.data["via"] for e in incident.events.filter(type="paging", data__step="paged")]
    assert ["email"] in vias and ["sms"] in vias and ["voice"] in vias


def test_acknowledging_in_the_console_stops_the_rules_still_to_come(desk, oncall, time_machine):
    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    incident = _p1_from_monitoring(desk)
    page = Page.objects.get(ticket=incident)
    client = Client()
    client.force_login(desk.l3_agent)
    response = client.post(f"/desk/oncall/pages/{page.pk}/acknowledge/")
    assert response.status_code == 302
    assert Escalation.objects.get(ticket=incident).state == "acknowledged"
    # Someone else's attempt later is refused, with a message, not an error.
    again = client.post(f"/desk/oncall/pages/{page.pk}/acknowledge/", follow=True)
    assert again.status_code == 200 and "already" in again.content.decode()


def test_the_policy_snapshot_is_kept_when_the_policy_changes(desk, oncall, time_machine):
    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    incident = _p1_from_monitoring(desk)
    oncall.policy.levels.all().delete()
    time_machine.move_to(SUNDAY_NIGHT + timedelta(minutes=5), tick=False)
    due_sweep()
    assert _paging(incident)[-1] == ("paged", oncall.second.username, 2, 0)


def test_a_restricted_incident_pages_only_those_who_may_see_it(desk, oncall, time_machine):
    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    incident = _p1_from_monitoring(desk)
    ticket_services.ticket_restrict(
        ticket=incident,
        actor=desk.admin,
        group=desk.l2,
        people=[desk.l3_agent],
        reason="Suspected intrusion",
    )
    time_machine.move_to(SUNDAY_NIGHT + timedelta(minutes=15), tick=False)
    due_sweep()  # level 2 (not listed: nothing sent), then the repeat (listed: paged)
    due_sweep()
    assert not OutboxMessage.objects.filter(destination=oncall.second.email).exists()
    listed = OutboxMessage.objects.filter(topic="oncall.page", destination=desk.l3_agent.email)
    assert listed.count() == 2
    assert listed.latest("id").subject_id == incident.pk
    assert [p for s, p, *_ in _paging(incident) if s == "paged"] == [desk.l3_agent.username] * 2


def test_the_timeline_says_each_paging_step_in_words_in_both_languages():
    from django.utils import translation

    from servicedesk.tickets.templatetags.tickets_ui import paging_step

    paged = {"step": "paged", "person": "ion", "via": ["email", "sms"], "level": 2, "repeat": 1}
    assert paging_step(paged) == "Paged ion by email, SMS (level 2, round 2)"
    acknowledged = {"step": "acknowledged", "via": "console"}
    assert paging_step(acknowledged) == "Acknowledged (in the console)"
    assert paging_step({"step": "started", "policy": "Engineering"}) == (
        "Paging started: policy Engineering"
    )
    with translation.override("ro"):
        assert paging_step(paged) == "ion apelat prin e-mail, SMS (nivelul 2, runda 2)"
        assert paging_step(acknowledged) == "Confirmat (în consolă)"
        assert paging_step({"step": "exhausted"}).startswith("Apelarea de gardă s-a încheiat")
