"""Priority from impact × urgency (tickets/priority.py) and its use by the services."""

import pytest

from servicedesk.tickets import services
from servicedesk.tickets.models import TicketEvent
from servicedesk.tickets.priority import (
    DEFAULT_MATRIX,
    Level,
    PriorityMatrixCell,
    priority_for,
    priority_matrix,
)
from tests.tickets.factories import ticket_logged

ITIL_MATRIX = [
    # impact, urgency, priority
    ("high", "high", 1),
    ("high", "medium", 2),
    ("high", "low", 3),
    ("medium", "high", 2),
    ("medium", "medium", 3),
    ("medium", "low", 4),
    ("low", "high", 3),
    ("low", "medium", 4),
    ("low", "low", 5),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("impact", "urgency", "priority"), ITIL_MATRIX)
def test_the_default_matrix_is_itils(impact, urgency, priority):
    assert priority_for(impact, urgency) == priority
    assert DEFAULT_MATRIX[(impact, urgency)] == priority


@pytest.mark.parametrize(("impact", "urgency", "priority"), ITIL_MATRIX)
def test_a_logged_ticket_gets_the_matrix_priority(desk, impact, urgency, priority):
    ticket = ticket_logged(requester=desk.requester, impact=impact, urgency=urgency)
    ticket.refresh_from_db()
    assert ticket.priority == priority
    assert ticket.events.get(type=TicketEvent.Type.CREATED).data["priority"] == priority


@pytest.mark.django_db
def test_the_matrix_covers_every_cell_and_raising_either_axis_never_lowers_priority():
    order = [Level.LOW, Level.MEDIUM, Level.HIGH]
    matrix = priority_matrix()
    assert set(matrix) == {(i, u) for i in Level.values for u in Level.values}
    for i, impact in enumerate(order):
        for j, urgency in enumerate(order):
            if i + 1 < len(order):
                assert matrix[(order[i + 1], urgency)] <= matrix[(impact, urgency)]
            if j + 1 < len(order):
                assert matrix[(impact, order[j + 1])] <= matrix[(impact, urgency)]


@pytest.mark.django_db
def test_an_edited_cell_takes_effect_at_once_and_its_removal_too():
    assert priority_for("high", "low") == 3  # read once, so the matrix is now cached
    cell = PriorityMatrixCell.objects.create(impact="high", urgency="low", priority=2)
    assert priority_for("high", "low") == 2
    cell.priority = 1
    cell.save()
    assert priority_for("high", "low") == 1
    # The other cells keep ITIL's defaults.
    assert priority_for("high", "medium") == 2
    assert priority_for("low", "low") == 5
    cell.delete()
    assert priority_for("high", "low") == 3


def test_an_edited_cell_applies_to_tickets_logged_after_it(desk):
    before = ticket_logged(requester=desk.requester, impact="low", urgency="low")
    PriorityMatrixCell.objects.create(impact="low", urgency="low", priority=4)
    after = ticket_logged(requester=desk.requester, impact="low", urgency="low")
    before.refresh_from_db()
    assert before.priority == 5  # a ticket already logged keeps its priority
    assert after.priority == 4


def test_changing_impact_or_urgency_recomputes_priority_with_a_timeline_row(desk):
    ticket = ticket_logged(requester=desk.requester)
    assert ticket.priority == 3
    version = ticket.version

    ticket = services.ticket_update(
        ticket=ticket, actor=desk.l1_agent, impact="high", reason="The whole floor is down"
    )
    ticket.refresh_from_db()
    assert ticket.priority == 2
    assert ticket.version == version + 1
    row = ticket.events.filter(type=TicketEvent.Type.CHANGED).latest("id")
    assert row.actor == desk.l1_agent
    assert row.data["reason"] == "The whole floor is down"
    assert row.data["changes"] == [
        {"field": "impact", "from": "medium", "to": "high"},
        {"field": "priority", "from": 3, "to": 2},
    ]

    ticket = services.ticket_update(ticket=ticket, actor=desk.l1_agent, urgency="high")
    ticket.refresh_from_db()
    assert ticket.priority == 1
    row = ticket.events.filter(type=TicketEvent.Type.CHANGED).latest("id")
    assert row.data["changes"] == [
        {"field": "urgency", "from": "medium", "to": "high"},
        {"field": "priority", "from": 2, "to": 1},
    ]


def test_a_change_that_keeps_the_priority_records_no_priority_change(desk):
    ticket = ticket_logged(requester=desk.requester, impact="high", urgency="low")
    assert ticket.priority == 3
    # high × low and low × high are both P3.
    services.ticket_update(ticket=ticket, actor=desk.l1_agent, impact="low", urgency="high")
    ticket.refresh_from_db()
    assert ticket.priority == 3
    row = ticket.events.filter(type=TicketEvent.Type.CHANGED).latest("id")
    assert [c["field"] for c in row.data["changes"]] == ["impact", "urgency"]


def test_an_unchanged_impact_writes_nothing(desk):
    ticket = ticket_logged(requester=desk.requester)
    events = ticket.events.count()
    services.ticket_update(ticket=ticket, actor=desk.l1_agent, impact="medium")
    ticket.refresh_from_db()
    assert ticket.version == 1
    assert ticket.events.count() == events


@pytest.mark.django_db
def test_cells_removed_or_changed_in_bulk_take_effect_at_once():
    # The admin's "delete selected" action removes cells with one queryset delete.
    PriorityMatrixCell.objects.create(impact="high", urgency="low", priority=1)
    PriorityMatrixCell.objects.create(impact="low", urgency="low", priority=4)
    assert (priority_for("high", "low"), priority_for("low", "low")) == (1, 4)
    PriorityMatrixCell.objects.filter(impact="low").update(priority=3)
    assert priority_for("low", "low") == 3
    PriorityMatrixCell.objects.all().delete()
    assert (priority_for("high", "low"), priority_for("low", "low")) == (3, 5)
