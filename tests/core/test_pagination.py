"""Keyset pages: walking `next` visits every row once, in order, for any allowed ordering."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.tickets.api_steps import act, ok

T0 = datetime(2026, 2, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def tickets(desk, api_for) -> list[dict]:
    """23 tickets with many ties: 3 creation instants, 3 impacts, some started, some reported early."""
    agent = api_for(desk.l1_agent)
    with time_machine.travel(T0, tick=False) as clock:
        for i in range(23):
            clock.move_to(T0 + timedelta(minutes=i // 8))
            body = {
                "title": f"Ticket {i}",
                "requester": desk.requester.pk,
                "impact": ["high", "medium", "low"][i % 3],
                "reported_at": (T0 - timedelta(hours=i % 4)).isoformat(),
            }
            number = ok(agent.post("/api/tickets/", body, format="json"), 201)["number"]
            if i % 4 == 0:
                ok(act(agent, number, "start"))
    return ok(agent.get("/api/tickets/?page_size=200"))["results"]


def _walk(client, url: str) -> tuple[list[str], int]:
    numbers, pages = [], 0
    while url:
        page = ok(client.get(url))
        numbers += [t["number"] for t in page["results"]]
        pages += 1
        url = page["next"]
    return numbers, pages


def _expected(tickets: list[dict], ordering: str) -> list[str]:
    """The order sorted here independently: the fields, then the number (it follows the id)."""
    fields = ordering.split(",")
    rows = sorted(tickets, key=lambda t: t["number"], reverse=fields[0].startswith("-"))
    for field in reversed(fields):
        name = field.lstrip("-")
        rows = sorted(
            rows,
            key=lambda t, name=name: (
                datetime.fromisoformat(t[name]) if name.endswith("_at") else t[name]
            ),
            reverse=field.startswith("-"),
        )
    return [t["number"] for t in rows]


@pytest.mark.parametrize(
    "ordering",
    [
        "-created_at",
        "priority",
        "-priority",
        "priority,-created_at",
        "-priority,reported_at",
        "reported_at,priority",
        "number",
        "-updated_at",
    ],
)
def test_walking_the_pages_visits_every_ticket_once_in_order(desk, api_for, tickets, ordering):
    numbers, pages = _walk(api_for(desk.l1_agent), f"/api/tickets/?page_size=5&ordering={ordering}")
    assert pages == 5
    assert numbers == _expected(tickets, ordering)


def test_the_default_order_is_newest_first(desk, api_for, tickets):
    numbers, _pages = _walk(api_for(desk.l1_agent), "/api/tickets/?page_size=7")
    assert numbers == _expected(tickets, "-created_at")


def test_the_next_link_keeps_the_filters(desk, api_for, tickets):
    client = api_for(desk.l1_agent)
    first = ok(client.get("/api/tickets/?page_size=2&status=in_progress&ordering=priority"))
    assert "status=in_progress" in first["next"]
    numbers, _pages = _walk(client, first["next"])
    started = [t for t in tickets if t["status"] == "in_progress"]
    assert len(started) == 6
    assert [t["number"] for t in first["results"]] + numbers == _expected(started, "priority")


def test_the_last_page_has_no_next_link(desk, api_for, tickets):
    page = ok(api_for(desk.l1_agent).get("/api/tickets/?page_size=23"))
    assert (len(page["results"]), page["next"]) == (23, None)


def _cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("ordering=priority&cursor=" + _cursor({"o": ["-created_at", "-id"], "v": ["x", 1]}),
         "cursor"),
        ("cursor=" + _cursor({"o": ["-created_at", "-id"], "v": ["not a time", 1]}), "cursor"),
        ("cursor=" + _cursor({"o": ["-created_at", "-id"], "v": ["2026-01-01T00:00:00Z", "x"]}),
         "cursor"),
        ("ordering=priority&cursor=" + _cursor({"o": ["priority", "id"], "v": [{"a": 1}, 1]}),
         "cursor"),
        ("cursor=" + _cursor({"o": ["-created_at", "-id"], "v": [1]}), "cursor"),
        ("cursor=" + _cursor([1, 2]), "cursor"),
        ("cursor=%%%", "cursor"),
        ("page_size=0", "page_size"),
        ("page_size=abc", "page_size"),
        ("page_size=%C2%B2", "page_size"),
        ("page_size=" + "9" * 5000, "page_size"),
        ("page_size=+5", "page_size"),
        ("ordering=requester__password", "ordering"),
        ("cursor=" + _cursor({"o": ["-created_at", "-id"], "v": ["2026-01-01T00:00:00Z", 10**30]}),
         "cursor"),
        ("cursor=" + _cursor({"o": ["-created_at", "-id"], "v": ["2026-01-01T00:00:00Z", -(10**30)]}),
         "cursor"),
        ("ordering=priority&cursor=" + base64.urlsafe_b64encode(
            b'{"o":["priority","id"],"v":[Infinity,1]}').decode(), "cursor"),
        ("ordering=number&cursor=" + _cursor({"o": ["number", "id"], "v": ["INC\x00", 1]}),
         "cursor"),
        ("cursor=" + _cursor({"o": ["-created_at", "-id"], "v": ["2026-01-01T00:00:00Z", True]}),
         "cursor"),
    ],
    ids=[
        "other ordering",
        "bad time",
        "bad id",
        "object value",
        "too few values",
        "not an object",
        "not base64",
        "page size 0",
        "page size word",
        "page size superscript digit",
        "page size 5000 digits",
        "page size signed",
        "related field",
        "id past 64 bits",
        "id below 64 bits",
        "infinity",
        "NUL in a number",
        "true as an id",
    ],
)  # fmt: skip
def test_a_bad_cursor_or_page_request_is_a_400_naming_it(desk, api_for, query, field):
    response = api_for(desk.l1_agent).get(f"/api/tickets/?{query}")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
