"""Auto-close counts business days: days on which the calendar really has open time."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from servicedesk.sla.calendars import Calendar, working_week
from servicedesk.sla.models import BusinessCalendar, Closure
from servicedesk.tickets import services
from servicedesk.tickets.services.service_levels import auto_close_deadline

BUCHAREST = ZoneInfo("Europe/Bucharest")
RESOLVED = datetime(2026, 12, 29, 15, tzinfo=BUCHAREST)  # a Tuesday


def local(*args) -> datetime:
    return datetime(*args, tzinfo=BUCHAREST)


NEW_YEARS_EVE = (local(2026, 12, 31), local(2027, 1, 1))


def office(**kwargs) -> Calendar:
    return Calendar(time_zone="Europe/Bucharest", weekly=working_week(time(9), time(17)), **kwargs)


def test_without_closures_every_working_day_counts():
    # Wednesday 30, Thursday 31, Friday 1.
    assert auto_close_deadline(office(), RESOLVED, 3) == local(2027, 1, 2)


def test_a_day_closed_by_a_one_off_closure_is_no_business_day():
    # Wednesday 30, Friday 1 and Monday 4; Thursday 31 is closed all day.
    calendar = office(closures=(NEW_YEARS_EVE,))
    assert auto_close_deadline(calendar, RESOLVED, 3) == local(2027, 1, 5)


def test_a_closure_over_part_of_a_day_leaves_it_a_business_day():
    calendar = office(closures=((local(2026, 12, 31, 9), local(2026, 12, 31, 13)),))
    assert auto_close_deadline(calendar, RESOLVED, 3) == local(2027, 1, 2)


def test_holidays_and_closures_are_both_skipped():
    # Wednesday 30, Monday 4, Tuesday 5: 31 December closed, 1 January a Romanian holiday.
    calendar = office(holiday_country="RO", closures=(NEW_YEARS_EVE,))
    assert auto_close_deadline(calendar, RESOLVED, 3) == local(2027, 1, 6)


@pytest.mark.django_db
def test_a_resolved_ticket_waits_out_a_closed_new_years_eve(desk):
    stored = BusinessCalendar.objects.get(name="Office hours")  # Romanian holidays
    Closure.objects.create(
        calendar=stored, starts_at=NEW_YEARS_EVE[0], ends_at=NEW_YEARS_EVE[1], reason="Inventory"
    )
    with time_machine.travel(RESOLVED, tick=False) as travel:
        ticket = services.ticket_log(actor=desk.requester, title="New badge", kind="request")
        services.ticket_resolve(
            ticket=ticket,
            actor=desk.l1_agent,
            resolution_code="fulfilled",
            resolution_notes="Badge at the front desk",
        )
        travel.move_to(local(2027, 1, 5, 23, 59))
        assert services.tickets_auto_close() == 0
        travel.move_to(local(2027, 1, 6, 0, 1))
        assert services.tickets_auto_close() == 1
    ticket.refresh_from_db()
    assert ticket.status == "closed"
