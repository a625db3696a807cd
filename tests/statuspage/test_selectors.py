from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from servicedesk.statuspage import selectors, services
from servicedesk.statuspage.states import ComponentStatus, incident_next_status
from tests.statuspage.factories import ComponentFactory
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Europe/Bucharest")


def test_each_day_takes_its_worst_status_and_its_minutes_of_outage(desk):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZONE)
    component = ComponentFactory(created_at=now - timedelta(days=5, hours=12))
    for at, status in (
        (datetime(2026, 6, 8, 10, 0, tzinfo=ZONE), "degraded_performance"),
        (datetime(2026, 6, 8, 11, 0, tzinfo=ZONE), "major_outage"),
        (datetime(2026, 6, 8, 13, 0, tzinfo=ZONE), "operational"),
    ):
        with time_machine.travel(at, tick=False):
            services.component_status_set(component=component, actor=desk.l1_agent, status=status)
    (row,) = selectors.uptime_rows([component], in_maintenance=set(), now=now)
    by_date = {day.date.isoformat(): day for day in row.days}
    assert len(row.days) == 90
    assert by_date["2026-06-08"].level == "major_outage"
    assert by_date["2026-06-08"].outage_minutes == 120
    assert by_date["2026-06-07"].level == "operational"
    assert by_date["2026-06-01"].level == "none"
    counted = 5.5 * 24 * 60
    assert row.uptime == round(100 * (1 - 120 / counted), 2)


def test_a_partial_outage_weighs_less_than_a_major_one(desk):
    now = timezone.now()
    component = ComponentFactory(created_at=now - timedelta(days=1))
    with time_machine.travel(now - timedelta(hours=2), tick=False):
        services.component_status_set(
            component=component, actor=desk.l1_agent, status="partial_outage"
        )
    (row,) = selectors.uptime_rows([component], in_maintenance=set(), now=now)
    assert row.uptime == round(100 * (1 - 120 * 0.3 / (24 * 60)), 2)


def test_the_indicator_follows_the_worst_status():
    assert selectors.indicator_for(["operational"], 0)[0] == "none"
    assert selectors.indicator_for(["operational"], 1)[0] == "minor"
    assert selectors.indicator_for(["under_maintenance", "operational"], 0)[0] == "maintenance"
    assert selectors.indicator_for(["degraded_performance"], 0)[0] == "minor"
    assert selectors.indicator_for(["partial_outage", "degraded_performance"], 0)[0] == "major"
    assert selectors.indicator_for(["major_outage", "partial_outage"], 0)[0] == "critical"


def test_open_p1_and_p2_incidents_propose_a_status_but_publish_nothing(desk):
    component = ComponentFactory(service=desk.service)
    ticket_logged(
        requester=desk.requester,
        actor=desk.l1_agent,
        title="Slow mail",
        service=desk.service,
        impact="high",
        urgency="medium",
    )
    (proposal,) = selectors.proposals()
    assert proposal.component == component and proposal.status == ComponentStatus.PARTIAL
    component.refresh_from_db()
    assert component.status == ComponentStatus.OPERATIONAL
    services.component_status_set(component=component, actor=desk.l1_agent, status="major_outage")
    assert selectors.proposals() == []  # already worse than proposed


def test_the_incident_table():
    assert incident_next_status("investigating", "resolved")
    assert incident_next_status("monitoring", "investigating")
    assert not incident_next_status("resolved", "investigating")
    assert not incident_next_status("investigating", "nonsense")
