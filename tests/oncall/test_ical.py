"""Each person's private iCalendar feed lists the same shifts as the schedule function."""

from datetime import timedelta

import pytest
from django.test import Client
from icalendar import Calendar

from servicedesk.oncall import ical, selectors, services
from tests.oncall.factories import local

pytestmark = pytest.mark.django_db


def test_the_feed_parses_and_lists_the_shifts_the_function_gives(desk, oncall, time_machine):
    time_machine.move_to(local(2026, 3, 10, 12, 0), tick=False)
    feed = services.calendar_feed_get_or_rotate(person=desk.l3_agent)
    response = Client().get(f"/oncall/feed/{feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = [
        (e.decoded("dtstart"), e.decoded("dtend"), str(e["summary"]))
        for e in calendar.walk("VEVENT")
    ]
    start, end = ical.feed_range()
    expected = [
        (s["start"], s["end"], f"On call: {s['schedule'].name}")
        for s in selectors.person_shifts(person=desk.l3_agent, start=start, end=end)
    ]
    assert events == expected and len(events) >= 6
    # Weekly shifts, Monday 09:00 in Bucharest, each a week long, every other week.
    assert all(e - s == timedelta(weeks=1) for s, e, _ in events[1:-1])
    uids = [str(e["uid"]) for e in calendar.walk("VEVENT")]
    assert len(set(uids)) == len(uids)


def test_a_rotated_feed_forgets_its_old_address(desk, oncall):
    feed = services.calendar_feed_get_or_rotate(person=desk.l3_agent)
    old = feed.token
    services.calendar_feed_get_or_rotate(person=desk.l3_agent, rotate=True)
    client = Client()
    assert client.get(f"/oncall/feed/{old}.ics").status_code == 404
    feed.refresh_from_db()
    assert client.get(f"/oncall/feed/{feed.token}.ics").status_code == 200
