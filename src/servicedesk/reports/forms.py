"""The report's parameters: a period of days and a breakdown, read from a query string."""

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.core.fields import EARLIEST_YEAR, LATEST_YEAR
from servicedesk.reports.selectors import (
    BREAKDOWN_CHOICES,
    DEFAULT_BREAKDOWN,
    MAX_PERIOD_DAYS,
    default_period,
)


@dataclass(frozen=True)
class ReportParams:
    start: date
    end: date
    breakdown: str

    def as_query(self) -> dict[str, str]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "breakdown": self.breakdown,
        }


def _in_range(value: date | None) -> date | None:
    """A day the report can turn into times: year 1 or 9999 has no UTC form or no next day."""
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise forms.ValidationError(
            _("Give a date from %(first)s to %(last)s."),
            params={"first": EARLIEST_YEAR, "last": LATEST_YEAR},
        )
    return value


class ReportForm(forms.Form):
    """`start` and `end` are dates (inclusive, YYYY-MM-DD); missing ones default to the last 30
    days. `breakdown` slices the figures (priority by default)."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    breakdown = forms.ChoiceField(label=_("Breakdown"), choices=BREAKDOWN_CHOICES, required=False)

    def clean_start(self) -> date | None:
        return _in_range(self.cleaned_data["start"])

    def clean_end(self) -> date | None:
        return _in_range(self.cleaned_data["end"])

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        default_start, default_end = default_period()
        end = data.get("end") or default_end
        start = data.get("start") or (
            end - (default_end - default_start) if data.get("end") else default_start
        )
        if end < start and not data.get("end"):
            self.add_error("start", _("The period cannot start after today."))
        elif end < start:
            self.add_error("end", _("The end of the period cannot be before its start."))
        elif (end - start) + timedelta(days=1) > timedelta(days=MAX_PERIOD_DAYS):
            self.add_error(
                "end",
                _("A report covers at most %(days)s days.") % {"days": MAX_PERIOD_DAYS},
            )
        data["start"], data["end"] = start, end
        data["breakdown"] = data.get("breakdown") or DEFAULT_BREAKDOWN
        return data

    @property
    def params(self) -> ReportParams:
        data = self.cleaned_data
        return ReportParams(start=data["start"], end=data["end"], breakdown=data["breakdown"])

    def field_errors(self) -> dict[str, list[str]]:
        return {name: [str(message) for message in errors] for name, errors in self.errors.items()}
