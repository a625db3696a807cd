"""The dashboard's charts, laid out here and drawn as inline SVG by templates/reports/charts/.

No script and no external library: each chart is a handful of rectangles and labels whose
positions are computed below. Every chart carries a title and a description for assistive
technology, writes each value as text beside its bar, tells its series apart by pattern as well
as by colour, and is followed on the page by a table with the same numbers.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from servicedesk.reports.formatting import duration_text, percent_text
from servicedesk.reports.selectors import Report, Row

# Series are told apart by fill *and* pattern: solid blue, then orange hatching (the pattern is
# defined in each chart's SVG as "<chart id>-hatch").
SERIES_STROKES = ("#1f5fa8", "#a34d00")


def _fill(chart_id: str, series: int) -> str:
    return "#1f5fa8" if series == 0 else f"url(#{chart_id}-hatch)"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    texts: Sequence[str]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    stroke: str
    title: str
    text: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Legend:
    x: float
    y: float
    fill: str
    stroke: str
    name: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    bars: list[Bar]
    labels: list[Label]
    gridlines: list[Label]
    legend: list[Legend]
    # Category labels: right-aligned before horizontal bars, centred under columns.
    label_anchor: str = "end"
    axis_x: float = 0
    axis_y: float = 0
    axis_end: float = 0


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    scale = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * scale >= value:
            return step * scale
    return 10 * scale  # pragma: no cover


def _legend(chart_id: str, series: Sequence[Series], y: float, x: float) -> list[Legend]:
    entries = []
    for index, one in enumerate(series):
        entries.append(
            Legend(
                x=x, y=y, fill=_fill(chart_id, index), stroke=SERIES_STROKES[index], name=one.name
            )
        )
        x += 40 + 7 * len(one.name)
    return entries


def bar_chart(
    *,
    id: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    maximum: float | None = None,
) -> Chart:
    """Horizontal bars, one group per category, one bar per series, each with its value written."""
    label_width, plot_width, text_width = 170, 400, 130
    bar_height, bar_gap, group_gap, top = 16, 3, 14, 10
    legend_height = 28 if len(series) > 1 else 0
    present = [v for one in series for v in one.values if v is not None]
    top_value = maximum or _nice_ceiling(max(present, default=0))
    group_height = len(series) * (bar_height + bar_gap) - bar_gap
    bars, labels = [], []
    y = top + legend_height
    for row, category in enumerate(categories):
        labels.append(Label(x=label_width - 8, y=y + group_height / 2 + 4, text=category))
        for index, one in enumerate(series):
            value = one.values[row]
            length = 0 if value is None else plot_width * min(value, top_value) / top_value
            bar_y = y + index * (bar_height + bar_gap)
            bars.append(
                Bar(
                    x=label_width,
                    y=round(bar_y, 1),
                    width=round(length, 1),
                    height=bar_height,
                    fill=_fill(id, index),
                    stroke=SERIES_STROKES[index],
                    title=f"{category} — {one.name}: {one.texts[row]}",
                    text=one.texts[row],
                    text_x=round(label_width + length + 6, 1),
                    text_y=round(bar_y + bar_height - 4, 1),
                )
            )
        y += group_height + group_gap
    return Chart(
        id=id,
        title=title,
        desc=desc,
        width=label_width + plot_width + text_width,
        height=round(y - group_gap + top),
        bars=bars,
        labels=labels,
        gridlines=[],
        legend=_legend(id, series, y=top + 12, x=label_width) if legend_height else [],
        axis_x=label_width,
        axis_y=top + legend_height - 4,
        axis_end=round(y - group_gap + 4, 1),
    )


def column_chart(
    *,
    id: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    tick: Callable[[float], str] = lambda v: f"{v:g}",
) -> Chart:
    """Vertical grouped columns over a sequence (days), with a value axis and gridlines."""
    left, right, top, bottom = 44, 12, 34, 44
    width, plot_height = 760, 200
    plot_width = width - left - right
    present = [v for one in series for v in one.values if v is not None]
    top_value = _nice_ceiling(max(present, default=0))
    band = plot_width / max(len(categories), 1)
    bar_width = max(band * 0.8 / len(series), 0.5)
    base = top + plot_height
    bars, labels = [], []
    every = math.ceil(len(categories) / 16) or 1
    for column, category in enumerate(categories):
        x0 = left + column * band + band * 0.1
        for index, one in enumerate(series):
            value = one.values[column] or 0
            height = plot_height * value / top_value
            bars.append(
                Bar(
                    x=round(x0 + index * bar_width, 2),
                    y=round(base - height, 2),
                    width=round(bar_width, 2),
                    height=round(height, 2),
                    fill=_fill(id, index),
                    stroke=SERIES_STROKES[index],
                    title=f"{category} — {one.name}: {one.texts[column]}",
                    text="",
                    text_x=0,
                    text_y=0,
                )
            )
        if column % every == 0:
            labels.append(
                Label(x=round(left + (column + 0.5) * band, 1), y=base + 16, text=category)
            )
    ticks = [0, top_value / 2, top_value] if top_value >= 2 else [0, top_value]
    gridlines = [
        Label(x=left - 6, y=round(base - plot_height * t / top_value, 1), text=tick(t))
        for t in ticks
    ]
    return Chart(
        id=id,
        title=title,
        desc=desc,
        width=width,
        height=top + plot_height + bottom,
        bars=bars,
        labels=labels,
        gridlines=gridlines,
        legend=_legend(id, series, y=16, x=left),
        label_anchor="middle",
        axis_x=left,
        axis_y=base,
        axis_end=width - right,
    )


# ---------------------------------------------------------------------------------------------
# The four charts of the dashboard


def _short_day(key: str) -> str:
    return date_format(date.fromisoformat(key), "MONTH_DAY_FORMAT")


def chart_logged_resolved(rows: list[Row], report: Report) -> Chart:
    logged = [row.figures.logged for row in rows]
    resolved = [row.figures.resolved for row in rows]
    days = [_short_day(row.key) for row in rows]
    return column_chart(
        id="chart-volume",
        title=_("Tickets logged and resolved per day"),
        desc=_(
            "Two columns for each day from %(start)s to %(end)s: tickets logged (solid) and "
            "tickets resolved (hatched). In all, %(logged)d logged and %(resolved)d resolved. "
            "The table below gives each day's numbers."
        )
        % {
            "start": date_format(report.start),
            "end": date_format(report.end),
            "logged": sum(logged),
            "resolved": sum(resolved),
        },
        categories=days,
        series=[
            Series(_("Logged"), logged, [str(v) for v in logged]),
            Series(_("Resolved"), resolved, [str(v) for v in resolved]),
        ],
        tick=lambda v: f"{v:g}",
    )


def chart_sla_by_priority(rows: list[Row]) -> Chart:
    response = [row.figures.sla_response.percent for row in rows]
    resolution = [row.figures.sla_resolution.percent for row in rows]
    parts = [
        _("%(priority)s: first response %(response)s, resolution %(resolution)s")
        % {
            "priority": row.label,
            "response": percent_text(r1),
            "resolution": percent_text(r2),
        }
        for row, r1, r2 in zip(rows, response, resolution, strict=True)
    ]
    return bar_chart(
        id="chart-sla",
        title=_("SLA compliance by priority"),
        desc=_("Share of SLA clocks that met their target. %(parts)s.")
        % {"parts": "; ".join(parts)},
        categories=[row.label for row in rows],
        series=[
            Series(_("First response"), response, [percent_text(v) for v in response]),
            Series(_("Resolution"), resolution, [percent_text(v) for v in resolution]),
        ],
        maximum=100,
    )


def chart_backlog_age(report: Report) -> Chart:
    buckets = report.totals.backlog.buckets
    counts = [bucket.count for bucket in buckets]
    return bar_chart(
        id="chart-backlog",
        title=_("Open tickets by age"),
        desc=_("%(count)d tickets open now, by time since they were reported: %(parts)s.")
        % {
            "count": report.totals.backlog.count,
            "parts": "; ".join(f"{b.label} {b.count}" for b in buckets),
        },
        categories=[bucket.label for bucket in buckets],
        series=[Series(_("Open tickets"), counts, [str(c) for c in counts])],
    )


def chart_resolution_by_priority(rows: list[Row]) -> Chart:
    business = [row.figures.resolution_business.mean for row in rows]
    wall = [row.figures.resolution_wall.mean for row in rows]

    def hours(values: list[timedelta | None]) -> list[float | None]:
        return [None if v is None else v / timedelta(hours=1) for v in values]

    parts = [
        _("%(priority)s: %(business)s business time, %(wall)s wall-clock")
        % {"priority": row.label, "business": duration_text(b), "wall": duration_text(w)}
        for row, b, w in zip(rows, business, wall, strict=True)
    ]
    return bar_chart(
        id="chart-resolution",
        title=_("Mean time to resolution by priority"),
        desc=_("Mean time from report to resolution of the tickets resolved. %(parts)s.")
        % {"parts": "; ".join(parts)},
        categories=[row.label for row in rows],
        series=[
            Series(_("Business time"), hours(business), [duration_text(v) for v in business]),
            Series(_("Wall-clock time"), hours(wall), [duration_text(v) for v in wall]),
        ],
    )


def dashboard_charts(report: Report) -> dict[str, Chart]:
    return {
        "volume": chart_logged_resolved(report.breakdowns["day"], report),
        "sla": chart_sla_by_priority(report.breakdowns["priority"]),
        "backlog": chart_backlog_age(report),
        "resolution": chart_resolution_by_priority(report.breakdowns["priority"]),
    }
