"""A ledger line's cause, kept as a code with its arguments and read in the reader's language."""

from datetime import UTC, datetime

import pytest
from django.utils import translation

from servicedesk.sla.causes import Cause, action_cause, cause_text
from servicedesk.sla.models import SlaLedgerEntry
from servicedesk.tickets import services
from servicedesk.tickets.models import Channel
from servicedesk.tickets.states import HoldReason
from servicedesk.tickets.templatetags.tickets_ui import ledger_cause


def test_a_cause_reads_in_english_and_in_romanian():
    cause = action_cause("hold", "waiting for the vendor's part")
    assert str(cause) == "put on hold: waiting for the vendor's part"
    with translation.override("ro"):
        assert cause_text(cause.code, cause.args) == (
            "pune în așteptare: waiting for the vendor's part"
        )
    held = Cause("on_hold", {"hold_reason": HoldReason.AWAITING_CALLER})
    with translation.override("ro"):
        assert "așteptare" in cause_text(held.code, held.args).lower()


def test_a_breach_names_the_cause_that_brought_it():
    passed = Cause("priority", {"priority": 1, "person": "Ana Pop"}).passed()
    assert str(passed) == "target passed (priority P1 by Ana Pop)"
    with translation.override("ro"):
        assert (
            cause_text(passed.code, passed.args)
            == "țintă depășită (prioritate P1 stabilită de Ana Pop)"
        )


def test_an_unknown_code_is_refused_when_written_and_empty_when_read():
    with pytest.raises(ValueError, match="not a ledger cause"):
        Cause("no-such-cause")
    assert cause_text("no-such-cause", {}) == ""
    assert cause_text("priority", {"priority": 1}) == ""  # an argument missing


@pytest.mark.django_db
def test_the_ticket_page_shows_the_ledger_in_the_readers_language(desk, time_machine):
    time_machine.move_to(datetime(2026, 11, 16, 9, 0, tzinfo=UTC), tick=False)
    ticket = services.ticket_log(
        actor=desk.l1_agent,
        requester=desk.requester,
        title="Shared drive unreachable",
        channel=Channel.PHONE,
        impact="medium",
        urgency="medium",
    )
    entry = SlaLedgerEntry.objects.filter(clock__ticket=ticket).first()
    assert entry.cause_code == "logged"
    assert entry.cause.startswith("logged (")
    with translation.override("ro"):
        assert ledger_cause(entry).startswith("înregistrat (")
    old = SlaLedgerEntry(cause="written before codes", cause_code="")
    assert ledger_cause(old) == "written before codes"
