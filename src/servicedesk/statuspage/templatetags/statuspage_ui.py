"""The uptime bars, built in Python: 90 days per component are most of the page, and a
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
    """One cell per day that was not all operational, with its date and minutes of outage in
    its tooltip; a run of quiet days (operational, or before the component existed) is one
    cell as wide as the days it covers."""
    cells = []
    run_level, run = None, 0

    def close_run():
        if run:
            cells.append(f'<i class="{LEVEL_CLASS[run_level]}" style="flex:{run}"></i>')

    for day in row.days:
        if day.level in ("none", "operational"):
            if day.level != run_level:
                close_run()
                run_level, run = day.level, 0
            run += 1
            continue
        close_run()
        run_level, run = None, 0
        label = date_format(day.date, "SHORT_DATE_FORMAT")
        if day.outage_minutes:
            label += ": " + ngettext(
                "%(n)s minute of outage", "%(n)s minutes of outage", day.outage_minutes
            ) % {"n": day.outage_minutes}
        cells.append(f'<i class="{LEVEL_CLASS[day.level]}" title="{escape(label)}"></i>')
    close_run()
    return mark_safe("".join(cells))  # noqa: S308 - built above from escaped parts
