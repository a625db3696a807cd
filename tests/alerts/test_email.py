"""The email integration: notification mails of Zabbix, Grafana, Nagios and Icinga, sent to an
alerts mailbox, become alert events; the raw message is stored first and linked."""

from pathlib import Path

import pytest

from servicedesk.alerts.models import Alert, EmailEvent, RawEvent
from servicedesk.alerts.services import alerts_process, integration_create
from servicedesk.alerts.sources import ACKNOWLEDGE, RESOLVE, TRIGGER
from servicedesk.alerts.sources.email import parse
from servicedesk.mailin.models import InboundMessage, Mailbox
from servicedesk.mailin.parsing import mail_parse
from servicedesk.mailin.services import inbound_pending_process, inbound_store
from servicedesk.tickets.models import Channel, Ticket

MAIL = Path(__file__).parent / "mail"


def read(name: str):
    mail = mail_parse((MAIL / name).read_bytes())
    data = {"subject": mail.subject, "from": mail.from_address, "text": mail.text}
    return parse({**data, "headers": mail.headers})[0]


@pytest.mark.parametrize(
    ("name", "action", "key", "severity", "source"),
    [
        ("zabbix_problem.eml", TRIGGER, "zabbix-4711", "critical", "db1"),
        ("zabbix_update_ack.eml", ACKNOWLEDGE, "zabbix-4711", "warning", ""),
        ("zabbix_resolved.eml", RESOLVE, "zabbix-4711", "critical", "db1"),
        (
            "grafana_firing.eml",
            TRIGGER,
            "grafana-diskfull (db1:9100 production)",
            "critical",
            "db1:9100",
        ),
        (
            "grafana_resolved.eml",
            RESOLVE,
            "grafana-diskfull (db1:9100 production)",
            "critical",
            "db1:9100",
        ),
        ("nagios_problem.eml", TRIGGER, "nagios-web1/http", "critical", "web1"),
        ("nagios_recovery.eml", RESOLVE, "nagios-web1/http", "info", "web1"),
        ("nagios_host_down.eml", TRIGGER, "nagios-db2", "critical", "db2"),
        ("icinga_problem.eml", TRIGGER, "icinga-db1/disk /var", "warning", "db1"),
        ("custom_headers.eml", TRIGGER, "backup-erp", "error", ""),
    ],
)
def test_each_tool_default_mail_is_read(name, action, key, severity, source):
    item = read(name)
    assert (item.action, item.key, item.severity, item.source) == (action, key, severity, source)
    assert item.summary


def test_summaries_and_links_come_from_the_body():
    zabbix = read("zabbix_problem.eml")
    assert zabbix.summary == "/var: Disk space is critically low (used > 95%)"
    assert zabbix.links[0]["href"].startswith("https://zabbix.example.com/tr_events.php")
    grafana = read("grafana_firing.eml")
    assert grafana.summary == "Disk /var on db1 is 97% full"
    assert grafana.labels["alertname"] == "DiskFull"
    nagios = read("nagios_problem.eml")
    assert nagios.summary == "HTTP on web1 is CRITICAL: CRITICAL - Socket timeout after 10 seconds"


@pytest.mark.parametrize(
    ("subject", "action", "key", "severity"),
    [
        (
            "CRITICAL: api latency above 2s",
            TRIGGER,
            "mail-critical: api latency above 2s",
            "critical",
        ),
        (
            "RESOLVED: CRITICAL: api latency above 2s",
            RESOLVE,
            "mail-critical: api latency above 2s",
            "critical",
        ),
        ("[OK] queue depth normal", RESOLVE, "mail-queue depth normal", "warning"),
        ("ACK: queue depth", ACKNOWLEDGE, "mail-queue depth", "warning"),
        ("PROBLEM: printer room 3 offline", TRIGGER, "mail-printer room 3 offline", "warning"),
    ],
)
def test_any_other_mail_follows_the_subject_rules(subject, action, key, severity):
    item = parse({"subject": subject, "text": "", "headers": {}})[0]
    assert (item.action, item.key, item.severity) == (action, key, severity)


def test_a_mail_without_subject_or_text_is_invalid():
    from servicedesk.alerts.sources import SourceInvalid

    with pytest.raises(SourceInvalid):
        parse({"subject": "", "text": " ", "headers": {}})


