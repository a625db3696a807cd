"""The timeline's observers (tickets/events.py): apps above react to what is written."""

import pytest
from django.db import transaction

from servicedesk.tickets import events
from servicedesk.tickets.models import TicketEvent
from tests.accounts.factories import UserFactory
from tests.tickets.factories import ticket_logged

E = TicketEvent.Type


@pytest.fixture
def seen():
    rows = []

    def observer(event):
        rows.append((event.type, event.ticket_id, event.pk is not None))

    events.event_observer_register([E.CREATED, E.COMMENT], observer)
    yield rows
    events.event_observer_unregister(observer)


@pytest.mark.django_db
def test_an_observer_sees_each_row_of_its_types_once_written(seen):
    ticket = ticket_logged(requester=UserFactory())

    assert seen == [(E.CREATED, ticket.pk, True)]


@pytest.mark.django_db
def test_an_observer_that_fails_rolls_back_the_change_it_observed():
    def observer(event):
        raise RuntimeError("observer failed")

    events.event_observer_register([E.CREATED], observer)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            ticket_logged(requester=UserFactory(), title="Rolled back")
    finally:
        events.event_observer_unregister(observer)

    assert not TicketEvent.objects.filter(ticket__title="Rolled back").exists()


def test_an_unknown_type_is_refused():
    with pytest.raises(ValueError, match="not a timeline event type"):
        events.event_observer_register(["no-such-type"], print)
