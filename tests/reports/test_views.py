"""The dashboard at /desk/reports/ and its CSV export: staff only, the API's figures, accessible
charts, a spreadsheet that reads back."""

import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from servicedesk.reports.formatting import duration_text
from tests.accounts.factories import SupportGroupFactory
from tests.reports.conftest import at, reply
from tests.tickets.factories import ticket_logged

DASHBOARD = "/desk/reports/"
EXPORT = "/desk/reports/export.csv"
API = "/api/reports/summary/"
WEEK = {"start": "2026-11-09", "end": "2026-11-13"}


class Page(HTMLParser):
    """What a reader of the page gets: the <data> figures, the SVG charts with their names,
    and the text of each element with an id."""

    def __init__(self, html: str):
        super().__init__()
        self.figures: dict[str, str] = {}
        self.svgs: list[dict] = []
        self._svg = None
        self._text_of: str | None = None
        self.texts: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "data" and attrs.get("id", "").startswith("figure-"):
            self.figures[attrs["id"]] = attrs["value"]
        if tag == "svg":
            self._svg = {"attrs": attrs, "title": "", "desc": "", "rects": 0, "in": None}
        elif self._svg is not None:
            if tag in ("title", "desc") and self._svg["in"] is None and "id" in attrs:
                self._svg["in"] = tag
            elif tag == "rect":
                self._svg["rects"] += 1
        if attrs.get("id") in ("promise",):
            self._text_of = attrs["id"]
            self.texts[self._text_of] = ""

    def handle_endtag(self, tag):
        if tag == "svg" and self._svg is not None:
            self.svgs.append(self._svg)
            self._svg = None
        elif self._svg is not None and tag == self._svg["in"]:
            self._svg["in"] = None
        if tag == "p" and self._text_of:
            self._text_of = None

    def handle_data(self, data):
        if self._svg is not None and self._svg["in"]:
            self._svg[self._svg["in"]] += data
        if self._text_of:
            self.texts[self._text_of] += data


@pytest.fixture
def staff(client, desk):
    client.force_login(desk.manager)
    return client


def minutes_or_empty(value) -> str:
    return "" if value is None else repr(float(value))


def test_the_dashboard_shows_the_apis_figures(week, desk, staff, api_for):
    response = staff.get(DASHBOARD, {**WEEK, "breakdown": "group"})
    assert response.status_code == 200
    page = Page(response.content.decode())
    api = api_for(desk.manager).get(API, {**WEEK, "breakdown": "group"}).json()
    t = api["totals"]

    expected = {
        "figure-response-mean": t["first_response"]["business"]["mean_minutes"],
        "figure-response-wall-mean": t["first_response"]["wall_clock"]["mean_minutes"],
        "figure-resolution-mean": t["resolution"]["business"]["mean_minutes"],
        "figure-resolution-wall-mean": t["resolution"]["wall_clock"]["mean_minutes"],
        "figure-sla-response": t["sla"]["response"]["percent"],
        "figure-sla-resolution": t["sla"]["resolution"]["percent"],
        "figure-flr": t["first_level_resolution"]["percent"],
        "figure-reopen": t["reopened"]["percent"],
        "figure-reassignment-mean": t["reassignment"]["mean"],
        "figure-backlog": t["backlog"]["count"],
        "figure-backlog-mean-age": t["backlog"]["mean_age_minutes"],
        "figure-backlog-median-age": t["backlog"]["median_age_minutes"],
    }
    assert {k: float(v) for k, v in page.figures.items()} == expected

    html = response.content.decode()
    # The headline reads as a person would: 5 h 48 min of business time, 12 h 24 min wall-clock.
    assert 'value="348.0">5 h 48 min</data>' in html
    assert 'value="744.0">12 h 24 min</data>' in html
    assert "71.4 %" in html and "60.0 %" in html
    assert (
        page.texts["promise"]
        .strip()
        .endswith(
            "Average time to resolution 5 h 48 min (business time) — within the desk's promise "
            "of 24 h on average."
        )
    )


def test_the_summary_writes_its_figures_out_and_the_details_open_on_demand(
    week, desk, staff, api_for
):
    html = re.sub(r"\s+", " ", staff.get(DASHBOARD, WEEK).content.decode())
    sla = api_for(desk.manager).get(API, WEEK).json()["totals"]["sla"]
    for metric, name in (("response", "First response"), ("resolution", "Resolution")):
        figures = sla[metric]
        share = f"{figures['percent']:.1f} %"
        assert f"{name}: {figures['met']} met, {figures['breached']} breached ({share} met)" in html
    assert "Met / breached" not in html
    # The headline cards come first; then the parts, only the first of them open.
    parts = re.findall(r'<details class="report-part[^"]*"( open)?', html)
    assert parts[0] == " open" and set(parts[1:]) == {""} and len(parts) == 7
    assert html.index('class="cards"') < html.index('class="report-part')


