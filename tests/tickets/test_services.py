"""The ticket services (tickets/services.py), called directly: each arrow of the lifecycle."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.db import connection

from servicedesk.core.errors import (
    NotPermitted,
    StaleVersion,
    TransitionNotAllowed,
    ValidationFailed,
)
from servicedesk.notifications.models import OutboxMessage
from servicedesk.tickets import selectors, services
from servicedesk.tickets.models import Channel, DiagnosisAnswer, Kind, Ticket, TicketEvent
from servicedesk.tickets.states import CancelReason, HoldReason, Status
from tests.accounts.factories import AgentFactory, SupportGroupFactory
from tests.catalog.factories import CategoryFactory, DiagnosticQuestionFactory
from tests.tickets.factories import ticket_logged

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning
E = TicketEvent.Type


@pytest.fixture
def clock(time_machine):
    """The clock, frozen at T0; tests move it with clock.shift()."""
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def fresh_numbers(db):
    """Ticket numbers start from the beginning (PostgreSQL sequences do not roll back)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for kind in ("incident", "request"):
                cursor.execute(f"ALTER SEQUENCE seq_ticket_{kind} RESTART WITH 1001")


def _everything() -> tuple[dict, list]:
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("servicedesk.")
    }
    return counts, list(Ticket.objects.order_by("pk").values())


@contextmanager
def changes_nothing():
    """The block must leave every row of the project as it found it."""
    before = _everything()
    yield
    assert _everything() == before


def _resolve(ticket, actor, **kwargs):
    # Each kind has its own codes.
    code = "fulfilled" if ticket.kind == Kind.SERVICE_REQUEST else "solved_permanently"
    kwargs.setdefault("resolution_code", code)
    kwargs.setdefault("resolution_notes", "Reinstalled the driver.")
    kwargs.setdefault("service_restored", True)
    return services.ticket_resolve(ticket=ticket, actor=actor, **kwargs)


def _emails(ticket, template=None):
    rows = OutboxMessage.objects.about(ticket)
    if template:
        rows = rows.filter(topic=template)
    return list(rows.order_by("id"))


# ---------------------------------------------------------------------------------------------
# Logging


def test_numbers_are_per_kind_prefixed_and_sequential(desk, fresh_numbers):
    numbers = [
        ticket_logged(requester=desk.requester, kind=kind).number
        for kind in (Kind.INCIDENT, Kind.INCIDENT, Kind.SERVICE_REQUEST, Kind.INCIDENT)
    ]
    assert numbers == ["INC0001001", "INC0001002", "REQ0001001", "INC0001003"]


def test_the_requester_is_snapshot_when_logged(desk):
    desk.requester.email = "ana.marin@example.test"
    desk.requester.phone = "+40 721 000 111"
    desk.requester.save()
    ticket = ticket_logged(requester=desk.requester, actor=desk.l1_agent)
    desk.requester.email = "ana@elsewhere.test"
    desk.requester.phone = ""
    desk.requester.save()

    ticket.refresh_from_db()
    assert ticket.requester == desk.requester
    assert ticket.logged_by == desk.l1_agent
    assert ticket.requester_name == "Ana Marin"
    assert ticket.requester_email == "ana.marin@example.test"
    assert ticket.requester_phone == "+40 721 000 111"


def test_an_agent_logging_a_call_records_when_it_was_reported(desk, clock):
    called_at = T0 - timedelta(minutes=25)
    ticket = services.ticket_log(
        actor=desk.l1_agent,
        requester=desk.requester,
        title="VPN drops every ten minutes",
        channel=Channel.PHONE,
        reported_at=called_at,
    )
    ticket.refresh_from_db()
    assert ticket.reported_at == called_at
    assert ticket.created_at == T0
    assert ticket.reported_at != ticket.created_at
    assert ticket.channel == "phone"
    assert ticket.requester == desk.requester
    assert ticket.logged_by == desk.l1_agent
    created = ticket.events.get(type=E.CREATED)
    assert created.data["channel"] == "phone"
    assert created.actor == desk.l1_agent
    assert created.created_at == T0


def test_without_reported_at_the_ticket_was_reported_when_logged(desk, clock):
    ticket = ticket_logged(requester=desk.requester)
    assert ticket.reported_at == ticket.created_at == T0
    assert ticket.channel == Channel.PORTAL


def test_a_requester_cannot_set_reported_at(desk, clock):
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_log(
            actor=desk.requester, title="Printer jam", reported_at=T0 - timedelta(hours=1)
        )
    assert set(caught.value.errors) == {"reported_at"}


def test_a_requester_cannot_log_for_someone_else(desk):
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_log(
            actor=desk.requester, requester=desk.other_requester, title="Bogdan's printer"
        )
    assert set(caught.value.errors) == {"requester"}


def test_reported_at_cannot_be_in_the_future(desk, clock):
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_log(
            actor=desk.l1_agent,
            requester=desk.requester,
            title="Tomorrow's outage",
            reported_at=T0 + timedelta(hours=1),
        )
    assert set(caught.value.errors) == {"reported_at"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"kind": "problem"}, "kind"),
        ({"channel": "pigeon"}, "channel"),
        ({"impact": "huge"}, "impact"),
        ({"urgency": "whenever"}, "urgency"),
    ],
)
def test_bad_input_names_the_field_and_logs_nothing(desk, changes, field):
    kwargs = {"actor": desk.l1_agent, "requester": desk.requester, "title": "Broken", **changes}
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_log(**kwargs)
    assert set(caught.value.errors) == {field}


def test_a_new_ticket_goes_to_the_l1_group_with_an_open_tier_stint(desk):
    ticket = ticket_logged(requester=desk.requester)
    assert ticket.status == Status.NEW
    assert ticket.assignment_group == desk.l1
    assert ticket.tier == 1
    assert ticket.assignee is None
    [stint] = ticket.tier_stints.all()
    assert (stint.group, stint.tier, stint.ended_at) == (desk.l1, 1, None)
    assert ticket.events.get(type=E.CREATED).data["group"] == str(desk.l1)


def test_a_category_with_a_default_group_routes_there(desk):
    network = CategoryFactory(name="Network", default_group=desk.l2_network)
    ticket = ticket_logged(requester=desk.requester, category=network)
    assert ticket.assignment_group == desk.l2_network
    assert ticket.tier == 2


