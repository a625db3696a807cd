"""From raw events to alerts, incidents and their timelines, with real payloads."""

import pytest

from servicedesk.alerts.models import Alert, RawEvent
from servicedesk.alerts.services import alerts_process
from servicedesk.notifications.models import OutboxMessage
from servicedesk.tickets.models import Channel, Ticket
from tests.alerts.payloads import am_alert, am_group, pd_event

pytestmark = pytest.mark.django_db


def monitoring_rows(ticket):
    return [e.data for e in ticket.events.filter(data__source="monitoring").order_by("id")]


def test_alertmanager_firing_resent_partially_resolved_resolved(integration_of, post):
    integration, key = integration_of("alertmanager")
    url = f"/api/alerts/alertmanager/{key}/"
    disk, load = (
        am_alert("DiskFull", "db1:9100"),
        am_alert("HighLoad", "db1:9100", severity="warning"),
    )

    assert post(url, am_group(disk, load)).status_code == 202
    assert alerts_process() == 1
    incident = Ticket.objects.get()
    assert incident.channel == Channel.MONITORING
    assert incident.priority == 1  # the critical alert opened it: high × high
    assert incident.assignment_group == integration.assignment_group
    assert incident.service == integration.service
    assert sorted(Alert.objects.values_list("dedup_key", "status", "count", "incident")) == [
        ("diskfull-db1:9100", "open", 1, incident.pk),
        ("highload-db1:9100", "open", 1, incident.pk),
    ]
    assert monitoring_rows(incident) == [
        {
            "source": "monitoring",
            "alerts": {
                "opened": ["diskfull-db1:9100", "highload-db1:9100"],
                "opened_count": 2,
            },
        }
    ]

    # The group is re-sent every group_interval: repeats, no new alert, no new incident.
    post(url, am_group(disk, load))
    post(url, am_group(disk, load))
    alerts_process()
    assert list(Alert.objects.order_by("dedup_key").values_list("count", flat=True)) == [3, 3]
    assert Ticket.objects.count() == 1
    assert monitoring_rows(incident)[-1]["alerts"] == {"repeats": 4}

    # Partly resolved: the disk alert clears, the load alert fires on.
    post(url, am_group(am_alert("DiskFull", "db1:9100", status="resolved"), load))
    alerts_process()
    assert dict(Alert.objects.values_list("dedup_key", "status")) == {
        "diskfull-db1:9100": "resolved",
        "highload-db1:9100": "open",
    }
    assert monitoring_rows(incident)[-1]["alerts"] == {
        "resolved": ["diskfull-db1:9100"],
        "resolved_count": 1,
        "repeats": 1,
    }
    assert not OutboxMessage.objects.filter(topic="alerts.cleared").exists()

    # All resolved: the agent is told (the default), the incident stays open for them.
    resolved = am_group(
        am_alert("DiskFull", "db1:9100", status="resolved"),
        am_alert("HighLoad", "db1:9100", status="resolved", severity="warning"),
    )
    post(url, resolved)
    alerts_process()
    assert set(Alert.objects.values_list("status", flat=True)) == {"resolved"}
    last = monitoring_rows(incident)[-1]["alerts"]
    assert last["all_cleared"] is True and last["resolved"] == ["highload-db1:9100"]
    incident.refresh_from_db()
    assert incident.status == "new"
    assert OutboxMessage.objects.filter(topic="alerts.cleared").exists()
    # A re-send of the resolved group changes nothing: no alert is open under these keys.
    post(url, resolved)
    alerts_process()
    assert Alert.objects.count() == 2
    assert len(monitoring_rows(incident)) == 4
    assert RawEvent.objects.filter(processed_at__isnull=True).count() == 0


def test_auto_resolve_resolves_the_incident_when_its_alerts_clear(integration_of, post):
    _integration, key = integration_of("alertmanager", auto_resolve=True)
    url = f"/api/alerts/alertmanager/{key}/"
    post(url, am_group(am_alert("DiskFull", "db1:9100")))
    alerts_process()
    post(url, am_group(am_alert("DiskFull", "db1:9100", status="resolved")))
    alerts_process()
    incident = Ticket.objects.get()
    assert incident.status == "resolved"
    assert incident.service_restored is True
    assert incident.resolution_code == "solved_permanently"


