"""Filters that write report figures for people, and raw values for machine-readable markup."""

from datetime import timedelta

from django import template

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
