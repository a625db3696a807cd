from datetime import date, time

import pytest

from servicedesk.oncall.models import Schedule
from tests.accounts.factories import AgentFactory
from tests.oncall.factories import layer_add, policy_create


@pytest.fixture
def oncall(desk):
    """L3's schedule (a weekly rotation of the L3 engineer and a colleague, Monday 09:00 in
    Bucharest) and its policy: the one on call, then the second-line person after 5 minutes,
    then the whole once more after 10."""
    colleague = AgentFactory(username="ioana.l3", first_name="Ioana")
    second = AgentFactory(username="victor.lead", first_name="Victor")
    desk.l3.members.add(colleague, second)
    schedule = Schedule.objects.create(name="Engineering on call", time_zone="Europe/Bucharest")
    layer_add(
        schedule,
        [desk.l3_agent, colleague],
        name="Weekly",
        level=1,
        start=date(2026, 1, 5),
        handoff=time(9, 0),
    )
    policy = policy_create(
        name="Engineering",
        group=desk.l3,
        repeat=1,
        levels=[(5, {"schedules": [schedule]}), (10, {"people": [second]})],
    )
    return type(
        "OnCall",
        (),
        {"schedule": schedule, "policy": policy, "colleague": colleague, "second": second},
    )
