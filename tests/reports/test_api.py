"""GET /api/reports/summary/: the figures as JSON, for desk staff only, with clear 400s."""

import pytest

from tests.reports.conftest import at, reply, resolve
from tests.tickets.factories import ticket_logged

URL = "/api/reports/summary/"
WEEK = {"start": "2026-11-09", "end": "2026-11-13"}


def test_the_week_in_total(week, desk, api_for):
    response = api_for(desk.manager).get(URL, {**WEEK, "breakdown": "priority"})
    assert response.status_code == 200
    body = response.json()
    assert (body["start"], body["end"], body["breakdown"]) == (
        "2026-11-09",
        "2026-11-13",
        "priority",
    )
    assert body["time_zone"] == "Europe/Bucharest"
    assert body["resolution_promise_minutes"] == 24 * 60
    assert body["within_promise"] is True

    t = body["totals"]
    assert (t["logged"], t["cancelled"], t["resolved"]) == (8, 1, 5)
    # Durations in minutes (see test_selectors for the story of each).
    assert t["first_response"]["business"] == {
        "count": 6,
        "mean_minutes": (30 + 15 + 90 + 90 + 30 + 20) / 6,
        "median_minutes": 30.0,
        "p90_minutes": 90.0,
    }
    assert t["first_response"]["wall_clock"]["p90_minutes"] == 17 * 60 + 30
    assert t["resolution"]["business"] == {
        "count": 5,
        "mean_minutes": (120 + 240 + 540 + 600 + 240) / 5,
        "median_minutes": 240.0,
        "p90_minutes": 600.0,
    }
    assert t["resolution"]["wall_clock"] == {
        "count": 5,
        "mean_minutes": (120 + 240 + 540 + 42 * 60 + 300) / 5,
        "median_minutes": 300.0,
        "p90_minutes": 42 * 60.0,
    }
    assert t["sla"] == {
        "response": {"met": 5, "breached": 2, "pending": 0, "percent": 500 / 7},
        "resolution": {"met": 4, "breached": 1, "pending": 2, "percent": 80.0},
    }
    assert t["first_level_resolution"] == {"count": 3, "total": 5, "percent": 60.0}
    assert t["reopened"] == {"count": 1, "total": 5, "percent": 20.0}
    assert t["reassignment"] == {
        "mean": 0.6,
        "reassigned": {"count": 2, "total": 5, "percent": 40.0},
    }
    assert t["backlog"] == {
        "count": 3,
        "age_buckets": [
            {"key": "lt_1d", "label": "under 1 day", "count": 1},
            {"key": "1d_3d", "label": "1 to 3 days", "count": 1},
            {"key": "3d_7d", "label": "3 to 7 days", "count": 0},
            {"key": "gt_7d", "label": "over 7 days", "count": 1},
        ],
        "mean_age_minutes": 98 * 60.0,
        "median_age_minutes": 25 * 60.0,
    }

    rows = {row["key"]: row for row in body["rows"]}
    assert list(rows) == ["1", "2", "3", "4", "5"]
    assert rows["2"]["figures"]["resolution"]["business"]["mean_minutes"] == 540.0
    assert rows["1"]["figures"]["resolution"]["business"] == {
        "count": 0,
        "mean_minutes": None,
        "median_minutes": None,
        "p90_minutes": None,
    }
    assert rows["1"]["figures"]["sla"]["response"]["percent"] is None


def test_breakdowns_by_period_have_no_backlog(week, desk, api_for):
    body = api_for(desk.l1_agent).get(URL, {**WEEK, "breakdown": "day"}).json()
    assert [row["key"] for row in body["rows"]] == [f"2026-11-{d:02d}" for d in range(9, 14)]
    assert [row["figures"]["logged"] for row in body["rows"]] == [2, 2, 1, 2, 1]
    assert all(row["figures"]["backlog"] is None for row in body["rows"])
    assert body["totals"]["backlog"]["count"] == 3


def test_a_breakdown_value_of_none_has_a_null_key(week, desk, api_for):
    body = api_for(desk.l1_agent).get(URL, {**WEEK, "breakdown": "category"}).json()
    assert [(row["key"], row["label"]) for row in body["rows"]] == [
        (str(desk.category.pk), "Email"),
        (None, "No category"),
    ]


