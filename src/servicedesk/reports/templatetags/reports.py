"""Filters that write report figures for people, and raw values for machine-readable markup."""

from datetime import date, timedelta

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from servicedesk.reports.formatting import duration_text, number_text, percent_text

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    return duration_text(value)


@register.filter
def percent(value: float | None) -> str:
    return percent_text(value)


@register.filter
def decimal(value: float | None) -> str:
    return number_text(value)


@register.filter
def minutes(value: timedelta | None) -> str:
    """Minutes as the API gives them, unlocalised (for <data value>); empty for nothing."""
    return "" if value is None else repr(value / timedelta(minutes=1))


@register.filter
def raw(value: float | int | None) -> str:
    """A number as the API gives it, unlocalised (for <data value>); empty for nothing."""
    return "" if value is None else repr(value)


@register.filter
def row_label(row, breakdown: str) -> str:
    """A row's name as the page writes it: a day, week or month in the reader's date style.

    The row's own label stays as the API and the CSV give it ("2026-11-09", "2026-W46").
    """
    if breakdown not in ("day", "week", "month") or not row.key:
        return row.label
    first = date.fromisoformat(row.key)
    if breakdown == "week":
        return _("week of %(day)s") % {"day": date_format(first, "DATE_FORMAT")}
    if breakdown == "month":
        return date_format(first, "YEAR_MONTH_FORMAT")
    return date_format(first, "DATE_FORMAT")