def test_pagerduty_trigger_acknowledge_resolve_and_trigger_again(integration_of, post):
    _integration, key = integration_of("pagerduty")
    first = post("/v2/enqueue", pd_event(key))
    assert first.status_code == 202
    generated = first.json()["dedup_key"]
    assert first.json() == {
        "status": "success",
        "message": "Event processed",
        "dedup_key": generated,
    }
    assert len(generated) == 32
    post("/v2/enqueue", pd_event(key, dedup_key=generated))
    post("/v2/enqueue", pd_event(key, "acknowledge", dedup_key=generated))
    alerts_process()
    alert = Alert.objects.get()
    incident = alert.incident
    assert (alert.status, alert.count) == ("acknowledged", 2)
    assert alert.links == [
        {"href": "https://grafana.example.com/d/db", "text": "Dashboard"},
        {"href": "https://grafana.example.com/render/db.png", "text": "graph"},
    ]
    # A machine acknowledged: that is not the desk's first response.
    assert incident.first_response_at is None
    assert monitoring_rows(incident)[-1]["alerts"] == {
        "opened": [generated],
        "opened_count": 1,
        "acknowledged": [generated],
        "acknowledged_count": 1,
        "repeats": 1,
    }

    assert post("/v2/enqueue", pd_event(key, "resolve", dedup_key=generated)).status_code == 202
    # Resolving a key nobody knows is accepted and changes nothing.
    post("/v2/enqueue", pd_event(key, "resolve", dedup_key="never-seen"))
    alerts_process()
    assert list(Alert.objects.values_list("status", flat=True)) == ["resolved"]

    # After a resolve the same key opens a new alert (into the same, still open incident).
    post("/v2/enqueue", pd_event(key, dedup_key=generated))
    alerts_process()
    assert list(Alert.objects.order_by("id").values_list("dedup_key", "status", "count")) == [
        (generated, "resolved", 1 + 1),
        (generated, "open", 1),
    ]
    assert Ticket.objects.count() == 1


def test_trigger_and_resolve_and_trigger_in_one_batch(integration_of, post):
    _integration, key = integration_of("pagerduty")
    for action in ("trigger", "resolve", "trigger", "trigger"):
        post("/v2/enqueue", pd_event(key, action, dedup_key="k1"))
    alerts_process()
    assert list(Alert.objects.order_by("id").values_list("status", "count")) == [
        ("resolved", 1),
        ("open", 2),
    ]
    incident = Ticket.objects.get()
    assert len(monitoring_rows(incident)) == 1


def test_a_person_acknowledging_is_the_first_response(integration_of, post, desk):
    _integration, key = integration_of("generic")
    url = f"/api/alerts/generic/{key}/"
    post(url, {"key": "db1", "status": "firing", "severity": "warning", "summary": "Slow"})
    alerts_process()
    incident = Ticket.objects.get()
    # A warning opens a lower-priority, proactive incident.
    assert (incident.impact, incident.urgency) == ("low", "medium")
    assert incident.description.startswith("Proactive")
    post(url, {"key": "db1", "status": "acknowledged", "acknowledged_by": desk.l1_agent.email})
    alerts_process()
    incident.refresh_from_db()
    assert incident.first_response_at is not None
    assert monitoring_rows(incident)[-1]["acknowledged_by"] == desk.l1_agent.username


def test_repeats_in_one_batch_write_one_timeline_row(integration_of, post):
    _integration, key = integration_of("pagerduty")
    for _n in range(25):
        post("/v2/enqueue", pd_event(key, dedup_key="same"))
    alerts_process()
    incident = Ticket.objects.get()
    assert Alert.objects.get().count == 25
    assert monitoring_rows(incident) == [
        {
            "source": "monitoring",
            "alerts": {"opened": ["same"], "opened_count": 1, "repeats": 24},
        }
    ]
    # The ticket's own rows: logged, and that one monitoring row.
    assert incident.events.count() == 2


def test_correlation_by_service_within_the_window(integration_of, post):
    _integration, key = integration_of("pagerduty")
    post("/v2/enqueue", pd_event(key, dedup_key="a"))
    alerts_process()
    post("/v2/enqueue", pd_event(key, dedup_key="b", severity="warning"))
    alerts_process()
    assert Ticket.objects.count() == 1
    assert set(Alert.objects.values_list("incident", flat=True)) == {Ticket.objects.get().pk}


def test_correlation_window_passed_opens_a_new_incident(integration_of, post, time_machine):
    _integration, key = integration_of("pagerduty", correlation_window=10)
    time_machine.move_to("2026-01-05 10:00Z")
    post("/v2/enqueue", pd_event(key, dedup_key="a"))
    alerts_process()
    time_machine.move_to("2026-01-05 10:11Z")
    post("/v2/enqueue", pd_event(key, dedup_key="b"))
    alerts_process()
    assert Ticket.objects.count() == 2


