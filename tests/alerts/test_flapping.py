"""Flapping: enter at the Nth state change in the window, hold notifications, leave after the
hold-down with one catch-up (time travel)."""

from datetime import datetime, timedelta

import pytest

from servicedesk.alerts.flapping import flap_record
from servicedesk.alerts.models import Alert, AlertFlap
from servicedesk.alerts.services import alerts_process
from servicedesk.core.due import due_sweep
from servicedesk.notifications.models import OutboxMessage
from servicedesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db
T0 = datetime.fromisoformat("2026-03-02T09:00:00+00:00")


@pytest.fixture
def send(integration_of, post, time_machine):
    integration, key = integration_of("generic")
    url = f"/api/alerts/generic/{key}/"

    def at(minute: float, status: str, key_: str = "db1"):
        time_machine.move_to(T0 + timedelta(minutes=minute), tick=False)
        body = {"key": key_, "status": status}
        if status == "firing":
            body |= {"severity": "critical", "summary": "db1 down"}
        assert post(url, body).status_code == 202
        alerts_process()

    send.integration = integration
    return at


def topics():
    return list(OutboxMessage.objects.order_by("id").values_list("topic", flat=True))


def test_enter_hold_and_leave_with_one_catch_up(send, time_machine):
    # Five state changes in 30 minutes: open, resolve, open, resolve, open.
    for minute, status in enumerate(["firing", "resolved", "firing", "resolved"]):
        send(minute, status)
    flap = AlertFlap.objects.get()
    assert flap.flapping is False and len(flap.changes) == 4
    send(4, "firing")
    flap.refresh_from_db()
    assert flap.flapping is True
    assert flap.flapping_since == T0 + timedelta(minutes=4)
    assert flap.next_check_at == T0 + timedelta(minutes=4 + 30)
    incident = Ticket.objects.get()
    rows = [e.data["alerts"] for e in incident.events.filter(data__source="monitoring")]
    assert rows[-1]["flapping"] == ["db1"]
    assert Alert.objects.filter(flapping=True).count() == 1  # the alert opened at minute 4

    # It clears while flapping: every alert of the incident cleared, but nobody is told yet.
    before = topics()
    send(5, "resolved")
    rows = [e.data["alerts"] for e in incident.events.filter(data__source="monitoring")]
    assert rows[-1]["all_cleared"] is True and rows[-1]["held"] is True
    assert topics() == before  # no "all alerts cleared" message
    flap.refresh_from_db()
    assert flap.held == 1
    assert flap.next_check_at == T0 + timedelta(minutes=5 + 30)

    # Still within the hold-down: the sweep leaves it flapping.
    time_machine.move_to(T0 + timedelta(minutes=34, seconds=59), tick=False)
    due_sweep()
    flap.refresh_from_db()
    assert flap.flapping is True

    # Stable for 30 minutes: flapping ends, one catch-up (the clearing that was held).
    time_machine.move_to(T0 + timedelta(minutes=35), tick=False)
    due_sweep()
    flap.refresh_from_db()
    assert (flap.flapping, flap.changes, flap.next_check_at) == (False, [], None)
    assert not Alert.objects.filter(flapping=True).exists()
    assert topics() == [*before, "alerts.cleared"]
    last = incident.events.filter(data__source="monitoring").order_by("-id").first()
    assert last.data["alerts"]["settled"] == ["db1"]
    assert last.data["alerts"]["all_cleared"] is True
    due_sweep()  # nothing more is due: one catch-up only
    assert topics() == [*before, "alerts.cleared"]


def test_stable_again_while_firing_tells_the_agent_once(send, time_machine):
    for minute, status in enumerate(["firing", "resolved"] * 2 + ["firing"]):
        send(minute, status)
    assert AlertFlap.objects.get().flapping
    send(10, "firing")  # a repeat is no state change: the hold-down still ends at 4 + 30
    assert AlertFlap.objects.get().next_check_at == T0 + timedelta(minutes=34)
    time_machine.move_to(T0 + timedelta(minutes=34), tick=False)
    due_sweep()
    assert topics().count("alerts.settled") == 1
    assert AlertFlap.objects.get().flapping is False
    assert Alert.objects.get(status="open").flapping is False


def test_a_change_exactly_a_window_later_is_outside_it(send):
    # Changes at 0, 10, 20, 29 and 30 minutes: at 30 the change at 0 is out of (0, 30].
    for minute, status in zip(
        [0, 10, 20, 29, 30], ["firing", "resolved", "firing", "resolved", "firing"], strict=True
    ):
        send(minute, status)
    flap = AlertFlap.objects.get()
    assert flap.flapping is False
    send(31, "resolved")  # 10, 20, 29, 30, 31: five in the window
    flap.refresh_from_db()
    assert flap.flapping is True


def test_the_integration_sets_the_rule(integration_of, post, time_machine):
    _integration, key = integration_of("generic", flap_changes=3, flap_window=5, flap_hold=2)
    url = f"/api/alerts/generic/{key}/"
    for minute, status in enumerate(["firing", "resolved", "firing"]):
        time_machine.move_to(T0 + timedelta(minutes=minute), tick=False)
        body = {"key": "k", "status": status, "severity": "warning", "summary": "s"}
        post(url, body)
        alerts_process()
    flap = AlertFlap.objects.get()
    assert flap.flapping and flap.next_check_at == T0 + timedelta(minutes=4)


def test_the_rule_alone():
    flap = AlertFlap(changes=[])
    moments = [T0 + timedelta(minutes=m) for m in (0, 1, 2, 3)]
    assert [flap_record(flap, t, changes=3, window=10, hold=5) for t in moments] == [
        False,
        False,
        True,
        False,
    ]
    assert flap.held == 1 and flap.next_check_at == moments[-1] + timedelta(minutes=5)
    # A change stamped earlier than the last one counts at the last one's instant.
    flap_record(flap, T0, changes=3, window=10, hold=5)
    assert flap.last_change_at == moments[-1]
