"""Maintenance windows: recurring in their time zone across DST, alerts inside recorded and
opening no incident, released when the occurrence ends still firing; admin, console, API."""

import zoneinfo
from datetime import datetime

import pytest

from servicedesk.alerts.models import Alert, MaintenanceWindow
from servicedesk.alerts.services import (
    alerts_process,
    maintenance_window_create,
    maintenance_window_delete,
    maintenance_window_update,
)
from servicedesk.alerts.windows import occurrences
from servicedesk.catalog.models import ConfigurationItem
from servicedesk.core.due import due_sweep
from servicedesk.core.errors import ValidationFailed
from servicedesk.notifications.models import OutboxMessage
from servicedesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text + "+00:00")


@pytest.fixture
def sunday_night(desk):
    """Every Sunday 02:00–04:00 in Bucharest, from 22 March 2026 (DST starts on the 29th)."""
    return maintenance_window_create(
        title="Sunday patching",
        service=desk.service,
        starts_at="2026-03-22T02:00",
        duration=120,
        time_zone="Europe/Bucharest",
        rrule="FREQ=WEEKLY;BYDAY=SU",
    )


def test_a_recurring_window_keeps_its_local_time_across_dst(sunday_night):
    found = occurrences(sunday_night, utc("2026-03-21 00:00"), utc("2026-11-02 00:00"))
    starts = [o.starts_at.isoformat() for o in found]
    # 02:00 in winter (UTC+2) is 00:00Z; 02:00 in summer (UTC+3) is 23:00Z the day before.
    zone = zoneinfo.ZoneInfo("Europe/Bucharest")
    assert {
        (o.starts_at.astimezone(zone).hour, o.starts_at.astimezone(zone).minute) for o in found
    } == {(2, 0)}
    assert len(found) == 33
    assert found[0].starts_at == utc("2026-03-22 00:00")
    assert found[1].starts_at == utc("2026-03-29 00:00")  # 02:00 is still winter time
    assert found[2].starts_at == utc("2026-04-04 23:00")  # summer time
    assert found[-1].starts_at == utc("2026-11-01 00:00")  # winter again
    assert found[-2].starts_at == utc("2026-10-24 23:00")  # 02:00 on the 25th is summer time
    assert all(s.endswith(("+02:00", "+03:00")) for s in starts)
    assert all((o.ends_at - o.starts_at).total_seconds() == 7200 for o in found)


def test_alerts_inside_a_window_open_no_incident_until_it_ends(
    sunday_night, integration_of, post, time_machine
):
    _integration, key = integration_of("generic")
    url = f"/api/alerts/generic/{key}/"
    fire = {"status": "firing", "severity": "critical", "summary": "db down"}
    # 02:15 local on 5 April (summer time): inside. A UTC reading (00:00Z) would miss it.
    time_machine.move_to(utc("2026-04-04 23:15"), tick=False)
    post(url, {"key": "db1", **fire})
    post(url, {"key": "db2", **fire})
    post(url, {"key": "db2", "status": "resolved"})
    alerts_process()
    assert Ticket.objects.count() == 0
    assert not OutboxMessage.objects.exists()
    db1 = Alert.objects.get(dedup_key="db1")
    assert (db1.in_maintenance, db1.maintenance_window, db1.incident) == (True, sunday_night, None)
    sunday_night.refresh_from_db()
    assert sunday_night.next_check_at == utc("2026-04-05 01:00")

    # Repeats inside the window change nothing else.
    time_machine.move_to(utc("2026-04-05 00:45"), tick=False)
    post(url, {"key": "db1", **fire})
    alerts_process()
    assert Ticket.objects.count() == 0

    # The window ends with db1 still firing: it opens its incident; db2 (resolved) does not.
    time_machine.move_to(utc("2026-04-05 01:00"), tick=False)
    due_sweep()
    db1.refresh_from_db()
    incident = Ticket.objects.get()
    assert (db1.in_maintenance, db1.incident) == (False, incident)
    assert Alert.objects.get(dedup_key="db2").incident is None
    row = incident.events.filter(data__source="monitoring").get()
    assert row.data["alerts"]["after_maintenance"] == ["db1"]
    sunday_night.refresh_from_db()
    assert sunday_night.next_check_at == utc("2026-04-12 01:00")

    # After the window, a new alert opens or joins its incident at once.
    time_machine.move_to(utc("2026-04-05 01:05"), tick=False)
    post(url, {"key": "db3", **fire})
    alerts_process()
    assert Alert.objects.get(dedup_key="db3").incident == incident


def test_a_window_on_a_configuration_item_covers_alerts_from_that_host(
    desk, integration_of, post, time_machine
):
    ci = ConfigurationItem.objects.create(name="db1.example.com")
    time_machine.move_to(utc("2026-06-01 10:00"), tick=False)
    maintenance_window_create(
        title="db1 upgrade",
        configuration_item=ci,
        starts_at="2026-06-01T12:30:00+03:00",
        duration=60,
        time_zone="Europe/Bucharest",
    )
    _integration, key = integration_of("generic")
    url = f"/api/alerts/generic/{key}/"
    fire = {"status": "firing", "severity": "critical", "summary": "down"}
    post(url, {"key": "a", "source": "db1.example.com", **fire})
    post(url, {"key": "b", "source": "web1.example.com", **fire})
    alerts_process()
    assert dict(Alert.objects.values_list("dedup_key", "in_maintenance")) == {
        "a": True,
        "b": False,
    }


