"""Every figure of the report, against the same figure worked out by hand from the week's story
(tests/reports/conftest.py tells it ticket by ticket)."""

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicedesk.reports.selectors import (
    BREAKDOWNS,
    Distribution,
    median,
    percentile,
    report_build,
)
from servicedesk.tickets import services
from tests.reports.conftest import END, NOW, START, at, reply, resolve
from tests.tickets.factories import ticket_logged

H = timedelta(hours=1)
M = timedelta(minutes=1)


def minutes(*values: int) -> list[timedelta]:
    return [v * M for v in values]


def by_hand(values: list[timedelta]) -> Distribution:
    """Mean, median and nearest-rank 90th percentile, the long way."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return Distribution(0, None, None, None)
    total = timedelta()
    for value in ordered:
        total += value
    middle = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    rank = 1
    while 10 * rank < 9 * n:  # the smallest rank with at least 90 % of the values at or below
        rank += 1
    return Distribution(n, total / n, middle, ordered[rank - 1])


# ---------------------------------------------------------------------------------------------
# The statistics


def test_three_tickets_resolved_after_2_4_and_9_hours(desk, travel):
    travel.move_to(at(10, 0, 0))
    for hours in (2, 4, 9):
        ticket = ticket_logged(
            requester=desk.requester, title=f"{hours} h", impact="high", urgency="medium"
        )
        travel.shift(hours * H)
        resolve(ticket, desk.l1_agent)
        travel.move_to(at(10, 0, 0))

    report = report_build(user=desk.l1_agent, start=START, end=END, now=NOW)

    # P2 runs on the 24×7 calendar: business time is wall-clock time here.
    for figures in (report.totals.resolution_business, report.totals.resolution_wall):
        assert figures == Distribution(count=3, mean=5 * H, median=4 * H, p90=9 * H)


def test_percentiles_by_nearest_rank_and_medians_of_even_counts():
    assert percentile([], 90) is None and median([]) is None
    assert percentile([7], 90) == 7 and median([7]) == 7
    assert percentile(list(range(1, 11)), 90) == 9  # ⌈0.9 × 10⌉ = 9th value
    assert percentile(list(range(1, 12)), 90) == 10  # ⌈0.9 × 11⌉ = 10th value
    assert percentile([1, 2], 90) == 2
    assert median([1, 2, 3, 10]) == 2.5
    assert median(minutes(10, 20)) == 15 * M


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=200))
def test_the_90th_percentile_is_the_least_value_with_90_percent_at_or_below_it(values):
    p90 = percentile(values, 90)
    n = len(values)
    assert p90 in values
    assert 10 * sum(v <= p90 for v in values) >= 9 * n
    assert 10 * sum(v < p90 for v in values) < 9 * n


# ---------------------------------------------------------------------------------------------
# The week


@pytest.fixture
def staff_report(week, desk):
    def build(breakdown="priority", **kwargs):
        return report_build(
            user=desk.manager, start=START, end=END, breakdown=breakdown, now=NOW, **kwargs
        )

    return build


def test_the_week_in_total(week, staff_report):
    t = staff_report().totals

    # Logged Mon 9 – Fri 13: A B C D E F G I (H was logged on 2 November); F was cancelled.
    assert (t.logged, t.cancelled) == (8, 1)
    # Resolved in the period: A B C D E.
    assert t.resolved == 5

    # First response, business time: A 30 min, B 15, C 90 (24×7), D 60 on Tue + 30 on Wed,
    # E 30, I 20 (its hold note); G has had no reply, F is cancelled.
    assert t.response_business == by_hand(minutes(30, 15, 90, 90, 30, 20))
    assert t.response_business.mean == 275 * M / 6 and t.response_business.median == 30 * M
    assert t.response_business.p90 == 90 * M
    # Wall-clock: the same, except D (Tue 16:00 → Wed 09:30 is 17 h 30).
    assert t.response_wall == by_hand(minutes(30, 15, 90, 17 * 60 + 30, 30, 20))
    assert t.response_wall.p90 == (17 * 60 + 30) * M

    # Resolution, business time: A 2 h, B 4 h, C 9 h (24×7), D 1 h Tue + 8 h Wed + 1 h Thu,
    # E 2 h before the reopen + 2 h after it.
    assert t.resolution_business == by_hand([2 * H, 4 * H, 9 * H, 10 * H, 4 * H])
    assert t.resolution_business == Distribution(5, 348 * M, 4 * H, 10 * H)
    # Wall-clock: D took 42 h, E 5 h from report to its last resolution.
    assert t.resolution_wall == by_hand([2 * H, 4 * H, 9 * H, 42 * H, 5 * H])
    assert t.resolution_wall == Distribution(5, 744 * M, 5 * H, 42 * H)

    # SLA, response: C breached (90 min of 60), G is past its 13:00 target without a reply;
    # A B D E I met. Resolution: C breached (9 h of 8); A B D E met; G and I still pending.
    assert (t.sla_response.met, t.sla_response.breached, t.sla_response.pending) == (5, 2, 0)
    assert t.sla_response.percent == 100 * 5 / 7
    assert (t.sla_resolution.met, t.sla_resolution.breached, t.sla_resolution.pending) == (4, 1, 2)
    assert t.sla_resolution.percent == 80.0

    # First-level resolution: A B E (C went to L2 and back, D was resolved at L2).
    assert (t.first_level_resolution.count, t.first_level_resolution.total) == (3, 5)
    assert t.first_level_resolution.percent == 60.0
    # Reopened: E.
    assert (t.reopened.count, t.reopened.percent) == (1, 20.0)
    # Reassignments: C twice (up and back), D once.
    assert t.reassignment_mean == 3 / 5
    assert (t.reassigned.count, t.reassigned.percent) == (2, 40.0)

    # Backlog now (Fri 12:00): G 25 h old, H 11 d 2 h, I 3 h.
    backlog = t.backlog
    assert backlog.count == 3
    assert [(b.key, b.count) for b in backlog.buckets] == [
        ("lt_1d", 1),
        ("1d_3d", 1),
        ("3d_7d", 0),
        ("gt_7d", 1),
    ]
    ages = [NOW - week[name].reported_at for name in "GHI"]
    assert ages == [25 * H, (11 * 24 + 2) * H, 3 * H]
    assert backlog.mean_age == 98 * H and backlog.median_age == 25 * H


def test_the_average_resolution_is_held_against_the_24_hour_promise(week, staff_report):
    report = staff_report()
    assert report.resolution_promise == 24 * H
    assert report.within_promise is True  # 5 h 48 min of business time on average


def test_by_priority(week, staff_report):
    rows = {row.key: row for row in staff_report("priority").rows}
    assert list(rows) == ["1", "2", "3", "4", "5"]  # every priority, even without tickets
    p2, p3 = rows["2"].figures, rows["3"].figures
    assert rows["2"].label.startswith("P2")

    assert (p2.logged, p2.resolved) == (1, 1)  # C
    assert p2.resolution_business == by_hand([9 * H])
    assert (p2.sla_response.breached, p2.sla_resolution.breached) == (1, 1)
    assert p2.sla_response.percent == 0.0
    assert p2.reassignment_mean == 2.0
    assert p2.backlog.count == 0

    assert (p3.logged, p3.cancelled, p3.resolved) == (7, 1, 4)
    assert p3.resolution_business == by_hand([2 * H, 4 * H, 10 * H, 4 * H])
    assert p3.resolution_wall == by_hand([2 * H, 4 * H, 42 * H, 5 * H])
    assert p3.response_business == by_hand(minutes(30, 15, 90, 30, 20))
    assert (p3.sla_response.met, p3.sla_response.breached) == (5, 1)
    assert (p3.sla_resolution.met, p3.sla_resolution.pending) == (4, 2)
    assert (p3.first_level_resolution.count, p3.first_level_resolution.total) == (3, 4)
    assert p3.backlog.count == 3

    for key in ("1", "4", "5"):
        empty = rows[key].figures
        assert (empty.logged, empty.resolved, empty.backlog.count) == (0, 0, 0)
        assert empty.resolution_business == Distribution(0, None, None, None)
        assert empty.sla_response.percent is None and empty.reopened.percent is None


def test_by_group_tier_kind_category_and_service(week, staff_report, desk):
    groups = {row.label: row.figures for row in staff_report("group").rows}
    assert list(groups) == ["Applications", "Service Desk"]  # by name
    assert (groups["Applications"].resolved, groups["Applications"].logged) == (1, 1)  # D
    assert groups["Applications"].first_level_resolution.percent == 0.0
    assert groups["Service Desk"].resolved == 4
    assert groups["Service Desk"].backlog.count == 3

    tiers = {row.key: row.figures for row in staff_report("tier").rows}
    assert list(tiers) == ["1", "2", "3"]
    assert (tiers["2"].resolved, tiers["1"].resolved, tiers["3"].resolved) == (1, 4, 0)

    kinds = {row.key: row.figures for row in staff_report("kind").rows}
    assert (kinds["request"].logged, kinds["request"].resolved) == (1, 1)  # B
    assert kinds["request"].resolution_business == by_hand([4 * H])
    assert (kinds["incident"].logged, kinds["incident"].resolved) == (7, 4)

    categories = staff_report("category").rows
    assert [(row.key, row.label) for row in categories] == [
        (str(desk.category.pk), "Email"),
        (None, "No category"),
    ]
    assert categories[0].figures.resolution_business == by_hand([2 * H])  # A
    assert categories[1].figures.logged == 7

    services_ = {row.label: row.figures for row in staff_report("service").rows}
    assert services_["Email"].resolved == 1 and services_["No service"].resolved == 4


def test_by_day_each_figure_falls_on_its_own_day(week, staff_report):
    rows = staff_report("day").rows
    assert [row.key for row in rows] == [
        "2026-11-09",
        "2026-11-10",
        "2026-11-11",
        "2026-11-12",
        "2026-11-13",
    ]
    # Logged by created_at, resolved by resolved_at (D logged Tuesday, resolved Thursday).
    assert [row.figures.logged for row in rows] == [2, 2, 1, 2, 1]
    assert [row.figures.resolved for row in rows] == [2, 1, 1, 1, 0]
    tuesday, thursday = rows[1].figures, rows[3].figures
    assert tuesday.response_wall == by_hand(minutes(90, 17 * 60 + 30))  # C and D
    assert thursday.resolution_wall == by_hand([42 * H])  # D
    # The backlog is a snapshot of now, not of a day.
    assert all(row.figures.backlog is None for row in rows)


def test_by_week_and_month(week, staff_report, desk):
    weeks = staff_report("week").rows
    assert [(row.key, row.label) for row in weeks] == [("2026-11-09", "2026-W46")]
    assert weeks[0].figures.resolution_business == by_hand([2 * H, 4 * H, 9 * H, 10 * H, 4 * H])
    months = report_build(
        user=desk.manager,
        start=START - timedelta(days=14),
        end=END,
        breakdown="month",
        now=NOW,
    ).rows
    assert [(row.key, row.label) for row in months] == [
        ("2026-10-01", "2026-10"),
        ("2026-11-01", "2026-11"),
    ]
    assert months[0].figures.logged == 0 and months[1].figures.logged == 9  # H counts now


def test_the_period_bounds_are_local_days(week, staff_report, desk):
    # Monday only: A and B logged and resolved; the backlog is the same snapshot.
    monday = report_build(user=desk.manager, start=START, end=START, now=NOW).totals
    assert (monday.logged, monday.resolved, monday.backlog.count) == (2, 2, 3)
    # Thursday only: D resolved (logged Tuesday), F and G logged.
    thursday = report_build(user=desk.manager, start=at(12, 0).date(), end=at(12, 0).date())
    assert (thursday.totals.logged, thursday.totals.resolved) == (2, 1)
    assert thursday.totals.resolution_wall == by_hand([42 * H])


def test_a_reopened_ticket_leaves_the_resolved_figures_until_resolved_again(week, travel, desk):
    travel.move_to(at(13, 11, 0))
    services.ticket_reopen(ticket=week["A"], actor=desk.requester, reason="Broken again")
    travel.move_to(NOW)
    t = report_build(user=desk.manager, start=START, end=END).totals
    assert t.resolved == 4 and t.backlog.count == 4
    assert t.resolution_business == by_hand([4 * H, 9 * H, 10 * H, 4 * H])


def test_a_late_reply_counts_in_both_response_times_and_breaches(week, travel, desk):
    travel.move_to(at(13, 11, 30))
    reply(week["G"], desk.l1_agent)
    travel.move_to(NOW)
    t = report_build(user=desk.manager, start=START, end=END).totals
    # G: Thu 11:00 → Fri 11:30; business time Thu 11–17 + Fri 9–11:30 = 8 h 30.
    assert t.response_wall == by_hand(minutes(30, 15, 90, 1050, 30, 20, 24 * 60 + 30))
    assert t.response_business == by_hand(minutes(30, 15, 90, 90, 30, 20, 8 * 60 + 30))
    assert (t.sla_response.met, t.sla_response.breached) == (5, 2)


def test_a_requester_sees_figures_of_their_own_tickets_only(week, desk):
    ticket_logged(requester=desk.other_requester, title="Someone else's")
    mine = report_build(user=desk.requester, start=START, end=END, now=NOW).totals
    theirs = report_build(user=desk.other_requester, start=START, end=END, now=NOW).totals
    assert (mine.logged, mine.backlog.count) == (8, 3)
    assert (theirs.logged, theirs.resolved, theirs.backlog.count) == (1, 0, 1)


def test_the_report_reads_three_queries_whatever_the_number_of_tickets(
    week, desk, travel, django_assert_num_queries
):
    def build():
        return report_build(user=desk.manager, start=START, end=END, also=BREAKDOWNS, now=NOW)

    # The first time, also the reader's support groups (the restricted tickets they may see);
    # they are kept on the user, as for every request.
    with django_assert_num_queries(4):
        before = build()
    travel.move_to(at(13, 11, 0))
    for n in range(15):
        ticket = ticket_logged(requester=desk.requester, title=f"More {n}", impact="high")
        reply(ticket, desk.l1_agent)
        if n % 2:
            resolve(ticket, desk.l1_agent)
    travel.move_to(NOW)
    with django_assert_num_queries(3):
        after = build()
    assert after.totals.logged == before.totals.logged + 15
