"""Each page sent once however many sweep: two processes sweeping the same due escalations at
once, then two Celery workers and a beat against Redis."""

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.db.models import Count
from django.utils import timezone

from servicedesk.notifications.models import OutboxMessage
from servicedesk.oncall.models import Escalation, Page
from servicedesk.tickets import services as ticket_services
from tests.accounts.factories import AgentFactory
from tests.oncall.factories import policy_create
from tests.processes import (
    celery_start,
    process_env,
    products_stop,
    redis_available,
)

# serialized_rollback: the default calendars and policies come from a migration.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres_only,
]
INCIDENTS = 40
BROKER = "redis://127.0.0.1:6379/14"
SWEEPER = """
import time
from servicedesk.cli import _django_setup
_django_setup()
from servicedesk.core.due import due_sweep
deadline = time.monotonic() + 6
handled = 0
while time.monotonic() < deadline:
    handled += sum(due_sweep().values())
print("handled", handled)
"""


def _sweepers(tmp_path: Path) -> list[str]:
    env = process_env(tmp_path)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SWEEPER],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    return [process.communicate(timeout=120)[0] for process in processes]


def _incidents_at_level_two_due(desk):
    """INCIDENTS P1s at L3, each paged its first level; the second level of every escalation
    falls due now, in the same minute. Returns the second level's person."""
    first, second = AgentFactory(username="first.l3"), AgentFactory(username="second.l3")
    policy_create(
        name="Engineering",
        group=desk.l3,
        levels=[(5, {"people": [first]}), (5, {"people": [second]})],
    )
    for n in range(INCIDENTS):
        ticket_services.ticket_log(
            actor=desk.l1_agent,
            requester=desk.requester,
            title=f"Outage {n}",
            impact="high",
            urgency="high",
            assignment_group=desk.l3,
        )
    assert Page.objects.count() == INCIDENTS
    Escalation.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
    return second


def _assert_paged_once_each(second):
    per_step = Page.objects.values("escalation", "level", "repeat").annotate(n=Count("id"))
    assert {row["n"] for row in per_step} == {1}
    assert Page.objects.filter(person=second).count() == INCIDENTS
    to_second = OutboxMessage.objects.filter(topic="oncall.page", destination=second.email)
    assert to_second.count() == INCIDENTS
    assert len(set(to_second.values_list("body", flat=True))) == INCIDENTS  # one link each
    assert Escalation.objects.filter(level=1, state="active").count() == INCIDENTS


def test_two_sweeping_processes_send_each_page_once(desk, tmp_path):
    second = _incidents_at_level_two_due(desk)

    outputs = _sweepers(tmp_path)
    assert all("handled" in out for out in outputs), outputs
    handled = [int(out.split("handled")[-1]) for out in outputs]

    _assert_paged_once_each(second)
    assert sum(handled) >= INCIDENTS


@pytest.mark.skipif(not redis_available(BROKER), reason="needs Redis at 127.0.0.1:6379")
def test_two_celery_workers_and_beat_send_each_page_once(desk, tmp_path):
    redis.Redis.from_url(BROKER).flushdb()
    second = _incidents_at_level_two_due(desk)
    env = process_env(tmp_path, SERVICEDESK_SWEEP_SECONDS="1", CELERY_BROKER_URL=BROKER)
    processes = celery_start(env, tmp_path)
    try:
        deadline = time.monotonic() + 120
        while Page.objects.filter(person=second).count() < INCIDENTS:
            assert time.monotonic() < deadline, "the workers did not page level 2 in time"
            time.sleep(0.5)
        time.sleep(3)  # any sweep that raced the last one finishes
    finally:
        products_stop(processes)
        redis.Redis.from_url(BROKER).flushdb()
    _assert_paged_once_each(second)
