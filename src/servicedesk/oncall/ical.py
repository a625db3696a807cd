"""A person's shifts as an iCalendar feed (RFC 5545, the `icalendar` package)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from servicedesk.oncall import selectors

#: the feed shows this many days back and forward
FEED_PAST_DAYS = 7
FEED_FUTURE_DAYS = 90


def feed_range(now: datetime | None = None) -> tuple[datetime, datetime]:
    now = now or timezone.now()
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=FEED_PAST_DAYS), day + timedelta(days=FEED_FUTURE_DAYS)


def shifts_calendar(*, person, start: datetime, end: datetime) -> bytes:
    """The person's shifts between `start` and `end`, one VEVENT each, with a UID stable for
    the same shift of the same schedule."""
    calendar = Calendar()
    calendar.add("prodid", "-//servicedesk//on call//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"On call: {person.get_full_name() or person.username}")
    domain = settings.SERVICEDESK_MESSAGE_ID_DOMAIN
    stamp = timezone.now()
    for shift in selectors.person_shifts(person=person, start=start, end=end):
        event = Event()
        schedule = shift["schedule"]
        event.add(
            "uid", f"oncall-{schedule.pk}-{person.pk}-{int(shift['start'].timestamp())}@{domain}"
        )
        event.add("dtstamp", stamp)
        event.add("dtstart", shift["start"])
        event.add("dtend", shift["end"])
        event.add("summary", f"On call: {schedule.name}")
        event.add("description", shift["source"])
        calendar.add_component(event)
    return calendar.to_ical()
