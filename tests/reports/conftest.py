"""A working week of the desk, built through the real services with the clock under our control.

Office hours are Monday–Friday 09:00–17:00 Europe/Bucharest (P3: 2 h to respond, 24 h to resolve,
on office hours); P2 is 1 h and 8 h on 24×7. The report looks at Monday 9 to Friday 13 November
2026 and is read on Friday 13 at 12:00.

    A  P3 incident  Mon 09:00  reply 09:30  resolved Mon 11:00            (Email category/service)
    B  P3 request   Mon 10:00  reply 10:15  resolved Mon 14:00
    C  P2 incident  Tue 08:00  reply 09:30  → L2 10:00, back to L1 11:00, resolved Tue 17:00
    D  P3 incident  Tue 16:00  reply Wed 09:30, → L2 Wed 10:00, resolved Thu 10:00
    E  P3 incident  Wed 10:00  reply 10:30  resolved 12:00, reopened 13:00, resolved 15:00
    F  P3 incident  Thu 09:00  cancelled 09:10
    G  P3 incident  Thu 11:00  open, no reply (its response target passed Thu 13:00)
    H  P3 incident  Mon 2 Nov 10:00, before the period: open
    I  P3 incident  Fri 09:00  on hold awaiting the caller since 09:20 (the note is the reply)
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from servicedesk.tickets import services
from servicedesk.tickets.models import Ticket
from tests.tickets.factories import ticket_logged

BUCHAREST = ZoneInfo("Europe/Bucharest")
START, END = date(2026, 11, 9), date(2026, 11, 13)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BUCHAREST)


NOW = at(13, 12, 0)


@dataclass
class Week:
    tickets: dict[str, Ticket]
    now: datetime = NOW
    start: date = START
    end: date = END

    def __getitem__(self, name: str) -> Ticket:
        return self.tickets[name]


def resolve(ticket, actor, code="solved_permanently"):
    return services.ticket_resolve(
        ticket=ticket,
        actor=actor,
        resolution_code=code,
        resolution_notes="Done",
        service_restored=True if ticket.kind == "incident" else None,
    )


def reply(ticket, actor):
    services.ticket_comment(ticket=ticket, actor=actor, body="Looking into it.")
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def travel():
    with time_machine.travel(at(2, 10, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def week(desk, travel) -> Week:
    agent, l2_agent, requester = desk.l1_agent, desk.l2_agent, desk.requester
    tickets = {}

    travel.move_to(at(2, 10, 0))
    tickets["H"] = ticket_logged(requester=requester, title="H: old printer fault")

    travel.move_to(at(9, 9, 0))
    a = ticket_logged(requester=requester, title="A", category=desk.category, service=desk.service)
    travel.move_to(at(9, 9, 30))
    a = reply(a, agent)
    travel.move_to(at(9, 11, 0))
    tickets["A"] = resolve(a, agent)

    travel.move_to(at(9, 10, 0))
    b = ticket_logged(requester=requester, title="B", kind="request")
    travel.move_to(at(9, 10, 15))
    b = reply(b, agent)
    travel.move_to(at(9, 14, 0))
    tickets["B"] = resolve(b, agent, code="fulfilled")

    travel.move_to(at(10, 8, 0))
    c = ticket_logged(requester=requester, title="C", impact="high", urgency="medium")
    assert c.priority == 2
    travel.move_to(at(10, 9, 30))
    c = reply(c, agent)
    travel.move_to(at(10, 10, 0))
    c = services.ticket_escalate(ticket=c, actor=agent, to_group=desk.l2, reason="Needs L2")
    travel.move_to(at(10, 11, 0))
    c = services.ticket_de_escalate(ticket=c, actor=l2_agent, to_group=desk.l1, reason="Known fix")
    travel.move_to(at(10, 17, 0))
    tickets["C"] = resolve(c, agent)

    travel.move_to(at(10, 16, 0))
    d = ticket_logged(requester=requester, title="D")
    travel.move_to(at(11, 9, 30))
    d = reply(d, agent)
    travel.move_to(at(11, 10, 0))
    d = services.ticket_escalate(ticket=d, actor=agent, to_group=desk.l2, reason="Needs L2")
    travel.move_to(at(12, 10, 0))
    tickets["D"] = resolve(d, l2_agent)

    travel.move_to(at(11, 10, 0))
    e = ticket_logged(requester=requester, title="E")
    travel.move_to(at(11, 10, 30))
    e = reply(e, agent)
    travel.move_to(at(11, 12, 0))
    e = resolve(e, agent)
    travel.move_to(at(11, 13, 0))
    e = services.ticket_reopen(ticket=e, actor=requester, reason="Still broken")
    travel.move_to(at(11, 15, 0))
    tickets["E"] = resolve(e, agent)

    travel.move_to(at(12, 9, 0))
    f = ticket_logged(requester=requester, title="F")
    travel.move_to(at(12, 9, 10))
    tickets["F"] = services.ticket_cancel(ticket=f, actor=agent, reason="not_an_incident")

    travel.move_to(at(12, 11, 0))
    tickets["G"] = ticket_logged(requester=requester, title="G")

    travel.move_to(at(13, 9, 0))
    i = ticket_logged(requester=requester, title="I")
    travel.move_to(at(13, 9, 20))
    i = services.ticket_start(ticket=i, actor=agent)
    tickets["I"] = services.ticket_hold(
        ticket=i, actor=agent, reason="awaiting_caller", note="Which room are you in?"
    )

    travel.move_to(NOW)
    for ticket in tickets.values():
        ticket.refresh_from_db()
    return Week(tickets=tickets)