def test_logging_queues_the_logged_email_to_the_requester(desk, deliver_outbox):
    ticket = ticket_logged(requester=desk.requester, title="Outlook crashes")
    [row] = _emails(ticket)
    assert row.topic == "ticket.logged"
    assert row.destination == desk.requester.email
    assert ticket.number in row.title
    [sent] = deliver_outbox()
    assert sent.to == [desk.requester.email]
    assert sent.subject == f"[{ticket.number}] We have logged your report: Outlook crashes"
    assert ticket.events.filter(type=E.EMAIL, data__topic="ticket.logged").count() == 1


# ---------------------------------------------------------------------------------------------
# Reclassification


def test_reclassifying_gives_a_new_number_and_records_why(desk, fresh_numbers):
    ticket = ticket_logged(requester=desk.requester, title="Need a second monitor")
    assert ticket.number == "INC0001001"
    ticket = services.ticket_reclassify(
        ticket=ticket, actor=desk.l1_agent, kind=Kind.SERVICE_REQUEST, reason="Nothing is broken"
    )
    ticket.refresh_from_db()
    assert ticket.kind == Kind.SERVICE_REQUEST
    assert ticket.number == "REQ0001001"
    assert ticket.version == 2
    row = ticket.events.get(type=E.RECLASSIFIED)
    assert row.is_public
    assert row.data["reason"] == "Nothing is broken"
    assert row.data["changes"] == [
        {"field": "kind", "from": "incident", "to": "request"},
        {"field": "number", "from": "INC0001001", "to": "REQ0001001"},
    ]


@pytest.mark.parametrize(
    ("kind", "reason", "fields"),
    [
        (Kind.SERVICE_REQUEST, "  ", {"reason"}),
        (Kind.INCIDENT, "Because", {"kind"}),
        ("problem", "Because", {"kind"}),
    ],
)
def test_reclassifying_needs_a_reason_and_another_kind(desk, kind, reason, fields):
    ticket = ticket_logged(requester=desk.requester)
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_reclassify(ticket=ticket, actor=desk.l1_agent, kind=kind, reason=reason)
    assert set(caught.value.errors) == fields


def test_a_requester_cannot_reclassify(desk):
    ticket = ticket_logged(requester=desk.requester)
    with changes_nothing(), pytest.raises(NotPermitted):
        services.ticket_reclassify(
            ticket=ticket, actor=desk.requester, kind=Kind.SERVICE_REQUEST, reason="I know best"
        )


# ---------------------------------------------------------------------------------------------
# Assignment


def test_assigning_to_a_member_of_the_group(desk, clock):
    ticket = ticket_logged(requester=desk.requester)
    clock.shift(timedelta(minutes=10))
    ticket = services.ticket_assign(ticket=ticket, actor=desk.l1_agent, assignee=desk.l1_agent)
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED
    assert ticket.assignee == desk.l1_agent
    assert ticket.assigned_at == T0 + timedelta(minutes=10)
    assert ticket.reassignment_count == 0
    row = ticket.events.get(type=E.ASSIGNED)
    assert row.data["changes"] == [
        {"field": "assignee", "from": None, "to": str(desk.l1_agent)},
    ]


def test_the_assignee_must_be_a_member_of_the_group(desk):
    ticket = ticket_logged(requester=desk.requester)
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_assign(ticket=ticket, actor=desk.l1_agent, assignee=desk.l2_agent)
    assert "not a member of Service Desk" in caught.value.errors["assignee"][0]
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_assign(ticket=ticket, actor=desk.l1_agent, assignee=desk.requester)
    assert set(caught.value.errors) == {"assignee"}


def test_assignment_stays_at_the_same_tier(desk):
    field_support = SupportGroupFactory(name="Field Support", tier=1, members=[AgentFactory()])
    ticket = ticket_logged(requester=desk.requester)
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_assign(ticket=ticket, actor=desk.l1_agent, group=desk.l2)
    assert caught.value.errors["group"] == [
        "That group is at another tier: escalate or de-escalate instead."
    ]

    ticket = services.ticket_assign(ticket=ticket, actor=desk.l1_agent, group=field_support)
    ticket.refresh_from_db()
    assert ticket.assignment_group == field_support
    assert ticket.tier == 1
    assert ticket.reassignment_count == 1
    assert ticket.escalation_count == 0
    stints = list(ticket.tier_stints.values_list("group__name", "ended_at"))
    assert [name for name, _ in stints] == ["Service Desk", "Field Support"]
    assert stints[0][1] is not None and stints[1][1] is None


def test_assigning_it_the_same_way_again_is_refused(desk):
    ticket = ticket_logged(requester=desk.requester)
    services.ticket_assign(ticket=ticket, actor=desk.l1_agent, assignee=desk.l1_agent)
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_assign(ticket=ticket, actor=desk.l1_agent, assignee=desk.l1_agent)
    assert set(caught.value.errors) == {"assignee"}


def test_starting_an_unassigned_ticket_takes_it(desk, clock):
    ticket = ticket_logged(requester=desk.requester)
    ticket = services.ticket_start(ticket=ticket, actor=desk.l1_agent)
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.assignee == desk.l1_agent
    assert ticket.assigned_at == T0


def test_another_tier_may_not_work_the_ticket(desk):
    ticket = ticket_logged(requester=desk.requester)
    with changes_nothing(), pytest.raises(NotPermitted):
        services.ticket_start(ticket=ticket, actor=desk.l2_agent)


# ---------------------------------------------------------------------------------------------
# Functional escalation


def test_escalation_goes_l1_to_l2_to_l3(desk):
    ticket = ticket_logged(requester=desk.requester)
    services.ticket_start(ticket=ticket, actor=desk.l1_agent)

    ticket = services.ticket_escalate(
        ticket=ticket, actor=desk.l1_agent, to_group=desk.l2, reason="Mailbox corrupt"
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.tier, ticket.assignment_group) == ("new", 2, desk.l2)
    assert ticket.assignee is None
    assert (ticket.escalation_count, ticket.reassignment_count) == (1, 1)
    row = ticket.events.get(type=E.ESCALATED)
    assert row.is_public
    assert row.actor == desk.l1_agent
    assert (row.data["from_tier"], row.data["to_tier"], row.data["reason"]) == (
        1,
        2,
        "Mailbox corrupt",
    )

    ticket = services.ticket_escalate(
        ticket=ticket, actor=desk.l2_agent, to_group=desk.l3, reason="Needs a code fix"
    )
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignment_group) == (3, desk.l3)
    assert (ticket.escalation_count, ticket.reassignment_count) == (2, 2)
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_escalate(
            ticket=ticket, actor=desk.l3_agent, to_group=desk.l3, reason="Higher!"
        )
    assert "higher tier than L3" in caught.value.errors["to_group"][0]


