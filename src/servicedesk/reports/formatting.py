"""How the reports write their figures for people: durations, percentages, means."""

from datetime import timedelta

from django.utils.formats import number_format
from django.utils.translation import gettext as _

NOTHING = "—"


def duration_text(value: timedelta | None) -> str:
    """'45 min', '5 h 03 min' (under two days) or '3 d 4 h'; '—' when there is nothing."""
    if value is None:
        return NOTHING
    minutes = round(value / timedelta(minutes=1))
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    days, hours = divmod(hours + (1 if minutes >= 30 else 0), 24)
    return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}


def percent_text(value: float | None) -> str:
    if value is None:
        return NOTHING
    return _("%(value)s %%") % {"value": number_format(value, decimal_pos=1)}


def number_text(value: float | None, decimals: int = 2) -> str:
    if value is None:
        return NOTHING
    return number_format(value, decimal_pos=decimals)


def promise_statement(*, mean: timedelta | None, promise: timedelta) -> str:
    """Whether the mean business time to resolution keeps the desk's promise, in one sentence
    that names the figure the promise is about (not the SLA compliance beside it)."""
    value = promise / timedelta(hours=1)
    hours = number_format(value, decimal_pos=0 if value.is_integer() else 1)
    if mean is None:
        return _(
            "No ticket was resolved in this period: there is no average time to resolution to "
            "hold against the desk's promise of %(hours)s h on average."
        ) % {"hours": hours}
    if mean <= promise:
        return _(
            "Average time to resolution %(mean)s (business time) — within the desk's promise of "
            "%(hours)s h on average."
        ) % {"hours": hours, "mean": duration_text(mean)}
    return _(
        "Average time to resolution %(mean)s (business time) — over the desk's promise of "
        "%(hours)s h on average, by %(over)s."
    ) % {"hours": hours, "mean": duration_text(mean), "over": duration_text(mean - promise)}
