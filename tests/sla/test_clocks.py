"""The SLA clocks of one ticket, walked through a week with the clock under our control.

Office hours are Monday–Friday 09:00–17:00 Europe/Bucharest (the default calendar); P3 targets
are 2 h to first response and 24 h to resolution on office hours, P2 targets 1 h and 8 h on 24×7.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from servicedesk.core.due import due_sweep
from servicedesk.sla.clocks import clock_elapsed
from servicedesk.sla.models import SlaClock, SlaLedgerEntry
from servicedesk.tickets import services
from servicedesk.tickets.models import Channel

BUCHAREST = ZoneInfo("Europe/Bucharest")


def at(day, hour, minute=0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BUCHAREST)


def clock(ticket, metric) -> SlaClock:
    return SlaClock.objects.select_related("calendar").get(ticket=ticket, metric=metric)


def ledger(ticket, metric) -> list[tuple[str, datetime, int]]:
    return [
        (e.event, e.at.astimezone(BUCHAREST), int(e.elapsed.total_seconds() // 60))
        for e in SlaLedgerEntry.objects.filter(clock__ticket=ticket, clock__metric=metric)
    ]


def sweep() -> int:
    """Run the due-work sweep; how many SLA clocks it handled."""
    return due_sweep()["sla.SlaClock"]


@pytest.fixture
def travel():
    with time_machine.travel(at(13, 16, 50), tick=False) as traveller:
        yield traveller


def test_friday_ticket_paused_over_the_weekend_reprioritised_and_reopened(desk, travel):
    # Friday 13 November 16:50: a P3 incident is logged by phone.
    ticket = services.ticket_log(
        actor=desk.l1_agent,
        requester=desk.requester,
        title="Shared drive unreachable",
        channel=Channel.PHONE,
        impact="medium",
        urgency="medium",
    )
    response, resolution = clock(ticket, "response"), clock(ticket, "resolution")
    assert response.due_at == at(16, 10, 50)  # 10 min on Friday + 1 h 50 on Monday
    assert resolution.due_at == at(18, 16, 50)  # 10 min + 8 h + 8 h + 7 h 50

    # 16:55: L1 asks the caller for the server name and waits for the answer.
    travel.move_to(at(13, 16, 55))
    ticket = services.ticket_start(ticket=ticket, actor=desk.l1_agent)
    ticket = services.ticket_hold(
        ticket=ticket, actor=desk.l1_agent, reason="awaiting_caller", note="Which drive letter?"
    )
    response, resolution = clock(ticket, "response"), clock(ticket, "resolution")
    assert response.state == "stopped" and response.elapsed_before == timedelta(minutes=5)
    assert response.breached_at is None
    assert resolution.state == "paused" and resolution.due_at is None

    # Monday 16 November 10:00: the caller answers; the clock resumes with 5 min used.
    travel.move_to(at(16, 10, 0))
    services.ticket_comment(ticket=ticket, actor=desk.requester, body="It is drive S:")
    resolution = clock(ticket, "resolution")
    assert resolution.state == "running"
    assert resolution.due_at == at(19, 9, 55)  # 23 h 55 left: Mon 7 h, Tue 8 h, Wed 8 h, Thu 55 min

    # 11:00: it turns out a whole department is affected: P2, 8 h on 24×7 from the original start.
    travel.move_to(at(16, 11, 0))
    ticket.refresh_from_db()
    ticket = services.ticket_update(ticket=ticket, actor=desk.l1_agent, impact="high")
    assert ticket.priority == 2
    response, resolution = clock(ticket, "response"), clock(ticket, "resolution")
    # Ran Friday 16:50–16:55 and Monday 10:00–11:00: 65 min counted on the 24×7 calendar.
    assert clock_elapsed(resolution, at(16, 11, 0)) == timedelta(minutes=65)
    assert resolution.target == timedelta(hours=8)
    assert resolution.due_at == at(16, 17, 55)
    assert response.target == timedelta(hours=1) and response.breached_at is None

    # 16:00: the sweep sends the 75 % warning (6 h of 8 h was reached at 15:55), once.
    travel.move_to(at(16, 16, 0))
    assert sweep() == 1
    assert sweep() == 0
    assert clock(ticket, "resolution").warned == [75]

    # 17:00: resolved with 7 h 05 min used; Tuesday 09:00 the requester reopens it.
    travel.move_to(at(16, 17, 0))
    ticket = services.ticket_resolve(
        ticket=ticket,
        actor=desk.l1_agent,
        resolution_code="solved_permanently",
        resolution_notes="Share permissions restored",
        service_restored=True,
    )
    assert clock(ticket, "resolution").elapsed_before == timedelta(hours=7, minutes=5)
    travel.move_to(at(17, 9, 0))
    ticket = services.ticket_reopen(ticket=ticket, actor=desk.requester, reason="Gone again")
    resolution = clock(ticket, "resolution")
    assert resolution.due_at == at(17, 9, 55)

    # 10:30: the sweep finds the breach; it happened at 09:55, to the minute.
    travel.move_to(at(17, 10, 30))
    assert sweep() == 1
    resolution = clock(ticket, "resolution")
    assert resolution.breached_at == at(17, 9, 55)
    assert clock_elapsed(resolution, at(17, 10, 30)) == timedelta(hours=8, minutes=35)

    assert ledger(ticket, "response") == [
        ("start", at(13, 16, 50), 0),
        ("stop", at(13, 16, 55), 5),
        ("retarget", at(16, 11, 0), 5),
    ]
    assert ledger(ticket, "resolution") == [
        ("start", at(13, 16, 50), 0),
        ("pause", at(13, 16, 55), 5),
        ("resume", at(16, 10, 0), 5),
        ("retarget", at(16, 11, 0), 65),
        ("warning", at(16, 16, 0), 365),
        ("stop", at(16, 17, 0), 425),
        ("resume", at(17, 9, 0), 425),
        ("breach", at(17, 9, 55), 515),
    ]


def test_waiting_for_a_change_does_not_stop_the_clock(desk, travel):
    ticket = services.ticket_log(actor=desk.requester, title="New monitor")
    ticket = services.ticket_start(ticket=ticket, actor=desk.l1_agent)
    ticket = services.ticket_hold(ticket=ticket, actor=desk.l1_agent, reason="awaiting_change")
    assert clock(ticket, "resolution").state == "running"


def test_a_breach_is_sent_once_and_escalates_per_policy(desk, travel, deliver_outbox):
    # P1 (1 h response on 24×7, breach escalates to the next tier).
    ticket = services.ticket_log(
        actor=desk.requester, title="Payroll down", impact="high", urgency="high"
    )
    travel.move_to(at(13, 18, 0))
    assert sweep() == 1  # the response clock breached at 17:50
    assert sweep() == 0
    ticket.refresh_from_db()
    assert ticket.tier == 2
    response = clock(ticket, "response")
    assert response.breached_at == at(13, 17, 50)
    sent = deliver_outbox()
    breach_mails = [m for m in sent if "breached" in m.subject]
    assert {m.to[0] for m in breach_mails} >= {desk.manager.email}
    assert len(breach_mails) == len({m.to[0] for m in breach_mails})
    assert ticket.events.filter(type="escalated").count() == 1


def test_auto_close_after_three_business_days(desk, travel):
    ticket = services.ticket_log(actor=desk.requester, title="Password reset", kind="request")
    ticket = services.ticket_resolve(
        ticket=ticket,
        actor=desk.l1_agent,
        resolution_code="fulfilled",
        resolution_notes="Reset and told the user",
    )
    # Resolved Friday 13th: Mon 16, Tue 17, Wed 18 are the three business days.
    travel.move_to(at(18, 23, 59))
    assert services.tickets_auto_close() == 0
    travel.move_to(at(19, 0, 1))
    assert services.tickets_auto_close() == 1
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.closed_at is not None
    assert ticket.events.filter(type="status", data__action="close").exists()


def test_major_incidents_never_close_by_themselves(desk, travel):
    ticket = services.ticket_log(actor=desk.requester, title="Mail outage")
    ticket = services.ticket_update(ticket=ticket, actor=desk.l1_agent, is_major=True)
    services.ticket_resolve(
        ticket=ticket,
        actor=desk.l1_agent,
        resolution_code="solved_permanently",
        resolution_notes="Restarted the cluster",
        service_restored=True,
    )
    travel.move_to(at(30, 12, 0))
    assert services.tickets_auto_close() == 0


def test_breaching_soon_and_breached_queues_in_the_api(desk, travel, api_for):
    urgent = services.ticket_log(
        actor=desk.requester, title="VPN down", impact="high", urgency="high"
    )
    later = services.ticket_log(actor=desk.requester, title="Toner", impact="low", urgency="low")
    agent = api_for(desk.l1_agent)
    travel.move_to(at(13, 17, 30))  # the P1 response is due at 17:50
    soon = agent.get("/api/tickets/?sla=breaching_soon").json()["results"]
    assert [t["number"] for t in soon] == [urgent.number]
    assert agent.get("/api/tickets/?sla=breached").json()["results"] == []

    travel.move_to(at(13, 18, 0))
    sweep()
    breached = agent.get("/api/tickets/?sla=breached").json()["results"]
    assert [t["number"] for t in breached] == [urgent.number]

    clocks = agent.get(f"/api/tickets/{urgent.number}/sla/").json()
    response = next(c for c in clocks if c["metric"] == "response")
    assert response["breached"] is True and response["target_minutes"] == 60
    assert [e["event"] for e in response["ledger"]] == ["start", "breach"]
    assert later.number not in {t["number"] for t in breached}
    assert agent.get("/api/tickets/?sla=late").status_code == 400


# ---------------------------------------------------------------------------------------------
# Exactly at the target, and retargeting clocks that stopped, paused or breached


def _p2(desk, **kwargs):
    """A P2 (24×7: response 1 h, resolution 8 h) logged now."""
    return services.ticket_log(
        actor=desk.l1_agent,
        requester=desk.requester,
        title="Payroll export fails",
        impact="high",
        urgency="medium",
        **kwargs,
    )


def _events(clock_row) -> list[str]:
    return list(clock_row.ledger.values_list("event", flat=True))


def test_a_reply_at_exactly_the_target_is_met_and_a_second_later_is_breached(desk, travel):
    start = at(13, 16, 50)
    met = _p2(desk)
    late = _p2(desk)
    travel.move_to(start + timedelta(hours=1))  # exactly the 1 h response target
    due_sweep()
    assert clock(met, "response").breached_at is None  # not yet past it
    services.ticket_comment(ticket=met, actor=desk.l1_agent, body="On it")
    assert clock(met, "response").breached_at is None
    travel.move_to(start + timedelta(hours=1, seconds=1))
    services.ticket_comment(ticket=late, actor=desk.l1_agent, body="On it")
    response = clock(late, "response")
    assert response.breached_at == start + timedelta(hours=1)
    # The breach has its ledger line, dated when the target passed (before the stop).
    assert _events(response)[-2:] == ["breach", "stop"]


def test_a_breach_found_at_stop_is_dated_over_the_stretches_the_clock_ran(desk, travel):
    ticket = _p2(desk)  # 16:50
    travel.move_to(at(13, 17, 0))
    services.ticket_start(ticket=ticket, actor=desk.l1_agent)
    services.ticket_hold(ticket=ticket, actor=desk.l1_agent, reason="awaiting_vendor")
    travel.move_to(at(13, 19, 0))  # two hours paused: not counted
    services.ticket_resume(ticket=ticket, actor=desk.l1_agent)
    travel.move_to(at(13, 20, 0))  # 10 min + 60 min counted: 10 min past the target
    services.ticket_comment(ticket=ticket, actor=desk.l1_agent, body="Vendor patched it")
    response = clock(ticket, "response")
    assert response.elapsed_before == timedelta(minutes=70)
    assert response.breached_at == at(13, 19, 50)  # 10 min before the hold + 50 min after it


@pytest.mark.parametrize("swept_first", [False, True])
def test_a_shorter_target_dates_the_breach_the_same_whether_the_sweep_ran_or_not(
    desk, travel, swept_first
):
    """P3 office hours → P1 24×7 after the old target passed: one answer either way."""
    travel.move_to(at(16, 9, 0))  # Monday
    ticket = services.ticket_log(
        actor=desk.l1_agent, requester=desk.requester, title="Share down", impact="medium"
    )
    travel.move_to(at(16, 11, 30))  # P3 response target (2 h) passed at 11:00
    if swept_first:
        due_sweep()
        assert clock(ticket, "response").breached_at == at(16, 11, 0)
    services.ticket_update(ticket=ticket, actor=desk.l1_agent, impact="high", urgency="high")
    response = clock(ticket, "response")
    if not swept_first:
        due_sweep()  # the sweep finds the retargeted clock due at once
        response = clock(ticket, "response")
    assert response.target == timedelta(hours=1)
    assert response.breached_at == at(16, 10, 0)  # 1 h after 09:00 on 24×7
    assert "breach" in _events(response)


def test_a_stopped_clock_retargeted_shows_its_new_due_time_and_breach(desk, travel):
    travel.move_to(at(16, 9, 0))
    ticket = services.ticket_log(
        actor=desk.l1_agent, requester=desk.requester, title="Share down", impact="medium"
    )
    travel.move_to(at(16, 10, 30))  # first reply after 1 h 30: met under P3's 2 h
    services.ticket_comment(ticket=ticket, actor=desk.l1_agent, body="Looking")
    response = clock(ticket, "response")
    assert (response.breached_at, response.due_at) == (None, at(16, 11, 0))
    travel.move_to(at(16, 11, 0))
    services.ticket_update(ticket=ticket, actor=desk.l1_agent, impact="high", urgency="high")
    response = clock(ticket, "response")
    assert response.due_at == at(16, 10, 0)  # P1: 1 h from the start
    assert response.breached_at == at(16, 10, 0)  # the reply at 10:30 was 30 min late
    assert _events(response) == ["start", "breach", "stop", "retarget"]  # in the order of time
    # And back: the breach goes with the target that made it.
    services.ticket_update(ticket=ticket, actor=desk.l1_agent, impact="medium", urgency="medium")
    response = clock(ticket, "response")
    assert (response.breached_at, response.due_at) == (None, at(16, 11, 0))
