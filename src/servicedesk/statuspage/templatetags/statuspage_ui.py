"""The uptime bars, built in Python: 90 cells per component are most of the page, and a
template loop over 4,500 cells was most of a cold page's time and size."""

from django import template
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

register = template.Library()

#: short class names: the page repeats them 4,500 times
LEVEL_CLASS = {
    "none": "dn",
    "operational": "d0",
    "under_maintenance": "d1",
    "degraded_performance": "d2",
    "partial_outage": "d3",
    "major_outage": "d4",
}


@register.simple_tag
def uptime_bars(row) -> str:
    """One cell per day; a day that was not all operational says so in its tooltip."""
    cells = []
    for day in row.days:
        css = LEVEL_CLASS[day.level]
        if day.level in ("none", "operational"):
            cells.append(f'<i class="{css}"></i>')
            continue
        label = date_format(day.date, "SHORT_DATE_FORMAT")
        if day.outage_minutes:
            label += ": " + ngettext(
                "%(n)s minute of outage", "%(n)s minutes of outage", day.outage_minutes
            ) % {"n": day.outage_minutes}
        cells.append(f'<i class="{css}" title="{escape(label)}"></i>')
    return mark_safe("".join(cells))  # noqa: S308 - built above from escaped parts