@pytest.mark.parametrize(
    ("impact", "urgency", "allowed"),
    [
        ("high", "high", True),  # P1
        ("high", "medium", True),  # P2
        ("medium", "high", True),  # P2
        ("medium", "medium", False),  # P3
        ("low", "low", False),  # P5
    ],
)
def test_only_p1_and_p2_may_skip_to_l3(desk, impact, urgency, allowed):
    ticket = ticket_logged(requester=desk.requester, impact=impact, urgency=urgency)

    def escalate():
        return services.ticket_escalate(
            ticket=ticket, actor=desk.l1_agent, to_group=desk.l3, reason="Core switch is down"
        )

    if allowed:
        escalate()
        ticket.refresh_from_db()
        assert (ticket.tier, ticket.escalation_count) == (3, 1)
    else:
        with changes_nothing(), pytest.raises(ValidationFailed) as caught:
            escalate()
        assert caught.value.errors["to_group"] == [
            "Only critical tickets (P1, P2) may skip a tier."
        ]


@pytest.mark.parametrize("reason", ["", "   "])
def test_escalation_needs_a_reason(desk, reason):
    ticket = ticket_logged(requester=desk.requester)
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_escalate(
            ticket=ticket, actor=desk.l1_agent, to_group=desk.l2, reason=reason
        )
    assert set(caught.value.errors) == {"reason"}


def test_escalation_of_a_ticket_on_hold_is_refused(desk):
    ticket = ticket_logged(requester=desk.requester)
    services.ticket_start(ticket=ticket, actor=desk.l1_agent)
    services.ticket_hold(ticket=ticket, actor=desk.l1_agent, reason=HoldReason.AWAITING_VENDOR)
    with changes_nothing(), pytest.raises(TransitionNotAllowed):
        services.ticket_escalate(ticket=ticket, actor=desk.l1_agent, to_group=desk.l2, reason="x")


def test_de_escalation_goes_back_down_with_a_reason(desk):
    ticket = ticket_logged(requester=desk.requester)
    services.ticket_escalate(ticket=ticket, actor=desk.l1_agent, to_group=desk.l2, reason="Why")
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_de_escalate(
            ticket=ticket, actor=desk.l2_agent, to_group=desk.l3, reason="Wrong way"
        )
    assert "lower tier than L2" in caught.value.errors["to_group"][0]
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_de_escalate(ticket=ticket, actor=desk.l2_agent, to_group=desk.l1, reason="")
    assert set(caught.value.errors) == {"reason"}

    ticket = services.ticket_de_escalate(
        ticket=ticket, actor=desk.l2_agent, to_group=desk.l1, reason="Known fix: clear the cache"
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.tier, ticket.assignment_group) == ("new", 1, desk.l1)
    assert (ticket.escalation_count, ticket.reassignment_count) == (1, 2)
    row = ticket.events.get(type=E.DE_ESCALATED)
    assert (row.data["from_tier"], row.data["to_tier"]) == (2, 1)
    assert row.data["reason"] == "Known fix: clear the cache"


def test_time_per_tier_follows_the_stints(desk, clock):
    ticket = ticket_logged(requester=desk.requester, impact="high", urgency="high")
    clock.shift(timedelta(hours=1))
    services.ticket_escalate(ticket=ticket, actor=desk.l1_agent, to_group=desk.l2, reason="a")
    clock.shift(timedelta(hours=2))
    services.ticket_escalate(ticket=ticket, actor=desk.l2_agent, to_group=desk.l3, reason="b")
    clock.shift(timedelta(minutes=30))
    # The open stint runs until now.
    assert selectors.time_per_tier(ticket=ticket) == {
        1: timedelta(hours=1),
        2: timedelta(hours=2),
        3: timedelta(minutes=30),
    }
    clock.shift(timedelta(minutes=30))
    services.ticket_de_escalate(ticket=ticket, actor=desk.l3_agent, to_group=desk.l1, reason="c")
    clock.shift(timedelta(hours=4))
    _resolve(ticket, desk.l1_agent)
    clock.shift(timedelta(days=3))
    # Resolved: no stint is running any more.
    assert selectors.time_per_tier(ticket=ticket) == {
        1: timedelta(hours=5),
        2: timedelta(hours=2),
        3: timedelta(hours=1),
    }
    history = selectors.tier_history(ticket=ticket)
    assert [(h.group, h.tier) for h in history] == [
        ("Service Desk", 1),
        ("Applications", 2),
        ("Engineering", 3),
        ("Service Desk", 1),
    ]
    assert history[-1].ended_at == T0 + timedelta(hours=8)


# ---------------------------------------------------------------------------------------------
# Hierarchical escalation


def test_escalating_to_the_manager_flags_the_ticket_and_emails_the_manager(
    desk, clock, deliver_outbox
):
    ticket = ticket_logged(requester=desk.requester, title="CEO cannot print")
    clock.shift(timedelta(minutes=5))
    ticket = services.ticket_escalate_to_manager(
        ticket=ticket, actor=desk.l1_agent, reason="Waiting for a decision on a new printer"
    )
    ticket.refresh_from_db()
    assert ticket.manager_escalated_at == T0 + timedelta(minutes=5)
    assert ticket.status == Status.NEW  # hierarchical escalation does not move the ticket
    row = ticket.events.get(type=E.MANAGER_ESCALATED)
    assert row.data["manager"] == str(desk.manager)
    assert row.data["reason"] == "Waiting for a decision on a new printer"
    assert not row.is_public

    [queued] = _emails(ticket, "ticket.manager_escalation")
    assert queued.destination == desk.manager.email
    sent = [m for m in deliver_outbox() if m.to == [desk.manager.email]]
    assert len(sent) == 1
    assert sent[0].subject == f"[{ticket.number}] Escalated to you as group manager"
    assert "Waiting for a decision on a new printer" in sent[0].body


def test_manager_escalation_needs_a_reason_and_a_manager(desk):
    ticket = ticket_logged(requester=desk.requester)
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_escalate_to_manager(ticket=ticket, actor=desk.l1_agent, reason=" ")
    assert set(caught.value.errors) == {"reason"}

    network = ticket_logged(
        requester=desk.requester, actor=desk.l1_agent, assignment_group=desk.l2_network
    )
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_escalate_to_manager(
            ticket=network, actor=desk.l2_network_agent, reason="Stuck"
        )
    assert set(caught.value.errors) == {"assignment_group"}


# ---------------------------------------------------------------------------------------------
# On hold and the requester's reply


def _in_progress(desk, **kwargs):
    ticket = ticket_logged(requester=desk.requester, **kwargs)
    return services.ticket_start(ticket=ticket, actor=desk.l1_agent)