def test_the_four_charts_are_inline_svg_with_a_name_and_a_description(week, staff):
    response = staff.get(DASHBOARD, WEEK)
    html = response.content.decode()
    page = Page(html)
    assert [svg["title"] for svg in page.svgs] == [
        "Tickets logged and resolved per day",
        "SLA compliance by priority",
        "Open tickets by age",
        "Mean time to resolution by priority",
    ]
    for svg in page.svgs:
        assert svg["attrs"]["role"] == "img"
        chart_id = svg["attrs"]["aria-labelledby"].split()[0].removesuffix("-title")
        assert svg["attrs"]["aria-labelledby"] == f"{chart_id}-title {chart_id}-desc"
        assert svg["desc"].strip() and svg["rects"] > 0
    assert "In all, 8 logged and 5 resolved." in page.svgs[0]["desc"]
    assert "first response 0.0 %, resolution 0.0 %" in page.svgs[1]["desc"]  # P2: C
    assert "under 1 day 1; 1 to 3 days 1; 3 to 7 days 0; over 7 days 1" in page.svgs[2]["desc"]
    # No script and nothing fetched from elsewhere.
    assert "<script" not in html.split("</head>")[1]
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html


def test_each_chart_has_its_numbers_in_a_table(week, staff):
    html = staff.get(DASHBOARD, WEEK).content.decode()
    for figure_id in ("figure-volume", "figure-sla-chart", "figure-backlog-chart"):
        section = html.split(f'id="{figure_id}"')[1].split("</figure>")[0]
        assert "<table>" in section and "<caption" in section
    backlog = html.split('id="figure-backlog-chart"')[1].split("</figure>")[0]
    assert re.search(r'data-key="gt_7d"><th scope="row">over 7 days</th><td>1</td>', backlog)
    resolution = html.split('id="figure-resolution-chart"')[1].split("</figure>")[0]
    assert f"<td>{duration_text(timedelta(hours=9))}</td>" in resolution  # P2: C


def test_tables_by_group_tier_and_category(week, staff):
    html = staff.get(DASHBOARD, {**WEEK, "breakdown": "tier"}).content.decode()
    ids = re.findall(r'<table class="figures" id="breakdown-(\w+)"', html)
    assert ids == ["tier", "group", "agent", "category"]  # the chosen one first, no repeat
    html = staff.get(DASHBOARD, {**WEEK, "breakdown": "kind"}).content.decode()
    assert re.findall(r'<table class="figures" id="breakdown-(\w+)"', html) == [
        "kind",
        "group",
        "agent",
        "tier",
        "category",
    ]


def test_the_form_shows_the_period_and_breakdown_chosen(week, staff):
    html = staff.get(DASHBOARD).content.decode()
    assert 'name="start" value="2026-10-15"' in html
    assert 'name="end" value="2026-11-13"' in html
    assert '<option value="priority" selected>' in html
    assert (
        'href="/desk/reports/export.csv?start=2026-10-15&amp;end=2026-11-13&amp;breakdown=priority"'
        in html
    )


def test_bad_parameters_show_the_form_with_the_error(desk, staff):
    response = staff.get(DASHBOARD, {"start": "2026-11-13", "end": "2026-11-01"})
    assert response.status_code == 400
    assert "The end of the period cannot be before its start." in response.content.decode()
    assert "<svg" not in response.content.decode()


def test_requesters_get_403_and_strangers_the_sign_in_page(desk, client):
    assert client.get(DASHBOARD).status_code == 302
    assert client.get(EXPORT).status_code == 302
    client.force_login(desk.requester)
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(EXPORT).status_code == 403


