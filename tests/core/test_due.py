"""The due-work sweep (`core/due.py`), with the SLA clock as its real user."""

import threading
from datetime import timedelta

import psycopg
import pytest
from django.db import connection, connections
from django.utils import timezone

from servicedesk.core import due
from servicedesk.core.due import due_models, due_register, due_sweep
from servicedesk.notifications.models import OutboxMessage
from servicedesk.sla.models import SlaClock, SlaLedgerEntry
from servicedesk.tickets import services
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import service_levels

LABEL = "sla.SlaClock"


def _clocks(desk, tickets: int) -> list[SlaClock]:
    """Two running clocks per ticket, none due yet (targets are hours away)."""
    for n in range(tickets):
        services.ticket_log(actor=desk.requester, title=f"Printer {n}")
    return list(SlaClock.objects.order_by("pk"))


def _due_at(clock: SlaClock, at) -> None:
    SlaClock.objects.filter(pk=clock.pk).update(next_check_at=at)


def _recording(handled: list, *, done=True):
    """A handler that notes each row and (if `done`) says it needs no more checks."""

    def handler(clock, now):
        handled.append(clock.pk)
        if done:
            clock.next_check_at = None
            clock.save(update_fields=["next_check_at"])

    return handler


@pytest.fixture
def register(monkeypatch):
    """Register the SLA clock alone, under a handler of the test's (the real one is restored)."""

    def register(handler, **options):
        monkeypatch.setattr(due, "_registry", {})
        due_register(SlaClock, handler=handler, **options)

    return register


def test_sla_clocks_are_registered_with_their_handler_and_index():
    (entry,) = [e for e in due_models() if e.model is SlaClock]
    assert entry.handler is service_levels.sla_clock_due
    assert "ticket__assignee" in entry.select_related
    index = next(i for i in SlaClock._meta.indexes if i.name == "sla_slaclock_due_idx")
    assert index.fields == ["next_check_at"]
    assert index.condition.children == [("next_check_at__isnull", False)]


def test_only_models_with_due_work_can_register():
    with pytest.raises(TypeError, match="DueWork"):
        due_register(Ticket, handler=lambda row, now: None)


@pytest.mark.django_db
def test_due_rows_are_handled_oldest_first_batch_after_batch(desk, register, monkeypatch):
    clocks = _clocks(desk, 3)
    now = timezone.now()
    # Five due at shuffled instants, one due a second from now.
    for clock, minutes in zip(clocks, [3, 9, 1, 7, 5], strict=False):
        _due_at(clock, now - timedelta(minutes=minutes))
    _due_at(clocks[5], now + timedelta(seconds=1))
    handled, batches = [], []
    register(_recording(handled), batch=2)
    select = due.due_ids

    def due_ids_counted(**kwargs):
        batch = select(**kwargs)
        batches.append(len(batch))
        return batch

    monkeypatch.setattr(due, "due_ids", due_ids_counted)

    assert due_sweep(now=now) == {LABEL: 5}
    assert handled == [clocks[i].pk for i in (1, 3, 4, 0, 2)]
    assert batches == [2, 2, 1]  # full batches go on; the short one ends the walk
    future = SlaClock.objects.get(pk=clocks[5].pk)
    assert future.next_check_at == now + timedelta(seconds=1)
    assert due_sweep(now=now) == {LABEL: 0}


@pytest.mark.django_db
def test_a_row_whose_check_is_in_the_future_is_not_touched(desk, register):
    clocks = _clocks(desk, 1)
    handled = []
    register(_recording(handled))
    assert due_sweep() == {LABEL: 0}
    assert handled == []
    assert [c.next_check_at for c in SlaClock.objects.order_by("pk")] == [
        c.next_check_at for c in clocks
    ]


@pytest.mark.django_db
def test_a_handler_that_leaves_its_row_due_sees_it_once_per_sweep(desk, register):
    clocks = _clocks(desk, 2)
    now = timezone.now()
    for minutes, clock in enumerate(clocks[:3], start=1):
        _due_at(clock, now - timedelta(minutes=minutes))
    handled = []
    register(_recording(handled, done=False), batch=1)

    assert due_sweep(now=now) == {LABEL: 3}
    assert sorted(handled) == sorted(c.pk for c in clocks[:3])
    # Still due, so the next sweep looks again: once each again.
    assert due_sweep(now=now) == {LABEL: 3}
    assert len(handled) == 6


@pytest.mark.django_db
def test_a_handler_that_moves_its_row_to_a_later_but_still_due_instant_runs_once(desk, register):
    clock = _clocks(desk, 1)[0]
    now = timezone.now()
    _due_at(clock, now - timedelta(minutes=10))
    handled = []

    def handler(row, now):
        handled.append(row.pk)
        row.next_check_at = now - timedelta(minutes=1)
        row.save(update_fields=["next_check_at"])

    register(handler, batch=1)
    assert due_sweep(now=now) == {LABEL: 1}
    assert handled == [clock.pk]