def test_a_hold_needs_a_known_reason(desk):
    ticket = _in_progress(desk)
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_hold(ticket=ticket, actor=desk.l1_agent, reason="lunch")
    assert set(caught.value.errors) == {"reason"}


def test_a_new_ticket_cannot_be_put_on_hold(desk):
    ticket = ticket_logged(requester=desk.requester)
    with changes_nothing(), pytest.raises(TransitionNotAllowed):
        services.ticket_hold(ticket=ticket, actor=desk.l1_agent, reason=HoldReason.AWAITING_CALLER)


def test_the_requesters_reply_resumes_a_ticket_awaiting_them(desk, deliver_outbox):
    ticket = _in_progress(desk)
    services.ticket_hold(
        ticket=ticket,
        actor=desk.l1_agent,
        reason=HoldReason.AWAITING_CALLER,
        note="Which printer is it?",
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.hold_reason) == ("on_hold", "awaiting_caller")
    [asked] = _emails(ticket, "ticket.awaiting_caller")
    assert asked.destination == desk.requester.email
    assert "Which printer is it?" in asked.body

    services.ticket_comment(ticket=ticket, actor=desk.requester, body="The one on floor 2")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.hold_reason) == ("in_progress", "")
    status = ticket.events.filter(type=E.STATUS).latest("id")
    assert status.actor == desk.requester
    assert status.data["action"] == "requester_reply"
    assert status.data["changes"] == [{"field": "status", "from": "on_hold", "to": "in_progress"}]
    assert ticket.events.filter(type=E.COMMENT, body="The one on floor 2").exists()


@pytest.mark.parametrize("reason", [HoldReason.AWAITING_VENDOR, HoldReason.AWAITING_CHANGE])
def test_the_requesters_reply_does_not_resume_a_ticket_awaiting_someone_else(desk, reason):
    ticket = _in_progress(desk)
    services.ticket_hold(ticket=ticket, actor=desk.l1_agent, reason=reason)
    services.ticket_comment(ticket=ticket, actor=desk.requester, body="Any news?")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.hold_reason) == ("on_hold", reason)
    assert ticket.events.filter(type=E.COMMENT, body="Any news?").exists()
    assert not _emails(ticket, "ticket.awaiting_caller")

    services.ticket_resume(ticket=ticket, actor=desk.l1_agent)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.hold_reason) == ("in_progress", "")


# ---------------------------------------------------------------------------------------------
# Resolution


def test_resolving_an_incident_needs_code_notes_and_restored_service(desk):
    ticket = _in_progress(desk)
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_resolve(
            ticket=ticket, actor=desk.l1_agent, resolution_code="magic", resolution_notes=" "
        )
    assert set(caught.value.errors) == {"resolution_code", "resolution_notes", "service_restored"}
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        _resolve(ticket, desk.l1_agent, service_restored=False)
    assert set(caught.value.errors) == {"service_restored"}


def test_resolving_records_the_fix_ends_the_stint_and_tells_the_requester(desk, clock):
    ticket = _in_progress(desk)
    clock.shift(timedelta(hours=2))
    ticket = _resolve(ticket, desk.l1_agent, resolution_notes="  Reinstalled the driver.  ")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.resolved_at == T0 + timedelta(hours=2)
    assert ticket.resolution_code == "solved_permanently"
    assert ticket.resolution_notes == "Reinstalled the driver."
    assert ticket.service_restored is True
    assert not ticket.tier_stints.filter(ended_at__isnull=True).exists()
    [told] = _emails(ticket, "ticket.resolved")
    assert told.title.startswith(f"[{ticket.number}] Resolved")


def test_a_service_request_needs_no_restored_service(desk):
    ticket = _in_progress(desk, kind=Kind.SERVICE_REQUEST)
    ticket = services.ticket_resolve(
        ticket=ticket,
        actor=desk.l1_agent,
        resolution_code="fulfilled",
        resolution_notes="Monitor delivered.",
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.service_restored is None


def test_confirming_closes_and_only_the_requester_confirms(desk, clock):
    ticket = _in_progress(desk)
    _resolve(ticket, desk.l1_agent)
    with changes_nothing(), pytest.raises(NotPermitted):
        services.ticket_confirm(ticket=ticket, actor=desk.l1_agent)
    clock.shift(timedelta(hours=3))
    ticket = services.ticket_confirm(ticket=ticket, actor=desk.requester)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.closed_at == T0 + timedelta(hours=3)
    assert ticket.resolved_at == T0
    assert len(_emails(ticket, "ticket.closed")) == 1


# ---------------------------------------------------------------------------------------------
# Reopening


def test_the_requester_reopens_within_the_window(desk, clock, settings):
    settings.SERVICEDESK_REOPEN_WINDOW_DAYS = 7
    ticket = _in_progress(desk)
    _resolve(ticket, desk.l1_agent)
    clock.shift(timedelta(days=7))  # the last moment of the window
    ticket = services.ticket_reopen(ticket=ticket, actor=desk.requester, reason="Still jams")
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.reopen_count == 1
    assert ticket.resolved_at is None
    assert ticket.service_restored is None
    [running] = ticket.tier_stints.filter(ended_at__isnull=True)
    assert (running.group, running.started_at) == (desk.l1, T0 + timedelta(days=7))
    said = ticket.events.filter(type=E.COMMENT).latest("id")
    assert (said.body, said.is_public, said.actor) == ("Still jams", True, desk.requester)


def test_after_the_window_the_requester_is_refused_but_staff_may_reopen(desk, clock, settings):
    settings.SERVICEDESK_REOPEN_WINDOW_DAYS = 2
    ticket = _in_progress(desk)
    _resolve(ticket, desk.l1_agent)
    clock.shift(timedelta(days=2, minutes=1))
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_reopen(ticket=ticket, actor=desk.requester, reason="It broke again")
    assert caught.value.errors["status"] == [
        "The time to reopen this ticket has passed; please report a new one."
    ]
    services.ticket_reopen(ticket=ticket, actor=desk.l1_agent, reason="Same fault, same cause")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == ("in_progress", 1)

    _resolve(ticket, desk.l1_agent)
    services.ticket_reopen(ticket=ticket, actor=desk.requester, reason="Nope")
    ticket.refresh_from_db()
    assert ticket.reopen_count == 2


def test_reopening_needs_a_reason_and_a_resolved_ticket(desk):
    ticket = _in_progress(desk)
    with changes_nothing(), pytest.raises(TransitionNotAllowed):
        services.ticket_reopen(ticket=ticket, actor=desk.requester, reason="Why not")
    _resolve(ticket, desk.l1_agent)
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_reopen(ticket=ticket, actor=desk.requester, reason="  ")
    assert set(caught.value.errors) == {"reason"}


# ---------------------------------------------------------------------------------------------
# Cancelling and duplicates


def test_a_requester_may_only_withdraw(desk, clock):
    ticket = ticket_logged(requester=desk.requester)
    with changes_nothing(), pytest.raises(NotPermitted) as caught:
        services.ticket_cancel(
            ticket=ticket, actor=desk.requester, reason=CancelReason.NOT_AN_INCIDENT
        )
    assert caught.value.errors["reason"] == ["A requester can only withdraw a ticket."]

    clock.shift(timedelta(minutes=3))
    services.ticket_cancel(
        ticket=ticket, actor=desk.requester, reason=CancelReason.WITHDRAWN, note="Works now"
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.cancel_reason) == ("cancelled", "withdrawn")
    assert ticket.cancelled_at == T0 + timedelta(minutes=3)
    assert ticket.duplicate_of is None
    assert not ticket.tier_stints.filter(ended_at__isnull=True).exists()
    assert ticket.events.filter(type=E.COMMENT, body="Works now", is_public=True).exists()
    assert not ticket.events.filter(type=E.LINKED).exists()


def test_staff_cancel_for_any_known_reason(desk):
    ticket = ticket_logged(requester=desk.requester)
    with changes_nothing(), pytest.raises(ValidationFailed):
        services.ticket_cancel(ticket=ticket, actor=desk.l1_agent, reason="bored")
    services.ticket_cancel(ticket=ticket, actor=desk.l1_agent, reason=CancelReason.NOT_AN_INCIDENT)
    ticket.refresh_from_db()
    assert ticket.cancel_reason == CancelReason.NOT_AN_INCIDENT
    with changes_nothing(), pytest.raises(TransitionNotAllowed):
        services.ticket_cancel(ticket=ticket, actor=desk.l1_agent, reason=CancelReason.WITHDRAWN)


def test_cancelling_a_ticket_on_hold_clears_the_hold(desk):
    ticket = _in_progress(desk)
    services.ticket_hold(ticket=ticket, actor=desk.l1_agent, reason=HoldReason.AWAITING_CALLER)
    services.ticket_cancel(ticket=ticket, actor=desk.requester, reason=CancelReason.WITHDRAWN)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.hold_reason) == ("cancelled", "")