def test_removing_a_window_releases_its_alerts(sunday_night, integration_of, post, time_machine):
    _integration, key = integration_of("generic")
    time_machine.move_to(utc("2026-04-04 23:15"), tick=False)
    post(
        f"/api/alerts/generic/{key}/",
        {"key": "db1", "status": "firing", "severity": "warning", "summary": "slow"},
    )
    alerts_process()
    assert Ticket.objects.count() == 0
    maintenance_window_delete(window=sunday_night)
    assert not MaintenanceWindow.objects.exists()
    alert = Alert.objects.get()
    assert alert.in_maintenance is False and alert.incident is not None


def test_bad_windows_name_the_field(desk):
    good = {
        "title": "w",
        "service": desk.service,
        "starts_at": "2026-03-22T02:00",
        "duration": 60,
        "time_zone": "Europe/Bucharest",
    }
    for field, value in [
        ("rrule", "FREQ=SOMETIMES"),
        ("rrule", "DTSTART:20260101T000000\nRRULE:FREQ=DAILY"),
        ("time_zone", "Europe/Atlantis"),
        ("starts_at", "tomorrow"),
        ("duration", 0),
        ("title", " "),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            maintenance_window_create(**(good | {field: value}))
        assert field in caught.value.errors, (field, caught.value.errors)
    with pytest.raises(ValidationFailed) as caught:
        maintenance_window_create(**(good | {"service": None}))
    assert "service" in caught.value.errors
    assert not MaintenanceWindow.objects.exists()
    window = maintenance_window_create(**good | {"rrule": "RRULE:FREQ=DAILY;COUNT=3"})
    assert window.rrule == "FREQ=DAILY;COUNT=3"
    with pytest.raises(ValidationFailed) as caught:
        maintenance_window_update(window=window, rrule="FREQ=DAILY;BYHOUR=99")
    assert "rrule" in caught.value.errors


def test_the_api_manages_windows(client, desk, sunday_night):
    client.force_login(desk.admin)
    listed = client.get("/api/alerts/maintenance-windows/")
    assert listed.status_code == 200
    assert listed.json()[0]["starts_at"] == "2026-03-22T02:00:00+02:00"
    body = {
        "title": "Nightly",
        "service": desk.service.pk,
        "starts_at": "2026-07-01T02:00",
        "duration": 30,
        "time_zone": "Europe/Bucharest",
        "rrule": "FREQ=DAILY",
        "is_public": True,
    }
    made = client.post("/api/alerts/maintenance-windows/", body, content_type="application/json")
    assert made.status_code == 201, made.json()
    assert made.json()["starts_at"] == "2026-07-01T02:00:00+03:00"
    bad = client.post(
        "/api/alerts/maintenance-windows/",
        body | {"rrule": "FREQ=NEVER", "time_zone": "Mars/Olympus"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"rrule", "time_zone"}
    pk = made.json()["id"]
    patched = client.patch(
        f"/api/alerts/maintenance-windows/{pk}/",
        {"duration": 45},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["duration"] == 45
    bad = client.patch(
        f"/api/alerts/maintenance-windows/{pk}/",
        {"time_zone": "Nowhere"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "time_zone" in bad.json()["errors"]
    assert client.delete(f"/api/alerts/maintenance-windows/{pk}/").status_code == 204
    # Desk staff read; only administrators write.
    client.force_login(desk.l1_agent)
    assert client.get("/api/alerts/maintenance-windows/").status_code == 200
    assert (
        client.post(
            "/api/alerts/maintenance-windows/", body, content_type="application/json"
        ).status_code
        == 403
    )


def test_a_window_still_running_at_the_end_of_another_keeps_its_alerts(
    desk, integration_of, post, time_machine
):
    time_machine.move_to(utc("2026-06-01 09:00"), tick=False)
    first = maintenance_window_create(
        title="Upgrade",
        service=desk.service,
        starts_at="2026-06-01T10:00:00+00:00",
        duration=60,
        time_zone="UTC",
    )
    second = maintenance_window_create(
        title="Overrun",
        service=desk.service,
        starts_at="2026-06-01T10:30:00+00:00",
        duration=60,
        time_zone="UTC",
    )
    _integration, key = integration_of("generic")
    time_machine.move_to(utc("2026-06-01 10:10"), tick=False)
    post(
        f"/api/alerts/generic/{key}/",
        {"key": "db1", "status": "firing", "severity": "critical", "summary": "down"},
    )
    alerts_process()
    assert Alert.objects.get().maintenance_window == first
    time_machine.move_to(utc("2026-06-01 11:00"), tick=False)
    due_sweep()
    alert = Alert.objects.get()
    assert (alert.in_maintenance, alert.maintenance_window, alert.incident) == (True, second, None)
    time_machine.move_to(utc("2026-06-01 11:30"), tick=False)
    due_sweep()
    alert.refresh_from_db()
    assert alert.in_maintenance is False and alert.incident is not None
