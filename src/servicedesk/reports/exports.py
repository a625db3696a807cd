"""The report as a spreadsheet: one CSV row per breakdown value, durations in hours."""

import csv
import io
from collections.abc import Callable
from datetime import timedelta

from django.utils.translation import gettext as _

from servicedesk.reports.selectors import AGE_BUCKETS, Figures, Report, Row

# A spreadsheet would run a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value / timedelta(hours=1), 2)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _text(value: str | None) -> str:
    value = value or ""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _columns() -> list[tuple[str, Callable[[Figures], object]]]:
    def times(prefix: str, attribute: str) -> list[tuple[str, Callable[[Figures], object]]]:
        def get(part: str):
            return lambda f: _hours(getattr(getattr(f, attribute), part))

        return [
            (_("%(what)s: tickets") % {"what": prefix}, lambda f: getattr(f, attribute).count),
            (_("%(what)s: mean (h)") % {"what": prefix}, get("mean")),
            (_("%(what)s: median (h)") % {"what": prefix}, get("median")),
            (_("%(what)s: 90th percentile (h)") % {"what": prefix}, get("p90")),
        ]

    def compliance(prefix: str, attribute: str) -> list[tuple[str, Callable[[Figures], object]]]:
        return [
            (_("%(what)s: met") % {"what": prefix}, lambda f: getattr(f, attribute).met),
            (_("%(what)s: breached") % {"what": prefix}, lambda f: getattr(f, attribute).breached),
            (_("%(what)s: pending") % {"what": prefix}, lambda f: getattr(f, attribute).pending),
            (
                _("%(what)s: compliance (%%)") % {"what": prefix},
                lambda f: _percent(getattr(f, attribute).percent),
            ),
        ]

    def backlog(get: Callable[[object], object]) -> Callable[[Figures], object]:
        return lambda f: None if f.backlog is None else get(f.backlog)

    def bucket(index: int) -> Callable[[Figures], object]:
        return backlog(lambda b: b.buckets[index].count)

    return [
        (_("Logged"), lambda f: f.logged),
        (_("Cancelled"), lambda f: f.cancelled),
        (_("Resolved"), lambda f: f.resolved),
        *times(_("First response, business time"), "response_business"),
        *times(_("First response, wall-clock"), "response_wall"),
        *times(_("Resolution, business time"), "resolution_business"),
        *times(_("Resolution, wall-clock"), "resolution_wall"),
        *compliance(_("SLA first response"), "sla_response"),
        *compliance(_("SLA resolution"), "sla_resolution"),
        (_("Resolved at first level"), lambda f: f.first_level_resolution.count),
        (
            _("First-level resolution (%)"),
            lambda f: _percent(f.first_level_resolution.percent),
        ),
        (_("Reopened"), lambda f: f.reopened.count),
        (_("Reopen rate (%)"), lambda f: _percent(f.reopened.percent)),
        (
            _("Mean reassignments"),
            lambda f: None if f.reassignment_mean is None else round(f.reassignment_mean, 2),
        ),
        (_("Reassigned (%)"), lambda f: _percent(f.reassigned.percent)),
        (_("Ratings"), lambda f: f.satisfaction.count),
        (
            _("Mean rating (1–5)"),
            lambda f: None if f.satisfaction.mean is None else round(f.satisfaction.mean, 2),
        ),
        (_("Backlog now"), backlog(lambda b: b.count)),
        *[
            (_("Backlog %(age)s") % {"age": label}, bucket(index))
            for index, (_key, label, _low, _high) in enumerate(AGE_BUCKETS)
        ],
        (_("Backlog mean age (h)"), backlog(lambda b: _hours(b.mean_age))),
        (_("Backlog median age (h)"), backlog(lambda b: _hours(b.median_age))),
    ]


def report_csv(report: Report) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheets read the accents), a header row, then one
    row per value of the breakdown. Every text cell is quoted, so a ';' or ',' in a name never
    splits it, whichever separator the spreadsheet expects."""
    columns = _columns()
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_STRINGS, lineterminator="\r\n")
    writer.writerow([_("Key"), _("Breakdown value"), *(header for header, _get in columns)])
    row: Row
    for row in report.rows:
        writer.writerow(
            [_text(row.key), _text(row.label), *(get(row.figures) for _header, get in columns)]
        )
    return out.getvalue().encode("utf-8-sig")