def test_marking_a_duplicate_cancels_it_with_a_reference(desk):
    original = ticket_logged(requester=desk.other_requester, title="Wi-Fi down on floor 3")
    copy = ticket_logged(requester=desk.requester, title="No Wi-Fi")
    services.ticket_mark_duplicate(ticket=copy, actor=desk.l1_agent, of=original, note="Known")
    copy.refresh_from_db()
    assert copy.status == Status.CANCELLED
    assert copy.cancel_reason == CancelReason.DUPLICATE
    assert copy.duplicate_of == original
    assert list(original.duplicates.all()) == [copy]
    link = copy.events.get(type=E.LINKED)
    assert (link.data["relation"], link.data["ticket"]) == ("duplicate_of", original.number)
    assert link.is_public
    original.refresh_from_db()
    assert original.status == Status.NEW


def test_a_duplicate_needs_another_ticket_to_point_to(desk):
    ticket = ticket_logged(requester=desk.requester)
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_cancel(ticket=ticket, actor=desk.l1_agent, reason=CancelReason.DUPLICATE)
    assert set(caught.value.errors) == {"duplicate_of"}
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_mark_duplicate(ticket=ticket, actor=desk.l1_agent, of=ticket)
    assert caught.value.errors["duplicate_of"] == ["A ticket cannot duplicate itself."]


def test_a_reference_given_with_another_reason_is_not_recorded(desk):
    other = ticket_logged(requester=desk.requester)
    ticket = ticket_logged(requester=desk.requester)
    services.ticket_cancel(
        ticket=ticket, actor=desk.l1_agent, reason=CancelReason.NOT_AN_INCIDENT, duplicate_of=other
    )
    ticket.refresh_from_db()
    assert ticket.duplicate_of is None
    assert not ticket.events.filter(type=E.LINKED).exists()


# ---------------------------------------------------------------------------------------------
# Parent and children


def test_linking_a_child_records_it_on_both_tickets(desk):
    parent = ticket_logged(requester=desk.requester, title="Email outage")
    child = ticket_logged(requester=desk.other_requester, title="Cannot send mail")
    services.ticket_set_parent(ticket=child, actor=desk.l1_agent, parent=parent)
    child.refresh_from_db()
    assert child.parent == parent
    assert child.version == 2
    assert child.events.get(type=E.LINKED).data == {"relation": "child_of", "ticket": parent.number}
    assert parent.events.get(type=E.LINKED).data == {
        "relation": "parent_of",
        "ticket": child.number,
    }

    services.ticket_set_parent(ticket=child, actor=desk.l1_agent, parent=None)
    child.refresh_from_db()
    assert child.parent is None
    assert child.events.filter(type=E.CHANGED).latest("id").data["changes"] == [
        {"field": "parent", "from": parent.number, "to": None}
    ]


def test_resolving_a_parent_resolves_its_open_children(desk, clock):
    parent = _in_progress(desk, title="Email outage")
    open_child = ticket_logged(requester=desk.other_requester, title="Cannot send mail")
    request_child = ticket_logged(requester=desk.requester, kind=Kind.SERVICE_REQUEST)
    withdrawn = ticket_logged(requester=desk.requester, title="Mail slow")
    for child in (open_child, request_child, withdrawn):
        services.ticket_set_parent(ticket=child, actor=desk.l1_agent, parent=parent)
    services.ticket_escalate(
        ticket=open_child, actor=desk.l1_agent, to_group=desk.l2, reason="Specialists"
    )
    services.ticket_cancel(ticket=withdrawn, actor=desk.requester, reason=CancelReason.WITHDRAWN)

    clock.shift(timedelta(hours=1))
    _resolve(parent, desk.l1_agent, resolution_notes="Restarted the mail relay.")

    for child in (open_child, request_child):
        child.refresh_from_db()
        assert child.status == Status.RESOLVED
        assert child.resolved_at == T0 + timedelta(hours=1)
        assert child.resolution_code == "solved_permanently"
        assert child.resolution_notes == (
            f"Resolved with parent {parent.number}: Restarted the mail relay."
        )
        assert not child.tier_stints.filter(ended_at__isnull=True).exists()
        assert len(_emails(child, "ticket.resolved")) == 1
    assert open_child.service_restored is True
    withdrawn.refresh_from_db()
    assert (withdrawn.status, withdrawn.resolved_at) == ("cancelled", None)