@pytest.mark.parametrize("breakdown", ["priority", "group", "day", "category"])
def test_the_csv_reads_back_and_matches_the_api(week, desk, staff, api_for, breakdown):
    params = {**WEEK, "breakdown": breakdown}
    response = staff.get(EXPORT, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="servicedesk-report-{breakdown}-2026-11-09-2026-11-13.csv"'
    )
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, rows = rows[0], rows[1:]
    api = api_for(desk.manager).get(API, params).json()
    assert len(rows) == len(api["rows"])

    def hours(minutes):
        return "" if minutes is None else str(round(minutes / 60, 2))

    def pct(value):
        return "" if value is None else str(round(value, 1))

    for row, expected in zip(rows, api["rows"], strict=True):
        cells = dict(zip(header, row, strict=True))
        f = expected["figures"]
        assert cells["Key"] == (expected["key"] or "")
        assert cells["Breakdown value"] == expected["label"]
        assert cells["Logged"] == str(f["logged"])
        assert cells["Resolved"] == str(f["resolved"])
        business = f["resolution"]["business"]
        assert cells["Resolution, business time: tickets"] == str(business["count"])
        assert cells["Resolution, business time: mean (h)"] == hours(business["mean_minutes"])
        assert cells["Resolution, business time: median (h)"] == hours(business["median_minutes"])
        assert cells["Resolution, business time: 90th percentile (h)"] == hours(
            business["p90_minutes"]
        )
        assert cells["Resolution, wall-clock: mean (h)"] == hours(
            f["resolution"]["wall_clock"]["mean_minutes"]
        )
        assert cells["First response, business time: mean (h)"] == hours(
            f["first_response"]["business"]["mean_minutes"]
        )
        assert cells["SLA first response: breached"] == str(f["sla"]["response"]["breached"])
        assert cells["SLA resolution: compliance (%)"] == pct(f["sla"]["resolution"]["percent"])
        assert cells["First-level resolution (%)"] == pct(f["first_level_resolution"]["percent"])
        assert cells["Reopen rate (%)"] == pct(f["reopened"]["percent"])
        backlog = f["backlog"]
        assert cells["Backlog now"] == ("" if backlog is None else str(backlog["count"]))
        if backlog is not None:
            assert cells["Backlog over 7 days"] == str(backlog["age_buckets"][3]["count"])
            assert cells["Backlog mean age (h)"] == hours(backlog["mean_age_minutes"])


def test_a_name_with_separators_stays_in_its_cell(desk, staff, travel):
    awkward = SupportGroupFactory(name='Ops; nights, "on call"', tier=1)
    travel.move_to(at(10, 9, 0))
    ticket_logged(
        requester=desk.requester, actor=desk.l1_agent, title="Noisy fan", assignment_group=awkward
    )
    text = staff.get(EXPORT, {**WEEK, "breakdown": "group"}).content.decode("utf-8-sig")
    assert '"Ops; nights, ""on call"""' in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][1] == 'Ops; nights, "on call"'
    assert len(rows[1]) == len(rows[0])


def test_a_name_that_looks_like_a_formula_is_defused(desk, staff, travel):
    group = SupportGroupFactory(name="=HYPERLINK(1)", tier=1)
    travel.move_to(at(10, 9, 0))
    ticket_logged(
        requester=desk.requester, actor=desk.l1_agent, title="Noisy fan", assignment_group=group
    )
    text = staff.get(EXPORT, {**WEEK, "breakdown": "group"}).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][1] == "'=HYPERLINK(1)"


def test_a_bad_export_request_is_a_400_naming_the_field(desk, staff):
    response = staff.get(EXPORT, {"breakdown": "colour"})
    assert response.status_code == 400
    assert response.content.decode().startswith("breakdown:")


def test_the_queries_do_not_grow_with_the_tickets(
    week, desk, staff, travel, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        staff.get(DASHBOARD, WEEK)
    with django_assert_max_num_queries(8):
        staff.get(EXPORT, WEEK)
    travel.move_to(at(13, 11, 0))
    for n in range(20):
        reply(ticket_logged(requester=desk.requester, title=f"More {n}"), desk.l1_agent)
    travel.move_to(at(13, 12, 0))
    with django_assert_max_num_queries(8):
        assert staff.get(DASHBOARD, WEEK).status_code == 200
    with django_assert_max_num_queries(8):
        staff.get(EXPORT, WEEK)


def test_days_are_the_desks_whatever_the_readers_time_zone(week, desk, staff, api_for):
    desk.manager.time_zone = "Pacific/Auckland"  # 11 hours ahead of Bucharest
    desk.manager.save(update_fields=["time_zone"])
    html = staff.get(DASHBOARD, {**WEEK, "breakdown": "day"}).content.decode()
    api = api_for(desk.manager).get(API, {**WEEK, "breakdown": "day"}).json()
    assert api["time_zone"] == "Europe/Bucharest"
    table = html.split('id="breakdown-day"')[1].split("</table>")[0]
    logged = re.findall(
        r'<tr data-key="([\d-]+)">\s*<th scope="row">[^<]+</th>\s*<td>(\d+)</td>', table
    )
    assert logged == [(row["key"], str(row["figures"]["logged"])) for row in api["rows"]]
    assert [n for _day, n in logged] == ["2", "2", "1", "2", "1"]


def test_an_empty_desk_renders_with_nothing_to_measure(desk, staff, travel):
    travel.move_to(at(13, 12, 0))
    response = staff.get(DASHBOARD, WEEK)
    assert response.status_code == 200
    page = Page(response.content.decode())
    assert len(page.svgs) == 4
    assert page.figures["figure-resolution-mean"] == "" and page.figures["figure-backlog"] == "0"
    assert "No ticket was resolved in this period" in page.texts["promise"]
    rows = list(csv.reader(io.StringIO(staff.get(EXPORT, WEEK).content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 5  # the header and one row per priority
    assert staff.post(DASHBOARD, WEEK).status_code == 405
