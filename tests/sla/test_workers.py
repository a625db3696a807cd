"""SLA warnings and breaches sent by real background processes, once each.

Two Celery workers and a beat against Redis; then the embedded mode (`servicedesk serve` with no
broker), where the web workers run the same periodic tasks on a thread of their own.
"""

import socket
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.utils import timezone

from servicedesk.notifications.models import OutboxMessage
from servicedesk.sla.models import BusinessCalendar, SlaClock, SlaPolicy
from servicedesk.tickets import services
from tests.processes import (
    celery_start,
    process_env,
    product_start,
    products_stop,
    redis_available,
)

# serialized_rollback: the default calendars and policies come from a migration.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BROKER = "redis://127.0.0.1:6379/15"


def _env(tmp_path: Path, **extra) -> dict:
    return process_env(tmp_path, SERVICEDESK_SWEEP_SECONDS="1", **extra)


def _almost_due_ticket(desk):
    """A P1 under a one-minute response target, reported 40 s ago: warnings at 45 s and 54 s,
    the breach at 60 s — all within the first half-minute of the test."""
    SlaPolicy.objects.create(
        name="Core network P1",
        priority=1,
        category=desk.category,
        response_minutes=1,
        resolution_minutes=60,
        calendar=BusinessCalendar.objects.get(name="24×7"),
        warning_thresholds=[75, 90],
        breach_action=SlaPolicy.BreachAction.NEXT_TIER,
    )
    return services.ticket_log(
        actor=desk.l1_agent,
        requester=desk.requester,
        title="Core switch flapping",
        category=desk.category,
        impact="high",
        urgency="high",
        reported_at=timezone.now() - timedelta(seconds=40),
    )


def _wait_for_breach(ticket, seconds: float = 120) -> SlaClock:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        clock = SlaClock.objects.get(ticket=ticket, metric="response")
        if clock.breached_at is not None:
            return clock
        time.sleep(0.5)
    raise AssertionError("no breach was recorded in time")


def _assert_sent_once_each(ticket, desk):
    time.sleep(3)  # let any sweep that raced the breach finish
    sla_events = sorted(
        (e["data"]["what"], e["data"].get("threshold"))
        for e in ticket.events.filter(type="sla").values("data")
    )
    assert sla_events == [("breach", None), ("warning", 75), ("warning", 90)]
    rows = list(
        OutboxMessage.objects.about(ticket)
        .filter(topic__startswith="sla.")
        .values_list("topic", "title", "destination")
    )
    assert len(rows) == len(set(rows))
    assert ("sla.breach", desk.manager.email) in {(t, r) for t, _, r in rows}
    assert {s for t, s, _ in rows if t == "sla.warning"} == {
        f"[{ticket.number}] First response target 75% used",
        f"[{ticket.number}] First response target 90% used",
    }
    assert SlaClock.objects.get(ticket=ticket, metric="response").warned == [75, 90]
    assert ticket.events.filter(type="escalated").count() == 1


@pytest.mark.skipif(not redis_available(BROKER), reason="needs Redis at 127.0.0.1:6379")
def test_two_celery_workers_and_beat_send_each_warning_and_breach_once(desk, tmp_path):
    redis.Redis.from_url(BROKER).flushdb()
    ticket = _almost_due_ticket(desk)
    env = _env(tmp_path, CELERY_BROKER_URL=BROKER)
    processes = celery_start(env, tmp_path)
    try:
        _wait_for_breach(ticket)
        _assert_sent_once_each(ticket, desk)
    finally:
        products_stop(processes)
        redis.Redis.from_url(BROKER).flushdb()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_embedded_mode_sends_each_warning_and_breach_once_without_a_broker(desk, tmp_path):
    ticket = _almost_due_ticket(desk)
    env = _env(tmp_path)
    server = product_start(
        ["serve", "--port", str(_free_port()), "--workers", "2", "--threads", "2"],
        env,
        tmp_path / "serve.log",
    )
    try:
        _wait_for_breach(ticket)
        _assert_sent_once_each(ticket, desk)
    finally:
        products_stop([server])