def test_a_ticket_cannot_be_its_own_ancestor(desk):
    a = ticket_logged(requester=desk.requester, title="A")
    b = ticket_logged(requester=desk.requester, title="B")
    c = ticket_logged(requester=desk.requester, title="C")
    with changes_nothing(), pytest.raises(ValidationFailed):
        services.ticket_set_parent(ticket=a, actor=desk.l1_agent, parent=a)
    services.ticket_set_parent(ticket=b, actor=desk.l1_agent, parent=a)
    services.ticket_set_parent(ticket=c, actor=desk.l1_agent, parent=b)
    for ancestor_to_be in (b, c):
        ancestor_to_be.refresh_from_db()
        with changes_nothing(), pytest.raises(ValidationFailed) as caught:
            services.ticket_set_parent(ticket=a, actor=desk.l1_agent, parent=ancestor_to_be)
        assert caught.value.errors["parent"] == ["A ticket cannot be its own ancestor."]


def test_a_closed_ticket_cannot_become_a_parent(desk):
    parent = _in_progress(desk)
    _resolve(parent, desk.l1_agent)
    child = ticket_logged(requester=desk.requester)
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_set_parent(ticket=child, actor=desk.l1_agent, parent=parent)
    assert set(caught.value.errors) == {"parent"}


# ---------------------------------------------------------------------------------------------
# Diagnosis


@pytest.fixture
def diagnosed(desk):
    """A ticket in the Email category, and its questions: text, yes/no, a choice and a must."""
    since, webmail = desk.questions
    client = DiagnosticQuestionFactory(
        category=desk.category,
        text="Which client?",
        answer_type="choice",
        choices=["Outlook", "Thunderbird"],
        position=3,
    )
    account = DiagnosticQuestionFactory(
        category=desk.category, text="Account name?", required=True, position=4
    )
    ticket = ticket_logged(requester=desk.requester, category=desk.category)
    return ticket, since, webmail, client, account


@pytest.mark.parametrize(
    ("which", "answer", "message"),
    [
        (1, "maybe", "Answer 'yes' or 'no'."),
        (2, "Mutt", "Choose one of: Outlook, Thunderbird."),
        (3, "   ", "An answer is required."),
    ],
)
def test_answers_are_checked_against_their_question_type(desk, diagnosed, which, answer, message):
    ticket, *questions = diagnosed
    question = questions[which]
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_diagnosis_record(
            ticket=ticket, actor=desk.l1_agent, answers={question.pk: answer}
        )
    assert caught.value.errors == {f"answers.{question.pk}": [message]}


def test_only_the_categorys_questions_may_be_answered(desk, diagnosed):
    ticket, *_ = diagnosed
    stranger = DiagnosticQuestionFactory(text="Is the VPN on?")
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_diagnosis_record(
            ticket=ticket, actor=desk.l1_agent, answers={stranger.pk: "yes"}
        )
    assert caught.value.errors == {
        f"answers.{stranger.pk}": ["Not a question of this ticket's category."]
    }
    uncategorised = ticket_logged(requester=desk.requester)
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_diagnosis_record(
            ticket=uncategorised, actor=desk.l1_agent, answers={desk.questions[0].pk: "Today"}
        )
    assert set(caught.value.errors) == {"category"}
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_diagnosis_record(ticket=ticket, actor=desk.l1_agent, answers={})
    assert set(caught.value.errors) == {"answers"}


def test_answers_are_judged_as_they_will_be_stored(desk, diagnosed):
    ticket, _since, webmail, client, _account = diagnosed
    services.ticket_diagnosis_record(
        ticket=ticket, actor=desk.l1_agent, answers={webmail.pk: " yes ", client.pk: "Outlook\n"}
    )
    stored = dict(DiagnosisAnswer.objects.filter(ticket=ticket).values_list("question", "answer"))
    assert stored == {webmail.pk: "yes", client.pk: "Outlook"}


def test_a_question_id_that_is_not_a_number_is_a_field_error(desk, diagnosed):
    ticket, *_ = diagnosed
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_diagnosis_record(ticket=ticket, actor=desk.l1_agent, answers={"abc": "x"})
    assert caught.value.errors == {"answers.abc": ["Not a question of this ticket's category."]}


def test_answers_are_recorded_and_changes_shown_from_to(desk, diagnosed, clock):
    ticket, since, webmail, client, _account = diagnosed
    services.ticket_diagnosis_record(
        ticket=ticket,
        actor=desk.l1_agent,
        answers={since.pk: " This morning ", webmail.pk: "no", client.pk: "Outlook"},
    )
    answers = {a.question_id: a for a in DiagnosisAnswer.objects.filter(ticket=ticket)}
    assert {pk: a.answer for pk, a in answers.items()} == {
        since.pk: "This morning",
        webmail.pk: "no",
        client.pk: "Outlook",
    }
    assert answers[webmail.pk].question_text == "Does webmail work?"
    assert answers[webmail.pk].answered_by == desk.l1_agent
    first = ticket.events.get(type=E.DIAGNOSIS)
    assert first.data["answers"] == [
        {"question": "Since when?", "from": None, "to": "This morning"},
        {"question": "Does webmail work?", "from": None, "to": "no"},
        {"question": "Which client?", "from": None, "to": "Outlook"},
    ]
    assert not first.is_public

    clock.shift(timedelta(minutes=20))
    services.ticket_diagnosis_record(
        ticket=ticket,
        actor=desk.l1_agent,
        answers={since.pk: "This morning", webmail.pk: "yes"},
    )
    second = ticket.events.filter(type=E.DIAGNOSIS).latest("id")
    assert second.data["answers"] == [{"question": "Does webmail work?", "from": "no", "to": "yes"}]
    changed = DiagnosisAnswer.objects.get(ticket=ticket, question=webmail)
    assert (changed.answer, changed.answered_at) == ("yes", T0 + timedelta(minutes=20))

    ticket.refresh_from_db()
    with changes_nothing():
        services.ticket_diagnosis_record(
            ticket=ticket, actor=desk.l1_agent, answers={webmail.pk: "yes"}
        )


def test_a_requester_cannot_record_a_diagnosis(desk, diagnosed):
    ticket, since, *_ = diagnosed
    with changes_nothing(), pytest.raises(NotPermitted):
        services.ticket_diagnosis_record(
            ticket=ticket, actor=desk.requester, answers={since.pk: "Yesterday"}
        )


# ---------------------------------------------------------------------------------------------
# Communication