def test_the_period_defaults_to_the_last_30_days(week, desk, api_for):
    body = api_for(desk.manager).get(URL).json()
    assert (body["start"], body["end"], body["breakdown"]) == (
        "2026-10-15",
        "2026-11-13",
        "priority",
    )
    assert body["totals"]["logged"] == 9  # H (2 November) too
    only_end = api_for(desk.manager).get(URL, {"end": "2026-11-10"}).json()
    assert (only_end["start"], only_end["end"]) == ("2026-10-12", "2026-11-10")


def test_over_the_promise_says_so(desk, api_for, travel):
    travel.move_to(at(9, 9, 0))
    ticket = ticket_logged(requester=desk.requester, title="Slow")
    travel.move_to(at(13, 16, 0))  # P3 on office hours: 8 h Mon–Thu + 7 h Fri = 39 h
    resolve(ticket, desk.l1_agent)
    body = api_for(desk.manager).get(URL, WEEK).json()
    assert body["totals"]["resolution"]["business"]["mean_minutes"] == 39 * 60
    assert body["within_promise"] is False


def test_nothing_resolved_gives_no_promise_verdict(desk, api_for, travel):
    body = api_for(desk.manager).get(URL, WEEK).json()
    assert body["within_promise"] is None
    assert body["totals"]["resolution"]["business"]["mean_minutes"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "yesterday"}, "start"),
        ({"end": "2026-13-01"}, "end"),
        ({"start": "2026-11-13", "end": "2026-11-09"}, "end"),
        ({"start": "2025-01-01", "end": "2026-11-13"}, "end"),
        ({"breakdown": "colour"}, "breakdown"),
        ({"start": "0001-01-01", "end": "2026-11-13"}, "start"),
        ({"start": "9999-12-25"}, "start"),
        ({"end": "9999-12-31"}, "end"),
        ({"start": ""}, "start"),
        ({"end": " "}, "end"),
        ({"breakdown": ""}, "breakdown"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(desk, api_for, params, field):
    response = api_for(desk.manager).get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [field]
    assert body["code"] == "invalid" and field in body["detail"]


def test_requesters_get_403_and_strangers_401(desk, api_for, client):
    response = api_for(desk.requester).get(URL, WEEK)
    assert response.status_code == 403
    assert response.json()["detail"] == "Reports are for desk staff."
    assert client.get(URL).status_code in (401, 403)
    from rest_framework.test import APIClient

    assert APIClient().get(URL).status_code == 401


def test_the_queries_do_not_grow_with_the_tickets(
    week, desk, api_for, travel, django_assert_max_num_queries
):
    api = api_for(desk.manager)
    with django_assert_max_num_queries(5):  # token, tickets, clocks, backlog
        api.get(URL, {**WEEK, "breakdown": "group"})
    travel.move_to(at(13, 11, 0))
    for n in range(20):
        ticket = ticket_logged(requester=desk.requester, title=f"More {n}")
        reply(ticket, desk.l1_agent)
    travel.move_to(at(13, 12, 0))
    with django_assert_max_num_queries(5):
        body = api.get(URL, {**WEEK, "breakdown": "group"}).json()
    assert body["totals"]["logged"] == 28


def test_the_endpoint_is_in_the_openapi_schema(desk, api_for):
    schema = api_for(desk.manager).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/reports/summary/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"start", "end", "breakdown"}
    breakdown = next(p for p in operation["parameters"] if p["name"] == "breakdown")
    assert "category" in breakdown["schema"]["enum"]


def test_a_start_after_today_without_an_end_names_the_start(desk, api_for, travel):
    travel.move_to(at(13, 12, 0))
    body = api_for(desk.manager).get(URL, {"start": "2026-11-20"}).json()
    assert list(body["errors"]) == ["start"]


def test_the_dashboard_refuses_a_date_it_cannot_report_on(desk, client):
    client.force_login(desk.manager)

    response = client.get("/desk/reports/", {"start": "0001-01-01", "end": "0001-01-05"})

    assert response.status_code == 400
    assert "Give a date from 1900 to 2199." in response.content.decode()
