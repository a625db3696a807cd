"""Maintenance planned by other apps (core.maintenance): alerts' public windows on the page."""

from datetime import datetime

import pytest

from servicedesk.alerts.services import maintenance_window_create, maintenance_window_update
from servicedesk.statuspage import selectors
from servicedesk.statuspage.cache import page_version
from tests.statuspage.factories import ComponentFactory

pytestmark = pytest.mark.django_db


def test_public_windows_show_on_the_page_and_change_its_version(
    client, desk, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(datetime.fromisoformat("2026-07-04T20:00:00+00:00"), tick=False)
    component = ComponentFactory(service=desk.service, name="Email")
    private = maintenance_window_create(
        title="Internal reboot",
        service=desk.service,
        starts_at="2026-07-05T02:00",
        duration=60,
        time_zone="Europe/Bucharest",
    )
    before = page_version()
    with django_capture_on_commit_callbacks(execute=True):
        window = maintenance_window_create(
            title="Mail server upgrade",
            service=desk.service,
            starts_at="2026-07-05T01:00",
            duration=120,
            time_zone="Europe/Bucharest",
            rrule="FREQ=WEEKLY",
            is_public=True,
        )
    assert page_version() != before
    page = client.get("/status/").content.decode()
    assert "Mail server upgrade" in page and "Internal reboot" not in page
    assert private.pk
    summary = selectors.summary()
    (planned,) = summary["scheduled_maintenances"]
    assert planned["name"] == "Mail server upgrade"
    assert planned["scheduled_for"].startswith("2026-07-04T22:00")  # 01:00 summer time
    assert planned["status"] == "scheduled"

    # In progress: the component shows under maintenance; one occurrence of the series only.
    time_machine.move_to(datetime.fromisoformat("2026-07-04T22:30:00+00:00"), tick=False)
    summary = selectors.summary()
    assert [m["status"] for m in summary["scheduled_maintenances"]] == ["in_progress"]
    assert summary["components"][0]["status"] == "under_maintenance"
    assert component.pk

    before = page_version()
    with django_capture_on_commit_callbacks(execute=True):
        maintenance_window_update(window=window, is_public=False)
    assert page_version() != before
    assert selectors.summary()["scheduled_maintenances"] == []