def test_internal_notes_never_reach_the_requester(desk):
    ticket = ticket_logged(requester=desk.requester)
    services.ticket_comment(ticket=ticket, actor=desk.l1_agent, body="User is VIP", public=False)
    services.ticket_comment(ticket=ticket, actor=desk.l1_agent, body="We are on it")
    services.ticket_escalate_to_manager(ticket=ticket, actor=desk.l1_agent, reason="VIP")

    seen_by_requester = list(selectors.timeline_for(ticket=ticket, user=desk.requester))
    assert "User is VIP" not in [row.body for row in seen_by_requester]
    assert all(row.is_public for row in seen_by_requester)
    assert "We are on it" in [row.body for row in seen_by_requester]
    assert E.MANAGER_ESCALATED not in [row.type for row in seen_by_requester]

    seen_by_staff = list(selectors.timeline_for(ticket=ticket, user=desk.l2_agent))
    assert "User is VIP" in [row.body for row in seen_by_staff]
    # No email for a note.
    assert [m.topic for m in _emails(ticket)] == [
        "ticket.logged",
        "ticket.reply",
        "ticket.manager_escalation",
    ]


def test_a_requester_cannot_write_an_internal_note(desk):
    ticket = ticket_logged(requester=desk.requester)
    with changes_nothing(), pytest.raises(NotPermitted):
        services.ticket_comment(ticket=ticket, actor=desk.requester, body="psst", public=False)


def test_first_response_is_the_first_public_staff_reply(desk, clock, deliver_outbox):
    ticket = ticket_logged(requester=desk.requester)
    clock.shift(timedelta(minutes=5))
    services.ticket_comment(ticket=ticket, actor=desk.requester, body="Any news?")
    services.ticket_comment(ticket=ticket, actor=desk.l1_agent, body="Looks bad", public=False)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None

    clock.shift(timedelta(minutes=40))
    services.ticket_comment(ticket=ticket, actor=desk.l1_agent, body="Looking into it")
    clock.shift(timedelta(hours=1))
    services.ticket_comment(ticket=ticket, actor=desk.l1_agent, body="Found it")
    ticket.refresh_from_db()
    assert ticket.first_response_at == T0 + timedelta(minutes=45)
    replies = [m for m in deliver_outbox() if "New reply" in m.subject]
    assert [("Looking into it" in m.body, "Found it" in m.body) for m in replies] == [
        (True, False),
        (False, True),
    ]


def test_a_public_note_with_a_hold_is_a_first_response(desk, clock):
    ticket = _in_progress(desk)
    clock.shift(timedelta(minutes=15))
    services.ticket_hold(
        ticket=ticket,
        actor=desk.l1_agent,
        reason=HoldReason.AWAITING_CALLER,
        note="Please restart and tell us what you see.",
    )
    ticket.refresh_from_db()
    assert ticket.first_response_at == T0 + timedelta(minutes=15)


def test_a_closed_ticket_takes_no_more_comments(desk):
    ticket = _in_progress(desk)
    _resolve(ticket, desk.l1_agent)
    services.ticket_comment(ticket=ticket, actor=desk.requester, body="Thanks!")  # still fine
    services.ticket_confirm(ticket=ticket, actor=desk.requester)
    with changes_nothing(), pytest.raises(TransitionNotAllowed):
        services.ticket_comment(ticket=ticket, actor=desk.requester, body="One more thing")


# ---------------------------------------------------------------------------------------------
# Versions and failures


def test_every_write_bumps_the_version_by_one(desk, diagnosed):
    ticket, since, *_ = diagnosed
    other = ticket_logged(requester=desk.requester)
    steps = [
        lambda t: services.ticket_update(ticket=t, actor=desk.l1_agent, title="Outlook broken"),
        lambda t: services.ticket_assign(ticket=t, actor=desk.l1_agent, assignee=desk.l1_agent),
        lambda t: services.ticket_start(ticket=t, actor=desk.l1_agent),
        lambda t: services.ticket_comment(ticket=t, actor=desk.l1_agent, body="On it"),
        lambda t: services.ticket_comment(ticket=t, actor=desk.l1_agent, body="x", public=False),
        lambda t: services.ticket_diagnosis_record(
            ticket=t, actor=desk.l1_agent, answers={since.pk: "Monday"}
        ),
        lambda t: services.ticket_hold(
            ticket=t, actor=desk.l1_agent, reason=HoldReason.AWAITING_CALLER
        ),
        lambda t: services.ticket_comment(ticket=t, actor=desk.requester, body="Done"),
        lambda t: services.ticket_escalate_to_manager(ticket=t, actor=desk.l1_agent, reason="r"),
        lambda t: services.ticket_set_parent(ticket=t, actor=desk.l1_agent, parent=other),
        lambda t: services.ticket_reclassify(
            ticket=t, actor=desk.l1_agent, kind=Kind.SERVICE_REQUEST, reason="r"
        ),
        lambda t: services.ticket_escalate(
            ticket=t, actor=desk.l1_agent, to_group=desk.l2, reason="r"
        ),
        lambda t: services.ticket_de_escalate(
            ticket=t, actor=desk.l2_agent, to_group=desk.l1, reason="r"
        ),
        lambda t: _resolve(t, desk.l1_agent),
        lambda t: services.ticket_reopen(ticket=t, actor=desk.requester, reason="r"),
        lambda t: _resolve(t, desk.l1_agent),
        lambda t: services.ticket_close(ticket=t, actor=None),
    ]
    for number, step in enumerate(steps, start=2):
        step(ticket)
        ticket.refresh_from_db()
        assert ticket.version == number
    assert ticket.etag == f'"{ticket.pk}-{len(steps) + 1}"'


def test_a_stale_edit_is_refused_and_a_current_one_applies(desk):
    ticket = ticket_logged(requester=desk.requester)
    read_version = ticket.version
    services.ticket_comment(ticket=ticket, actor=desk.l1_agent, body="Someone else was here")
    with changes_nothing(), pytest.raises(StaleVersion) as caught:
        services.ticket_update(
            ticket=ticket, actor=desk.l1_agent, expected_version=read_version, title="Mine"
        )
    assert caught.value.status_code == 412
    ticket.refresh_from_db()
    services.ticket_update(
        ticket=ticket, actor=desk.l1_agent, expected_version=ticket.version, title="Mine"
    )
    ticket.refresh_from_db()
    assert (ticket.title, ticket.version) == ("Mine", read_version + 2)


