"""Correlation across integrations under concurrency: two workers, two integrations on one
service, one incident (PostgreSQL; SQLite serialises the writers anyway)."""

import contextlib
import threading
from dataclasses import asdict

import pytest
from django.db import connection, connections
from django.utils import timezone

from servicedesk.alerts.models import Alert, RawEvent
from servicedesk.alerts.services import integration_create, pending_events, processing
from servicedesk.alerts.sources import TRIGGER, Item
from servicedesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_two_workers_on_one_service_open_one_incident(desk, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    integrations = [
        integration_create(
            name=f"Monitor {n}", source="generic", service=desk.service, assignment_group=desk.l1
        )[0]
        for n in (1, 2)
    ]
    now = timezone.now()
    RawEvent.objects.bulk_create(
        RawEvent(
            integration=integration,
            received_at=now,
            body="{}",
            items=[
                asdict(
                    Item(
                        key=f"down-{integration.pk}",
                        action=TRIGGER,
                        severity="critical",
                        summary="Mail down",
                    )
                )
            ],
        )
        for integration in integrations
    )
    # Each worker, having found no incident, waits for the other to find none too: without a
    # lock both would open one. With the service locked the second waits for the first.
    meet = threading.Barrier(2)
    original = processing._open_incident

    def open_incident(ckey, since):
        found = original(ckey, since)
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait(timeout=2)
        return found

    monkeypatch.setattr(processing, "_open_incident", open_incident)
    errors: list[BaseException] = []

    def work():
        try:
            processing.events_batch_process(limit=100)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors, errors
    assert pending_events().count() == 0
    incident = Ticket.objects.get()
    assert list(Alert.objects.values_list("incident", flat=True)) == [incident.pk] * 2
