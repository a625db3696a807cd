"""The ticket list's filters: a value that is empty, malformed or out of range is a 400 naming
the parameter; a good one filters."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.test import override_settings
from rest_framework.exceptions import ValidationError

from servicedesk.tickets.filters import ticket_filter
from servicedesk.tickets.models import Ticket
from tests.tickets.api_steps import error_of, log, ok

BIG = str(2**63)  # one past the largest bigint

REFUSED = [
    # (query, parameter, a fragment of the reason)
    *[(f"{name}={BIG}", name, "whole number from 1 to") for name in
      ("assignee", "service", "requester", "category", "assignment_group")],
    *[(f"{name}=1,{'9' * 40}", name, "whole number from 1 to") for name in
      ("service", "assignee")],
    (f"tier={BIG}", "tier", "from 1 to 3"),
    (f"priority={BIG}", "priority", "from 1 to 5"),
    ("priority=" + "9" * 5000, "priority", "from 1 to 5"),
    ("tier=7", "tier", "from 1 to 3"),
    ("tier=0", "tier", "from 1 to 3"),
    ("tier=-1", "tier", "from 1 to 3"),
    ("priority=9", "priority", "from 1 to 5"),
    ("priority=1.5", "priority", "from 1 to 5"),
    ("category=0", "category", "from 1 to"),
    ("category=%C2%B2", "category", "whole number"),  # '²': isdigit() says yes, int() no
    ("service=1,,2", "service", "empty"),
    ("service=1,", "service", "empty"),
    ("assignee=someone", "assignee", "whole number"),
    ("created_after=0001-01-01T00:00:00%2B14:00", "created_after", "from 1900 to 2199"),
    ("created_before=9999-12-31T23:59:59-14:00", "created_before", "from 1900 to 2199"),
    ("updated_after=9999-12-31T23:59:59", "updated_after", "from 1900 to 2199"),
    ("updated_after=1899-12-31", "updated_after", "from 1900 to 2199"),
    ("created_after=2026-02-30T00:00:00", "created_after", "ISO 8601"),
    ("created_after=2026-01-31T09:00%2B25:00", "created_after", "ISO 8601"),
    ("created_after=yesterday", "created_after", "ISO 8601"),
    ("status=open,", "status", "empty"),
    ("q=" + "x" * 201, "q", "At most 200"),
    ("q=a%00b", "q", "NUL"),
    *[(f"{name}=", name, "Give a value") for name in
      ("status", "kind", "priority", "tier", "assignment_group", "assignee", "requester",
       "category", "service", "created_after", "created_before", "updated_after", "sla", "q")],
    ("tier=%20", "tier", "Give a value"),
]  # fmt: skip


@pytest.mark.parametrize(("query", "name", "reason"), REFUSED, ids=[r[0][:40] for r in REFUSED])
def test_a_bad_filter_is_a_400_naming_it(desk, api_for, query, name, reason):
    response = api_for(desk.l1_agent).get(f"/api/tickets/?{query}")

    reasons = error_of(response, 400, name)
    assert any(reason in r for r in reasons), reasons


def _numbers(response) -> set[str]:
    return {row["number"] for row in ok(response)["results"]}


def test_good_filters_filter(desk, api_for):
    ana = api_for(desk.requester)
    mail = log(ana, "Mail", category=desk.category.pk)
    other = log(ana, "Printer")
    agent = api_for(desk.l1_agent)

    assert _numbers(agent.get(f"/api/tickets/?category={desk.category.pk}")) == {mail}
    assert _numbers(agent.get(f"/api/tickets/?category={desk.category.pk},999")) == {mail}
    assert _numbers(agent.get("/api/tickets/?tier=1&priority=1,2,3,4,5")) == {mail, other}
    assert _numbers(agent.get("/api/tickets/?tier=2")) == set()
    assert _numbers(agent.get("/api/tickets/?status=%20open%20,new")) == {mail, other}
    assert _numbers(agent.get(f"/api/tickets/?requester={2**63 - 1}")) == set()
    assert _numbers(agent.get("/api/tickets/?q=%20Mail%20")) == {mail}
    # Unknown parameters are ignored, as DRF does.
    assert _numbers(agent.get("/api/tickets/?colour=blue")) == {mail, other}


@override_settings(TIME_ZONE="Europe/Bucharest")
def test_a_naive_time_is_in_the_current_time_zone_and_a_date_is_its_start(desk, api_for):
    with time_machine.travel(datetime(2026, 1, 30, 21, 30, tzinfo=UTC), tick=False):
        # 23:30 on 30 January in Bucharest (UTC+2).
        number = log(api_for(desk.requester), "Mail")
    agent = api_for(desk.l1_agent)

    assert _numbers(agent.get("/api/tickets/?created_after=2026-01-30T23:00:00")) == {number}
    assert _numbers(agent.get("/api/tickets/?created_after=2026-01-30T23:45:00")) == set()
    assert _numbers(agent.get("/api/tickets/?created_after=2026-01-30T21:00:00Z")) == {number}
    assert _numbers(agent.get("/api/tickets/?created_before=2026-01-31")) == {number}
    assert _numbers(agent.get("/api/tickets/?created_after=2026-01-31")) == set()
    assert _numbers(agent.get("/api/tickets/?created_after=1900-01-01T00:00:00%2B14:00")) == {
        number
    }
    assert _numbers(agent.get("/api/tickets/?created_before=2199-12-31T23:59:59-14:00")) == {number}


def test_the_consoles_requester_that_matches_nobody_matches_no_ticket(desk):
    """tickets.forms.QueueFilterForm sends requester=0 when the requester search finds nobody."""
    from tests.tickets.factories import ticket_logged

    ticket_logged(requester=desk.requester)
    console = SimpleNamespace(GET={"requester": "0"}, user=desk.l1_agent)

    assert list(ticket_filter(Ticket.objects.all(), console)) == []
    with pytest.raises(ValidationError):
        ticket_filter(Ticket.objects.all(), SimpleNamespace(GET={"tier": "4"}, user=None))