@pytest.fixture
def alerts_box(desk):
    integration, _key = integration_create(
        name="Zabbix mail", source="email", service=desk.service, assignment_group=desk.l1
    )
    box = Mailbox.objects.create(
        name="alerts",
        address="alerts@desk.example.com",
        purpose=Mailbox.Purpose.ALERTS,
        integration_ref="Zabbix mail",
    )
    return box, integration


def deliver(box, name):
    row, _new = inbound_store(mailbox=box, raw=(MAIL / name).read_bytes(), process=False)
    inbound_pending_process()
    row.refresh_from_db()
    return row


@pytest.mark.django_db
def test_zabbix_problem_acknowledge_and_resolve_by_mail(alerts_box):
    box, integration = alerts_box
    row = deliver(box, "zabbix_problem.eml")
    assert row.status == InboundMessage.Status.PROCESSED
    assert row.outcome == InboundMessage.Outcome.HANDED
    assert row.ticket is None
    event = RawEvent.objects.get()
    assert event.integration == integration
    assert EmailEvent.objects.get(raw_event=event).inbound_message_id == row.pk
    assert row.reason == f"alert event {event.pk}: trigger zabbix-4711"
    assert alerts_process() == 1
    alert = Alert.objects.get()
    assert (alert.dedup_key, alert.severity, alert.status) == ("zabbix-4711", "critical", "open")
    incident = alert.incident
    assert incident.channel == Channel.MONITORING and incident.service == integration.service
    assert Ticket.objects.count() == 1  # no ticket from the mail itself

    deliver(box, "zabbix_update_ack.eml")
    alerts_process()
    alert.refresh_from_db()
    assert alert.status == "acknowledged"

    deliver(box, "zabbix_resolved.eml")
    alerts_process()
    alert.refresh_from_db()
    assert alert.status == "resolved"


@pytest.mark.django_db
def test_grafana_resent_mail_is_a_repeat(alerts_box):
    box, _integration = alerts_box
    deliver(box, "grafana_firing.eml")
    raw = (MAIL / "grafana_firing.eml").read_bytes().replace(b"1709370030.1@", b"1709370330.9@")
    inbound_store(mailbox=box, raw=raw, process=False)
    inbound_pending_process()
    alerts_process()
    alert = Alert.objects.get()
    assert alert.count == 2 and alert.status == "open"
    deliver(box, "grafana_resolved.eml")
    alerts_process()
    alert.refresh_from_db()
    assert alert.status == "resolved"


@pytest.mark.django_db
def test_auto_replies_are_ignored_but_auto_generated_notifications_are_taken(alerts_box):
    box, _integration = alerts_box
    ooo = deliver(box, "autoreply.eml")
    assert ooo.status == InboundMessage.Status.IGNORED
    assert "auto-replied" in ooo.reason
    icinga = deliver(box, "icinga_problem.eml")
    assert icinga.status == InboundMessage.Status.PROCESSED
    assert RawEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_storm_from_one_sender_is_not_cut_by_the_loop_guard(alerts_box, settings):
    settings.SERVICEDESK_MAILIN_SENDER_HOURLY_CAP = 2
    box, _integration = alerts_box
    for n in range(4):
        raw = (MAIL / "nagios_problem.eml").read_bytes().replace(b"1234@", f"9{n}@".encode())
        inbound_store(mailbox=box, raw=raw, process=False)
    inbound_pending_process()
    assert InboundMessage.objects.filter(status="processed").count() == 4
    alerts_process()
    assert Alert.objects.get().count == 4


@pytest.mark.django_db
def test_an_unknown_integration_leaves_the_message_failed_with_the_reason(alerts_box):
    box, _integration = alerts_box
    box.integration_ref = "Nope"
    box.save()
    row = deliver(box, "zabbix_problem.eml")
    assert row.status == InboundMessage.Status.FAILED
    assert "Nope" in row.reason
    assert not RawEvent.objects.exists()
    # Fixed, processed again: the event is stored once.
    box.integration_ref = "Zabbix mail"
    box.save()
    from servicedesk.mailin.services import inbound_retry

    assert inbound_retry(message_ids=[row.pk]) == 1
    assert inbound_retry(message_ids=[row.pk]) == 1
    assert RawEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_ticket_mailbox_still_opens_tickets(desk, alerts_box):
    box = Mailbox.objects.create(
        name="help", address="help@desk.example.com", accept_new_requesters=True
    )
    row = deliver(box, "nagios_problem.eml")
    assert row.outcome == InboundMessage.Outcome.OPENED
    assert not RawEvent.objects.exists()
