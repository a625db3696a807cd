"""The transition table of tickets.states, and the lifecycle walked through the services."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from servicedesk.accounts.models import Role, SupportGroup, User
from servicedesk.core.errors import NotPermitted, TransitionNotAllowed, ValidationFailed
from servicedesk.notifications.models import OutboxMessage
from servicedesk.tickets import selectors, services
from servicedesk.tickets.models import Kind, Ticket, TicketEvent, TierStint
from servicedesk.tickets.priority import Level, priority_for
from servicedesk.tickets.states import (
    FINAL_STATUSES,
    IMPLICIT_ACTIONS,
    OPEN_STATUSES,
    TRANSITIONS,
    Action,
    CancelReason,
    HoldReason,
    ResolutionCode,
    Status,
    actions_from,
    next_status,
)

ALL_PAIRS = list(itertools.product(Status, Action))
NOT_ALLOWED = [pair for pair in ALL_PAIRS if pair not in TRANSITIONS]


# ---------------------------------------------------------------------------------------------
# The table


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [(status, action, target) for (status, action), target in TRANSITIONS.items()],
    ids=[f"{status}-{action}" for status, action in TRANSITIONS],
)
def test_every_pair_in_the_table_leads_where_it_says(status, action, expected):
    assert next_status(status, action) == expected
    # Plain strings, as read from the database or a request, work the same.
    assert next_status(str(status.value), str(action.value)) == expected


def test_the_table_holds_the_lifecycle_of_the_itil_process():
    # Spot checks of the arrows a person would draw on a whiteboard.
    assert TRANSITIONS[(Status.NEW, Action.ASSIGN)] == Status.ASSIGNED
    assert TRANSITIONS[(Status.ASSIGNED, Action.START)] == Status.IN_PROGRESS
    assert TRANSITIONS[(Status.IN_PROGRESS, Action.HOLD)] == Status.ON_HOLD
    assert TRANSITIONS[(Status.ON_HOLD, Action.REQUESTER_REPLY)] == Status.IN_PROGRESS
    assert TRANSITIONS[(Status.ON_HOLD, Action.ASSIGN)] == Status.ON_HOLD
    assert TRANSITIONS[(Status.IN_PROGRESS, Action.ESCALATE)] == Status.NEW  # in the next queue
    assert TRANSITIONS[(Status.RESOLVED, Action.REOPEN)] == Status.IN_PROGRESS
    assert TRANSITIONS[(Status.RESOLVED, Action.CONFIRM)] == Status.CLOSED
    assert len(TRANSITIONS) == 27


@pytest.mark.parametrize(
    ("status", "action"), NOT_ALLOWED, ids=[f"{s}-{a}" for s, a in NOT_ALLOWED]
)
def test_pairs_not_in_the_table_are_refused_with_a_clear_message(status, action):
    with pytest.raises(TransitionNotAllowed) as caught:
        next_status(status, action)
    error = caught.value
    assert error.status_code == 409
    assert error.code == "transition_not_allowed"
    assert error.errors == {
        "action": [f"'{action.value}' is not allowed while the ticket is {status.label}."]
    }


def test_unknown_status_or_action_is_refused_not_crashed():
    with pytest.raises(TransitionNotAllowed) as caught:
        next_status("new", "teleport")
    assert caught.value.errors["action"] == ["'teleport' is not allowed while the ticket is New."]
    with pytest.raises(TransitionNotAllowed) as caught:
        next_status("limbo", "assign")
    assert caught.value.errors["action"] == ["'assign' is not allowed while the ticket is limbo."]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (
            Status.NEW,
            ["assign", "start", "escalate", "de_escalate", "resolve", "cancel"],
        ),
        (
            Status.ASSIGNED,
            ["assign", "start", "hold", "escalate", "de_escalate", "resolve", "cancel"],
        ),
        (
            Status.IN_PROGRESS,
            ["assign", "hold", "escalate", "de_escalate", "resolve", "cancel"],
        ),
        (Status.ON_HOLD, ["assign", "resume", "resolve", "cancel"]),
        (Status.RESOLVED, ["confirm", "reopen", "close"]),
        (Status.CLOSED, []),
        (Status.CANCELLED, []),
    ],
)
def test_actions_from_lists_the_buttons_in_declaration_order(status, expected):
    assert actions_from(status) == expected
    assert actions_from(str(status.value)) == expected


def test_implicit_actions_are_never_offered_as_buttons():
    for status in Status:
        assert not set(actions_from(status)) & IMPLICIT_ACTIONS
    # …yet the requester's reply does move a ticket that is on hold.
    assert (Status.ON_HOLD, Action.REQUESTER_REPLY) in TRANSITIONS


@given(status=st.sampled_from(Status), action=st.sampled_from(Action))
def test_next_status_agrees_with_the_table_and_actions_from(status, action):
    if (status, action) in TRANSITIONS:
        assert next_status(status, action) == TRANSITIONS[(status, action)]
        assert (action in actions_from(status)) == (action not in IMPLICIT_ACTIONS)
    else:
        with pytest.raises(TransitionNotAllowed):
            next_status(status, action)
        assert action not in actions_from(status)


def _reachable(start: Status) -> set[Status]:
    seen, frontier = {start}, [start]
    while frontier:
        current = frontier.pop()
        for (source, _action), target in TRANSITIONS.items():
            if source == current and target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


def test_every_status_is_reachable_from_new():
    assert _reachable(Status.NEW) == set(Status)


def test_final_statuses_have_no_way_out_and_every_open_one_has_a_way_to_an_end():
    for status in FINAL_STATUSES:
        assert not [pair for pair in TRANSITIONS if pair[0] == status]
    for status in [*OPEN_STATUSES, Status.RESOLVED]:
        assert Status.CLOSED in _reachable(status)
    for status in OPEN_STATUSES:
        assert Status.CANCELLED in _reachable(status)


# ---------------------------------------------------------------------------------------------
# The lifecycle through the services


START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
GROUPS = ("l1", "l2", "l2n", "l3")
RESOLUTION_CODES = ("solved_permanently", "fulfilled", "no_such_code")


def _person(username: str, role: str = Role.AGENT) -> User:
    user = User(
        username=username, first_name=username.title(), email=f"{username}@example.test", role=role
    )
    user.set_unusable_password()
    user.save()
    return user


class TicketLifecycle(RuleBasedStateMachine):
    """Random walks through the lifecycle services against a model of what should happen.

    Each example runs in a savepoint that is rolled back at the end, under a frozen clock
    that only the `wait` rule moves.
    """

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._clock = time_machine.travel(START, tick=False)
        self._traveller = self._clock.start()
        self.now = START
        agents = {key: _person(f"agent-{key}") for key in GROUPS}
        self.groups = {
            key: SupportGroup.objects.create(name=f"Group {key}", tier=tier)
            for key, tier in zip(GROUPS, (1, 2, 2, 3), strict=True)
        }
        for key, group in self.groups.items():
            group.members.add(agents[key])
        self.agents = agents
        self.requester = _person("requester", Role.REQUESTER)
        self.ticket = None

    def teardown(self):
        self._clock.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # -- the model ------------------------------------------------------------------------------

    @initialize(
        kind=st.sampled_from(Kind.values),
        impact=st.sampled_from(Level.values),
        urgency=st.sampled_from(Level.values),
    )
    def log(self, kind, impact, urgency):
        self.ticket = services.ticket_log(
            actor=self.requester,
            title="Laptop will not boot",
            kind=kind,
            impact=impact,
            urgency=urgency,
        )
        self.other = services.ticket_log(actor=self.requester, title="Same laptop, again")
        self.kind = kind
        self.priority = priority_for(impact, urgency)
        self.status = Status.NEW
        self.group = "l1"
        self.assignee = None
        self.hold_reason = ""
        self.resolved_at = None
        self.reopens = 0
        self.escalations = 0

    def _snapshot(self) -> dict:
        return {
            "ticket": Ticket.objects.filter(pk=self.ticket.pk).values().get(),
            "events": list(
                TicketEvent.objects.filter(ticket_id=self.ticket.pk)
                .order_by("id")
                .values_list("id", flat=True)
            ),
            "stints": list(TierStint.objects.filter(ticket_id=self.ticket.pk).values()),
            "outbox": OutboxMessage.objects.count(),
        }

    def _staff(self):
        return self.agents[self.group]

    def _attempt(self, call, expected):
        """Run `call`; it must move the ticket to `expected`, or fail and change nothing."""
        before = self._snapshot()
        try:
            call()
        except (TransitionNotAllowed, ValidationFailed, NotPermitted) as error:
            if not (isinstance(expected, type) and isinstance(error, expected)):
                raise AssertionError(f"expected {expected!r}, got {error!r}") from error
            assert self._snapshot() == before, "a failed call changed something"
            event(f"refused: {type(error).__name__}")
            return False
        assert not isinstance(expected, type), f"expected {expected.__name__}, the call succeeded"
        status, version = Ticket.objects.values_list("status", "version").get(pk=self.ticket.pk)
        assert status == expected
        assert version > before["ticket"]["version"]
        events = list(
            TicketEvent.objects.filter(ticket_id=self.ticket.pk)
            .order_by("id")
            .values_list("id", flat=True)
        )
        assert events[: len(before["events"])] == before["events"], "the timeline was rewritten"
        assert len(events) > len(before["events"])
        event(f"reached: {expected}")
        self.status = expected
        return True

    @staticmethod
    def _target(status: Status, action: Action):
        return TRANSITIONS.get((status, action), TransitionNotAllowed)

    # -- rules ---------------------------------------------------------------------------------

    @rule(minutes=st.integers(min_value=1, max_value=4 * 24 * 60))
    def wait(self, minutes):
        self._traveller.shift(timedelta(minutes=minutes))
        self.now += timedelta(minutes=minutes)

    @rule(
        group=st.sampled_from(("current", *GROUPS)),
        who=st.sampled_from(("nobody", "member", "outsider")),
    )
    def assign(self, group, who):
        target = self.group if group == "current" else group
        assignee = {
            "nobody": None,
            "member": self.agents[target],
            "outsider": self.agents["l3" if target != "l3" else "l1"],
        }[who]
        expected = self._target(self.status, Action.ASSIGN)
        if self.groups[target].tier != self.groups[self.group].tier or who == "outsider":
            expected = ValidationFailed
        elif expected is not TransitionNotAllowed:
            unchanged = target == self.group and assignee == self.assignee
            if unchanged and expected == self.status:
                expected = ValidationFailed
        done = self._attempt(
            lambda: services.ticket_assign(
                ticket=self.ticket,
                actor=self._staff(),
                group=None if group == "current" else self.groups[target],
                assignee=assignee,
            ),
            expected,
        )
        if done:
            self.group, self.assignee = target, assignee

    @rule()
    def start(self):
        actor = self._staff()
        if self._attempt(
            lambda: services.ticket_start(ticket=self.ticket, actor=actor),
            self._target(self.status, Action.START),
        ):
            self.assignee = self.assignee or actor

    @rule(
        reason=st.sampled_from((*HoldReason.values, "lunch")),
        note=st.sampled_from(("", "Please send a photo of the screen.")),
    )
    def hold(self, reason, note):
        expected = self._target(self.status, Action.HOLD)
        if expected is not TransitionNotAllowed and reason not in HoldReason.values:
            expected = ValidationFailed
        if self._attempt(
            lambda: services.ticket_hold(
                ticket=self.ticket, actor=self._staff(), reason=reason, note=note
            ),
            expected,
        ):
            self.hold_reason = reason

    @rule()
    def resume(self):
        if self._attempt(
            lambda: services.ticket_resume(ticket=self.ticket, actor=self._staff()),
            self._target(self.status, Action.RESUME),
        ):
            self.hold_reason = ""

    @rule()
    def requester_replies(self):
        if self.status in FINAL_STATUSES:
            expected = TransitionNotAllowed
        elif self.status == Status.ON_HOLD and self.hold_reason == HoldReason.AWAITING_CALLER:
            expected = TRANSITIONS[(Status.ON_HOLD, Action.REQUESTER_REPLY)]
        else:
            expected = self.status
        if (
            self._attempt(
                lambda: services.ticket_comment(
                    ticket=self.ticket, actor=self.requester, body="Here is the photo."
                ),
                expected,
            )
            and expected == Status.IN_PROGRESS
        ):
            self.hold_reason = ""

    def _tier_move(self, action: Action, to: str, reason: str):
        expected = self._target(self.status, action)
        here, there = self.groups[self.group].tier, self.groups[to].tier
        if action == Action.ESCALATE:
            valid = there > here and (there == here + 1 or self.priority <= 2)
            service = services.ticket_escalate
        else:
            valid = there < here
            service = services.ticket_de_escalate
        if expected is not TransitionNotAllowed and not (valid and reason):
            expected = ValidationFailed
        if self._attempt(
            lambda: service(
                ticket=self.ticket, actor=self._staff(), to_group=self.groups[to], reason=reason
            ),
            expected,
        ):
            self.group, self.assignee = to, None
            self.escalations += action == Action.ESCALATE

    @rule(to=st.sampled_from(GROUPS), reason=st.sampled_from(("", "Needs a specialist")))
    def escalate(self, to, reason):
        self._tier_move(Action.ESCALATE, to, reason)

    @rule(to=st.sampled_from(GROUPS), reason=st.sampled_from(("", "Known fix, L1 can apply it")))
    def de_escalate(self, to, reason):
        self._tier_move(Action.DE_ESCALATE, to, reason)

    @rule(
        code=st.sampled_from(RESOLUTION_CODES),
        notes=st.sampled_from(("", "Replaced the disk.")),
        restored=st.sampled_from((True, False, None)),
    )
    def resolve(self, code, notes, restored):
        expected = self._target(self.status, Action.RESOLVE)
        codes_of_kind = {value for value, _label in ResolutionCode.for_kind(self.kind)}
        valid = code in codes_of_kind and notes and (self.kind != Kind.INCIDENT or restored is True)
        if expected is not TransitionNotAllowed and not valid:
            expected = ValidationFailed
        if self._attempt(
            lambda: services.ticket_resolve(
                ticket=self.ticket,
                actor=self._staff(),
                resolution_code=code,
                resolution_notes=notes,
                service_restored=restored,
            ),
            expected,
        ):
            self.resolved_at, self.hold_reason = self.now, ""

    @rule()
    def confirm(self):
        self._attempt(
            lambda: services.ticket_confirm(ticket=self.ticket, actor=self.requester),
            self._target(self.status, Action.CONFIRM),
        )

    @rule(
        by=st.sampled_from(("requester", "staff")),
        reason=st.sampled_from(("", "It broke again.")),
    )
    def reopen(self, by, reason):
        expected = self._target(self.status, Action.REOPEN)
        if expected is not TransitionNotAllowed:
            window = timedelta(days=django_settings.SERVICEDESK_REOPEN_WINDOW_DAYS)
            late = by == "requester" and self.now > self.resolved_at + window
            if not reason or late:
                expected = ValidationFailed
        actor = self.requester if by == "requester" else self._staff()
        if self._attempt(
            lambda: services.ticket_reopen(ticket=self.ticket, actor=actor, reason=reason),
            expected,
        ):
            self.resolved_at = None
            self.reopens += 1

    @rule(by=st.sampled_from(("staff", "the auto-close job")))
    def close(self, by):
        actor = self._staff() if by == "staff" else None
        self._attempt(
            lambda: services.ticket_close(ticket=self.ticket, actor=actor),
            self._target(self.status, Action.CLOSE),
        )

    @rule(
        by=st.sampled_from(("requester", "staff")),
        reason=st.sampled_from((*CancelReason.values, "bored")),
    )
    def cancel(self, by, reason):
        expected = self._target(self.status, Action.CANCEL)
        if expected is TransitionNotAllowed:
            pass
        elif by == "requester" and reason in set(CancelReason.values) - {CancelReason.WITHDRAWN}:
            expected = NotPermitted  # a requester may only withdraw
        elif reason not in CancelReason.values:
            expected = ValidationFailed
        actor = self.requester if by == "requester" else self._staff()
        if self._attempt(
            lambda: services.ticket_cancel(
                ticket=self.ticket,
                actor=actor,
                reason=reason,
                duplicate_of=self.other if reason == CancelReason.DUPLICATE else None,
            ),
            expected,
        ):
            self.hold_reason = ""

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def the_ticket_is_consistent(self):
        if self.ticket is None:
            return
        ticket = Ticket.objects.select_related("assignment_group").get(pk=self.ticket.pk)
        # What the model expects.
        assert ticket.status == self.status
        assert ticket.assignment_group_id == self.groups[self.group].pk
        assert ticket.assignee_id == (self.assignee.pk if self.assignee else None)
        assert ticket.hold_reason == self.hold_reason
        assert ticket.reopen_count == self.reopens
        assert ticket.escalation_count == self.escalations
        assert ticket.tier == ticket.assignment_group.tier

        # Milestones.
        assert (ticket.resolved_at is not None) == (
            ticket.status in {Status.RESOLVED, Status.CLOSED}
        )
        if ticket.resolved_at is not None:
            assert ticket.resolved_at == self.resolved_at
        assert (ticket.closed_at is not None) == (ticket.status == Status.CLOSED)
        assert (ticket.cancelled_at is not None) == (ticket.status == Status.CANCELLED)
        assert (ticket.hold_reason != "") == (ticket.status == Status.ON_HOLD)
        for milestone in (ticket.resolved_at, ticket.closed_at, ticket.cancelled_at):
            assert milestone is None or ticket.created_at <= milestone <= self.now
        if ticket.closed_at is not None:
            assert ticket.resolved_at <= ticket.closed_at

        # Exactly one open tier stint while open, with the ticket's group; none overlap.
        stints = list(TierStint.objects.filter(ticket=ticket).order_by("started_at", "id"))
        open_stints = [stint for stint in stints if stint.ended_at is None]
        assert len(open_stints) == (1 if ticket.is_open else 0)
        if open_stints:
            assert open_stints[0].group_id == ticket.assignment_group_id
            assert open_stints[0].tier == ticket.tier
        for earlier, later in itertools.pairwise(stints):
            assert earlier.ended_at is not None and earlier.ended_at <= later.started_at
        spent = selectors.time_per_tier(ticket=ticket)
        assert sum(spent.values(), timedelta()) <= self.now - ticket.created_at

        # The timeline's status changes tell the same story, link by link (an escalation's row
        # carries its own change of status).
        current = Status.NEW
        rows = TicketEvent.objects.filter(
            ticket=ticket, type__in=["status", "escalated", "de_escalated"]
        ).order_by("created_at", "id")
        for data in rows.values_list("data", flat=True):
            for move in data.get("changes", []):
                if move["field"] == "status":
                    assert move["from"] == current
                    current = move["to"]
        assert current == ticket.status


@pytest.mark.django_db
class TestTicketLifecycle(TicketLifecycle.TestCase):
    settings = settings(
        max_examples=25,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