def test_correlation_by_labels(integration_of, post):
    _integration, key = integration_of("alertmanager", service=None, correlation_labels=["cluster"])
    url = f"/api/alerts/alertmanager/{key}/"

    def alert(name, cluster):
        body = am_alert(name, f"{name}:1")
        body["labels"]["cluster"] = cluster
        return body

    post(url, am_group(alert("A", "eu"), alert("B", "eu"), alert("C", "us")))
    alerts_process()
    by_incident = {}
    for key_, incident in Alert.objects.values_list("dedup_key", "incident"):
        by_incident.setdefault(incident, set()).add(key_)
    assert sorted(by_incident.values(), key=len) == [{"c-c:1"}, {"a-a:1", "b-b:1"}]


def test_severity_mapping_is_the_integrations(integration_of, post):
    mapping = {
        "critical": {"impact": "high", "urgency": "medium"},
        "error": {"impact": "medium", "urgency": "medium"},
        "warning": {"impact": "low", "urgency": "low"},
        "info": {"impact": "low", "urgency": "low"},
    }
    _integration, key = integration_of("pagerduty", severity_map=mapping)
    post("/v2/enqueue", pd_event(key, dedup_key="a"))
    alerts_process()
    incident = Ticket.objects.get()
    assert (incident.impact, incident.urgency) == ("high", "medium")


def test_a_critical_alert_joining_a_warnings_incident_raises_its_priority(integration_of, post):
    _integration, key = integration_of("pagerduty")
    post("/v2/enqueue", pd_event(key, dedup_key="slow", severity="warning"))
    alerts_process()
    incident = Ticket.objects.get()
    assert (incident.impact, incident.urgency, incident.priority) == ("low", "medium", 4)
    post("/v2/enqueue", pd_event(key, dedup_key="down", severity="critical", summary="DB down"))
    alerts_process()
    incident.refresh_from_db()
    assert Ticket.objects.count() == 1
    assert (incident.impact, incident.urgency, incident.priority) == ("high", "high", 1)
    changed = incident.events.filter(type="changed").get()
    assert changed.data["reason"] == "A critical alert from pagerduty 1 joined: DB down"
    assert {c["field"] for c in changed.data["changes"]} >= {"impact", "urgency", "priority"}
    # A warning joining later lowers nothing.
    post("/v2/enqueue", pd_event(key, dedup_key="slow2", severity="warning"))
    alerts_process()
    incident.refresh_from_db()
    assert incident.priority == 1
    assert incident.events.filter(type="changed").count() == 1


def test_first_and_last_seen_are_the_monitors_when_sane(integration_of, post, time_machine):
    _integration, key = integration_of("alertmanager")
    url = f"/api/alerts/alertmanager/{key}/"
    time_machine.move_to("2026-01-05 10:07Z", tick=False)
    disk = am_alert("DiskFull", "db1:9100")  # startsAt 10:00Z
    post(url, am_group(disk))
    alerts_process()
    alert = Alert.objects.get()
    assert alert.first_seen_at.isoformat() == "2026-01-05T10:00:00+00:00"
    # The re-sent group keeps startsAt: the repeat is seen when it arrives.
    time_machine.move_to("2026-01-05 10:12Z", tick=False)
    post(url, am_group(disk))
    alerts_process()
    alert.refresh_from_db()
    assert alert.last_seen_at.isoformat() == "2026-01-05T10:12:00+00:00"
    # Resolved with endsAt 10:30Z, received at 10:31Z: resolved (and last seen) at 10:30Z.
    time_machine.move_to("2026-01-05 10:31Z", tick=False)
    post(url, am_group(am_alert("DiskFull", "db1:9100", status="resolved")))
    alerts_process()
    alert.refresh_from_db()
    assert alert.resolved_at.isoformat() == "2026-01-05T10:30:00+00:00"
    assert alert.last_seen_at.isoformat() == "2026-01-05T10:30:00+00:00"


def test_monitor_times_far_ahead_or_behind_are_replaced_by_the_receive_time(
    integration_of, post, time_machine
):
    _integration, key = integration_of("pagerduty")
    time_machine.move_to("2026-01-05 09:00Z", tick=False)  # the payload says 10:00Z: ahead
    post("/v2/enqueue", pd_event(key, dedup_key="ahead"))
    time_machine.move_to("2026-01-20 10:00Z", tick=False)  # fifteen days later: too old
    post("/v2/enqueue", pd_event(key, dedup_key="old"))
    time_machine.move_to("2026-01-05 10:03Z", tick=False)  # three minutes later: its own
    post("/v2/enqueue", pd_event(key, dedup_key="sane"))
    alerts_process()
    seen = {a.dedup_key: a.first_seen_at.isoformat() for a in Alert.objects.all()}
    assert seen == {
        "ahead": "2026-01-05T09:00:00+00:00",
        "old": "2026-01-20T10:00:00+00:00",
        "sane": "2026-01-05T10:00:00+00:00",
    }