@pytest.mark.django_db
def test_a_failing_row_does_not_hold_back_the_others_and_the_error_propagates(desk, register):
    clocks = _clocks(desk, 2)
    now = timezone.now()
    for minutes, clock in enumerate(clocks, start=1):
        _due_at(clock, now - timedelta(minutes=minutes))
    oldest = clocks[-1]
    handled = []

    def handler(row, now):
        row.next_check_at = None
        row.save(update_fields=["next_check_at"])
        if row.pk == oldest.pk:
            raise ValueError("bad calendar")
        handled.append(row.pk)

    register(handler)
    with pytest.raises(ValueError, match="bad calendar"):
        due_sweep(now=now)
    assert sorted(handled) == sorted(c.pk for c in clocks[:-1])
    # Its transaction was rolled back: the failing row waits for the next sweep.
    assert SlaClock.objects.get(pk=oldest.pk).next_check_at == now - timedelta(minutes=4)
    assert not SlaClock.objects.filter(pk__in=handled, next_check_at__isnull=False).exists()


@pytest.mark.django_db
def test_the_sla_handler_records_the_breach_and_escalates(desk):
    ticket = services.ticket_log(
        actor=desk.requester, title="Payroll down", impact="high", urgency="high"
    )
    later = timezone.now() + timedelta(hours=2)  # the P1 response target is 1 h on 24×7
    assert due_sweep(now=later)[LABEL] == 1  # other apps register their models too
    ticket.refresh_from_db()
    assert ticket.tier == 2 and ticket.events.filter(type="escalated").count() == 1
    response = SlaClock.objects.get(ticket=ticket, metric="response")
    assert response.breached_at is not None and response.next_check_at is None


@pytest.mark.django_db
def test_a_stopped_clock_with_a_stale_check_is_only_taken_out_of_the_index(desk):
    ticket = services.ticket_log(actor=desk.requester, title="Mouse")
    SlaClock.objects.filter(ticket=ticket).update(
        state=SlaClock.State.STOPPED, next_check_at=timezone.now() - timedelta(hours=1)
    )
    assert due_sweep()[LABEL] == 2
    assert not SlaClock.objects.filter(ticket=ticket, next_check_at__isnull=False).exists()
    assert not SlaLedgerEntry.objects.filter(clock__ticket=ticket, event="breach").exists()


# ---------------------------------------------------------------------------------------------
# Concurrency (PostgreSQL: row locks)


def _other_connection() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        dbname=settings["NAME"],
    )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_row_locked_by_another_worker_is_skipped_not_waited_for(desk, register):
    clocks = _clocks(desk, 2)
    now = timezone.now()
    for minutes, clock in enumerate(clocks, start=1):
        _due_at(clock, now - timedelta(minutes=minutes))
    locked = clocks[1]
    handled = []
    register(_recording(handled), batch=2)
    with _other_connection() as other:
        other.execute("SELECT 1 FROM sla_slaclock WHERE id = %s FOR UPDATE", [locked.pk])
        assert due_sweep(now=now) == {LABEL: 3}
        assert locked.pk not in handled
        # Every due row locked elsewhere: nothing to do, and no waiting either.
        other.execute("SELECT 1 FROM sla_slaclock WHERE next_check_at IS NOT NULL FOR UPDATE")
        assert due_sweep(now=now) == {LABEL: 0}
        other.rollback()
    assert due_sweep(now=now) == {LABEL: 1}
    assert handled[-1] == locked.pk


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_only_the_row_is_locked_not_what_is_joined_to_it(desk):
    """A lock on the clock's calendar (another worker's claim that also locked it, an admin
    editing the calendar) must not make the sweep skip every clock on that calendar."""
    ticket = services.ticket_log(
        actor=desk.requester, title="Payroll down", impact="high", urgency="high"
    )
    calendar_id = SlaClock.objects.get(ticket=ticket, metric="response").calendar_id
    later = timezone.now() + timedelta(hours=2)
    with _other_connection() as other:
        other.execute("SELECT 1 FROM sla_businesscalendar WHERE id = %s FOR UPDATE", [calendar_id])
        assert due_sweep(now=later)[LABEL] == 1
        other.rollback()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_sweeping_at_once_send_each_breach_once(desk):
    tickets = [
        services.ticket_log(
            actor=desk.requester, title=f"Site {n} down", impact="high", urgency="high"
        )
        for n in range(12)
    ]
    later = timezone.now() + timedelta(hours=2)
    counts, start = [], threading.Barrier(2)

    def worker():
        try:
            start.wait()
            counts.append(due_sweep(now=later)[LABEL])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == 12  # one response clock breached per ticket, each handled once
    assert SlaLedgerEntry.objects.filter(event="breach").count() == 12
    breach_mails = list(
        OutboxMessage.objects.filter(topic="sla.breach").values_list("subject_id", "destination")
    )
    assert len(breach_mails) == len(set(breach_mails)) and breach_mails
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.tier == 2 and ticket.events.filter(type="escalated").count() == 1