def test_a_closed_ticket_cannot_be_edited(desk):
    ticket = _in_progress(desk)
    _resolve(ticket, desk.l1_agent)
    with changes_nothing(), pytest.raises(TransitionNotAllowed):
        services.ticket_update(ticket=ticket, actor=desk.l1_agent, title="Late edit")
    with changes_nothing(), pytest.raises(ValidationFailed) as caught:
        services.ticket_update(ticket=ticket, actor=desk.l1_agent, status="new")
    assert set(caught.value.errors) == {"status"}


FAILING_CALLS = {
    "start a ticket in progress": lambda d, t: services.ticket_start(ticket=t, actor=d.l1_agent),
    "resume a ticket not on hold": lambda d, t: services.ticket_resume(ticket=t, actor=d.l1_agent),
    "close without resolving": lambda d, t: services.ticket_close(ticket=t, actor=d.l1_agent),
    "confirm without resolving": lambda d, t: services.ticket_confirm(ticket=t, actor=d.requester),
    "escalate without reason": lambda d, t: services.ticket_escalate(
        ticket=t, actor=d.l1_agent, to_group=d.l2, reason=""
    ),
    "escalate to nowhere": lambda d, t: services.ticket_escalate(
        ticket=t, actor=d.l1_agent, to_group=None, reason="r"
    ),
    "resolve without notes": lambda d, t: _resolve(t, d.l1_agent, resolution_notes=""),
    "update an unknown field": lambda d, t: services.ticket_update(
        ticket=t, actor=d.l1_agent, priority=1
    ),
    "update with a bad level": lambda d, t: services.ticket_update(
        ticket=t, actor=d.l1_agent, title="New", impact="extreme"
    ),
    "update by the requester": lambda d, t: services.ticket_update(
        ticket=t, actor=d.requester, title="Mine now"
    ),
    "empty comment": lambda d, t: services.ticket_comment(ticket=t, actor=d.requester, body=" "),
    "note by another requester": lambda d, t: services.ticket_comment(
        ticket=t, actor=d.other_requester, body="hi", public=False
    ),
    "assign a stranger": lambda d, t: services.ticket_assign(
        ticket=t, actor=d.l1_agent, assignee=d.l3_agent
    ),
    "hold from in progress for lunch": lambda d, t: services.ticket_hold(
        ticket=t, actor=d.l1_agent, reason="lunch"
    ),
    "requester cancels as not an incident": lambda d, t: services.ticket_cancel(
        ticket=t, actor=d.requester, reason=CancelReason.NOT_AN_INCIDENT
    ),
    "requester resolves": lambda d, t: _resolve(t, d.requester),
}


@pytest.mark.parametrize("call", FAILING_CALLS.values(), ids=FAILING_CALLS.keys())
def test_a_failed_service_call_changes_nothing(desk, call):
    ticket = _in_progress(desk)
    services.ticket_comment(ticket=ticket, actor=desk.l1_agent, body="We are on it")
    ticket.refresh_from_db()
    with changes_nothing(), pytest.raises((ValidationFailed, TransitionNotAllowed, NotPermitted)):
        call(desk, ticket)


def test_a_failure_after_writing_rolls_the_whole_call_back(desk, monkeypatch):
    """An error raised midway (after rows were written) leaves no partial state."""
    ticket = _in_progress(desk)

    def broken(*args, **kwargs):
        raise RuntimeError("mail template missing")

    monkeypatch.setattr(services._base, "notify", broken)
    with changes_nothing(), pytest.raises(RuntimeError):
        _resolve(ticket, desk.l1_agent)


# ---------------------------------------------------------------------------------------------
# Found by a new user: escalation, who resolved, reclassified numbers


def test_an_escalated_ticket_waits_new_in_the_next_queue_with_one_timeline_row(desk):
    ticket = ticket_logged(requester=desk.requester)
    services.ticket_assign(ticket=ticket, actor=desk.l1_agent, assignee=desk.l1_agent)
    services.ticket_start(ticket=ticket, actor=desk.l1_agent)
    before = ticket.events.count()
    services.ticket_escalate(
        ticket=ticket, actor=desk.l1_agent, to_group=desk.l2, reason="Needs the mail admins"
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.assignment_group) == ("new", None, desk.l2)
    [row] = ticket.events.all()[before:]
    assert row.type == E.ESCALATED
    assert row.data["reason"] == "Needs the mail admins"
    assert {"field": "status", "from": "in_progress", "to": "new"} in row.data["changes"]
    assert ticket.events.filter(data__reason="Needs the mail admins").count() == 1


def test_whoever_resolves_is_recorded_even_when_nobody_had_the_ticket(desk, api_for):
    ticket = ticket_logged(requester=desk.requester, impact="high", urgency="high")
    services.ticket_escalate(
        ticket=ticket, actor=desk.l1_agent, to_group=desk.l3, reason="Core switch"
    )
    _resolve(Ticket.objects.get(pk=ticket.pk), desk.l3_agent)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert ticket.resolved_by == desk.l3_agent
    detail = api_for(desk.l1_agent).get(f"/api/tickets/{ticket.number}/").json()
    assert detail["resolved_by"] == {"id": desk.l3_agent.pk, "name": "Radu Stan"}
    services.ticket_reopen(ticket=ticket, actor=desk.requester, reason="Still down")
    ticket.refresh_from_db()
    assert ticket.resolved_by is None


def test_a_reclassified_tickets_old_number_redirects_and_the_requester_learns_the_new_one(
    desk, api_for, client, deliver_outbox
):
    ticket = ticket_logged(requester=desk.requester, title="Need a second monitor")
    old = ticket.number
    services.ticket_reclassify(
        ticket=ticket, actor=desk.l1_agent, kind=Kind.SERVICE_REQUEST, reason="A request"
    )
    ticket.refresh_from_db()
    new = ticket.number
    assert new.startswith("REQ") and old.startswith("INC")

    api = api_for(desk.requester)
    response = api.get(f"/api/tickets/{old}/timeline/")
    assert (response.status_code, response["Location"]) == (301, f"/api/tickets/{new}/timeline/")
    response = api.post(f"/api/tickets/{old.lower()}/comments/", {"body": "Thanks"}, format="json")
    assert (response.status_code, response["Location"]) == (308, f"/api/tickets/{new}/comments/")
    client.force_login(desk.requester)
    response = client.get(f"/tickets/{old}/")
    assert (response.status_code, response["Location"]) == (301, f"/tickets/{new}/")
    # Someone who may not see it learns nothing: a 404, as for any other number.
    assert api_for(desk.other_requester).get(f"/api/tickets/{old}/").status_code == 404

    told = [m for m in deliver_outbox() if f"is now {new}" in m.subject]
    assert len(told) == 1 and told[0].to == [desk.requester.email]
    assert old in told[0].body and new in told[0].body
