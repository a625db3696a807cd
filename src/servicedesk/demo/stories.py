"""The demo's tickets, each told through the real services on a clock that runs in the past.

A story is a list of service calls spaced out in minutes: "the requester logs it; 20 minutes later
the L1 agent takes it; …". Stories are written first, then placed in the last 30 days so that
their last step falls where their ending belongs (closed ones anywhere, resolved ones within the
confirmation window, open ones recently), then played in order of their start with the clock
travelled to each step's time (time-machine). Before each step the due-work sweep runs at that
time, as the periodic job would have: warnings, breaches and the escalations they cause happen
in the history when they were due, not all at once when the demo starts. The services therefore
write the numbers, timeline, tier stints and outbox exactly as they would have at that time; a
step the story planned but the desk's own moves made impossible (the sweep escalated the ticket
away from the agent) is left out, as a person would not have taken it.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from servicedesk.accounts.models import User
from servicedesk.core.due import due_next, due_sweep
from servicedesk.core.errors import ServiceError
from servicedesk.demo import data
from servicedesk.demo.desk import CatalogLeaf, Desk
from servicedesk.tickets import services
from servicedesk.tickets.models import Channel, Kind, Ticket
from servicedesk.tickets.priority import priority_for
from servicedesk.tickets.states import CancelReason, HoldReason, Status

SEED = 1848
HORIZON = timedelta(days=30)
LOCAL = ZoneInfo(data.TIME_ZONE)
# How much longer each step takes, by priority: a P1 moves in minutes, a P5 over days.
PACE = {1: 0.15, 2: 0.4, 3: 1.0, 4: 1.8, 5: 3.0}
# Roughly when the auto-close sweep closes a resolved ticket nobody answered.
AUTO_CLOSE_MINUTES = 3.5 * 24 * 60

# How the single tickets end; clusters and the originals of duplicates come on top.
ENDINGS = (
    [(Status.NEW, "")] * 16
    + [(Status.ASSIGNED, "")] * 16
    + [(Status.IN_PROGRESS, "")] * 24
    + [(Status.ON_HOLD, reason) for reason in HoldReason.values] * 6
    + [(Status.RESOLVED, "")] * 22
    + [(Status.CLOSED, "")] * 85
    + [(Status.CANCELLED, reason) for reason in CancelReason.values] * 5
)
CHANNELS = {Channel.PORTAL: 45, Channel.EMAIL: 25, Channel.PHONE: 22, Channel.API: 8}
IMPACTS = {"high": 12, "medium": 45, "low": 43}
URGENCIES = {"high": 18, "medium": 47, "low": 35}
INCIDENT_CODES = {
    "solved_permanently": 5,
    "solved_remotely": 3,
    "solved_workaround": 2,
    "user_error": 1,
    "no_fault_found": 1,
}


@dataclass(frozen=True)
class Ref:
    """A ticket of the same story, by its handle, looked up when the step is played."""

    handle: str


@dataclass(frozen=True)
class Later:
    """A value worked out when the step is played, from the stage (its clock and tickets)."""

    compute: Callable[["Stage"], object]


@dataclass
class Step:
    minutes: float  # after the previous step
    service: Callable
    handle: str  # the ticket it acts on (or, for ticket_log, the name it is kept under)
    kwargs: dict


@dataclass
class Story:
    """One ticket's life, or a few linked tickets' lives, as service calls spaced in time."""

    ending: str  # "finished", "resolved" or "open": which stretch of the past it ends in
    business_hours: bool = True
    steps: list[Step] = field(default_factory=list)

    def log(self, handle: str, minutes: float = 0, /, **kwargs) -> None:
        self.steps.append(Step(minutes, services.ticket_log, handle, kwargs))

    def then(self, minutes: float, function: Callable, handle: str = "t", /, **kwargs) -> None:
        self.steps.append(Step(minutes, function, handle, kwargs))

    @property
    def minutes(self) -> float:
        return sum(step.minutes for step in self.steps)


@dataclass
class Plot:
    """What has been decided about one ticket while its story is being written."""

    story: Story
    rng: random.Random
    ending: str  # the status it ends in
    reason: str  # the hold or cancel reason it ends with, if any
    catalog: CatalogLeaf
    subject: data.Subject
    requester: User
    pace: float
    impact: str
    categorised: bool  # when it is logged; triage categorises it otherwise
    reclassify: bool  # logged as an incident, turned into the request it is
    group_key: str  # the group it is with
    worker: User | None = None  # the person working it
    escalate: bool = False
    hold: str = ""

    @property
    def human(self) -> bool:
        return self.requester.username != data.MONITORING.username

    def minutes(self, low: float, high: float) -> float:
        """A delay between `low` and `high` minutes, stretched by the ticket's priority."""
        return self.rng.uniform(low, high) * self.pace


class Stage:
    """Plays the stories together in the order of time, on a travelled clock, remembering each
    story's tickets; before each step the sweep catches up with the checks that came due."""

    def __init__(self, anchor: datetime, traveller):
        self.anchor = anchor
        self.now = anchor
        self.clock = anchor - HORIZON - timedelta(days=30)  # the latest instant written so far
        self.traveller = traveller
        self.tickets: dict[str, Ticket] = {}  # the tickets of the story being played
        self.logged = 0
        self.skipped = 0

    def play(self, placed: list[tuple[datetime, float, Story]]) -> None:
        steps = []
        for n, (start, scale, story) in enumerate(placed):
            at = start
            for i, step in enumerate(story.steps):
                at += timedelta(minutes=step.minutes * scale)
                steps.append((at, n, i, step))
        tickets: dict[int, dict[str, Ticket]] = {}
        for at, n, _i, step in sorted(steps, key=lambda row: row[:3]):
            self.now = at
            self.tickets = tickets.setdefault(n, {})
            self._catch_up()
            self._step(step)
        self.now = self.anchor
        self._catch_up()

    def _step(self, step: Step) -> None:
        kwargs = {name: self._value(value) for name, value in step.kwargs.items()}
        if step.service is services.ticket_log:
            result = services.ticket_log(**kwargs)
            self.logged += 1
        elif step.handle not in self.tickets:
            return
        else:
            try:
                with transaction.atomic():
                    result = step.service(
                        ticket=Ticket.objects.get(pk=self.tickets[step.handle].pk), **kwargs
                    )
            except ServiceError:
                self.skipped += 1
                return
        if isinstance(result, Ticket):
            self.tickets[step.handle] = result

    def _catch_up(self) -> None:
        """Run the sweep at each pending check up to now, in order, as the periodic job would
        have every few seconds: each warning, breach and escalation at its own time. The clock
        never goes back: a check that came due in the past (a shorter target) runs at once, and
        one left due by its own check (a clock at exactly its target) a second later."""
        swept = None
        while (due := due_next(until=self.now)) is not None:
            at = max(due, self.clock)
            if swept is not None and at <= swept:
                at = swept + timedelta(seconds=1)
            if at > self.now:
                break
            self.traveller.move_to(at)
            due_sweep(now=at)
            swept = self.clock = at
        self.clock = max(self.clock, self.now)
        self.traveller.move_to(self.clock)

    def _value(self, value):
        if isinstance(value, Ref):
            return self.tickets[value.handle]
        if isinstance(value, Later):
            return value.compute(self)
        return value


def _auto_close_reason() -> str:
    # The words the auto-close sweep uses, so the history reads as if it had closed them.
    days = settings.SERVICEDESK_AUTO_CLOSE_BUSINESS_DAYS
    return f"closed automatically after {days} business days without an answer"


def demo_tickets_seed(desk: Desk, *, seed: int = SEED) -> int:
    """Write the demo's tickets through the services; returns how many were logged."""
    rng = random.Random(seed)
    anchor = timezone.now().replace(second=0, microsecond=0)
    teller = Teller(desk, rng)
    stories = [teller.single(ending, reason) for ending, reason in ENDINGS]
    stories += [teller.mail_outage(), teller.vpn_degradation(), teller.printer_down()]
    placed = [(*_place(story, anchor, rng), story) for story in stories]
    with time_machine.travel(anchor, tick=False) as traveller:
        stage = Stage(anchor, traveller)
        stage.play(placed)
    return stage.logged


def _place(story: Story, anchor: datetime, rng: random.Random) -> tuple[datetime, float]:
    """When the story starts, and how much its steps are stretched or squeezed to fit."""
    earliest = anchor - HORIZON
    span = timedelta(minutes=story.minutes)
    for _attempt in range(40):
        if story.ending == "finished":
            latest_end = anchor - timedelta(minutes=30)
            room = latest_end - earliest
            scale = min(1.0, 0.9 * room / span) if span else 1.0
            slack = room - span * scale
            start = earliest + slack * rng.random()
        else:
            if story.ending == "resolved":
                # Within the confirmation window, so the auto-close sweep leaves them be.
                end = anchor - timedelta(minutes=rng.uniform(30, 2 * 24 * 60))
            else:
                end = anchor - timedelta(minutes=rng.uniform(10, 4 * 24 * 60))
            scale = min(1.0, (end - earliest) / span) if span else 1.0
            start = end - span * scale
        local = start.astimezone(LOCAL)
        if not story.business_hours or (local.weekday() < 5 and 8 <= local.hour < 18):
            break
    return start, scale


class Teller:
    """Writes stories: picks who, what and how from the desk, with a seeded random source."""

    def __init__(self, desk: Desk, rng: random.Random):
        self.desk = desk
        self.rng = rng
        self.leaves = {c.leaf.name: c for c in desk.leaves}

    # -- choices -------------------------------------------------------------------------------

    def _weighted(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _agent(self, group_key: str) -> User:
        agents = self.desk.members[group_key]
        return self.rng.choices(agents, weights=[3] + [1] * (len(agents) - 1))[0]

    def _manager_or(self, group_key: str, fallback: User) -> User:
        return self.desk.manager_of(group_key) or fallback

    def _requester(self, *, besides: tuple[User, ...] = ()) -> User:
        people = [p for p in self.desk.requesters if p not in besides]
        weights = [5 if p.username == data.REQUESTER_LOGIN.username else 1 for p in people]
        return self.rng.choices(people, weights=weights)[0]

    def _leaf(self) -> CatalogLeaf:
        leaves = self.desk.leaves
        return self.rng.choices(leaves, weights=[c.leaf.weight for c in leaves])[0]

    def _answers(self, catalog: CatalogLeaf) -> dict[int, str]:
        answers = {}
        for question, entry in zip(catalog.questions, catalog.leaf.questions, strict=False):
            if question.answer_type == "yes_no":
                answers[question.pk] = (
                    "yes" if question.required else self.rng.choice(["yes", "no"])
                )
            elif question.answer_type == "choice":
                answers[question.pk] = self.rng.choice(question.choices)
            else:
                answers[question.pk] = self.rng.choice(entry.options or ("Not sure",))
        return answers

    def _reply(self, texts: tuple[str, ...], person: User) -> str:
        return self.rng.choice(texts).format(first=person.first_name)

    def _specialists(self, catalog: CatalogLeaf) -> str:
        return catalog.leaf.default_group or catalog.branch.specialists

    def _tier(self, group_key: str) -> int:
        return self.desk.groups[group_key].tier

    # -- single tickets ------------------------------------------------------------------------

    def single(self, ending: str, reason: str = "", *, catalog=None, subject=None) -> Story:
        """A ticket that ends in `ending` (a status) for `reason` (a hold or cancel reason)."""
        if ending == Status.CANCELLED and reason == CancelReason.DUPLICATE:
            return self._duplicate_pair()
        plot = self._logged(ending, reason, catalog, subject)
        # Each phase writes its steps and says whether the story ends there.
        for phase in (self._first_line, self._escalation, self._waiting, self._resolution):
            if phase(plot):
                break
        return plot.story

    def _logged(self, ending: str, reason: str, catalog, subject) -> Plot:
        """Pick what goes wrong and for whom, and log it through the channel it came in by."""
        rng = self.rng
        needs_a_person = reason in {HoldReason.AWAITING_CALLER, CancelReason.WITHDRAWN}
        while catalog is None or subject is None:
            catalog = self._leaf()
            subject = rng.choice(catalog.leaf.subjects)
            if needs_a_person and subject.alert_item:
                catalog = subject = None
        alert = bool(subject.alert_item)
        channel = Channel.MONITORING if alert else self._weighted(CHANNELS)
        if alert:
            impact, urgency = rng.choice(["high", "medium", "medium"]), "high"
        else:
            impact, urgency = self._weighted(IMPACTS), self._weighted(URGENCIES)
        categorised = alert or channel in {Channel.PHONE, Channel.API} or rng.random() < 0.6
        endings = {Status.CLOSED: "finished", Status.CANCELLED: "finished"}
        plot = Plot(
            story=Story(
                ending=endings.get(ending, "resolved" if ending == Status.RESOLVED else "open"),
                business_hours=not alert,
            ),
            rng=rng,
            ending=ending,
            reason=reason,
            catalog=catalog,
            subject=subject,
            requester=self.desk.monitoring if alert else self._requester(),
            pace=PACE[priority_for(impact, urgency)],
            impact=impact,
            categorised=categorised,
            reclassify=subject.kind == Kind.SERVICE_REQUEST
            and ending not in {Status.NEW, Status.ASSIGNED}
            and rng.random() < 0.15,
            group_key=(catalog.leaf.default_group if categorised else "") or "desk",
        )
        reported_at = None
        if channel == Channel.PHONE:
            plot.worker = self._agent(plot.group_key)
            ago = rng.randint(2, 20)
            reported_at = Later(lambda stage, ago=ago: stage.now - timedelta(minutes=ago))
        plot.story.log(
            "t",
            actor=plot.worker or plot.requester,
            requester=plot.requester,
            kind=Kind.INCIDENT if plot.reclassify else subject.kind,
            title=subject.title,
            description=subject.description,
            category=catalog.category if categorised else None,
            service=catalog.service if categorised else None,
            configuration_item=self.desk.items.get(subject.alert_item),
            impact=impact,
            urgency=urgency,
            channel=channel,
            reported_at=reported_at,
        )
        return plot

    def _first_line(self, plot: Plot) -> bool:
        """The first group takes the ticket, categorises, diagnoses and answers the requester."""
        rng, story, m, requester = plot.rng, plot.story, plot.minutes, plot.requester
        if plot.ending == Status.NEW:
            if plot.human and rng.random() < 0.35:
                body = rng.choice(data.CHASERS)
                story.then(m(30, 300), services.ticket_comment, actor=requester, body=body)
            return True
        if plot.reason == CancelReason.WITHDRAWN and rng.random() < 0.6:
            note = rng.choice(data.WITHDRAW_NOTES)
            story.then(
                m(15, 400),
                services.ticket_cancel,
                actor=requester,
                reason=CancelReason.WITHDRAWN,
                note=note,
            )
            return True
        worker = plot.worker = plot.worker or self._agent(plot.group_key)
        dispatcher = self._manager_or(plot.group_key, worker) if rng.random() < 0.4 else worker
        story.then(m(5, 90), services.ticket_assign, actor=dispatcher, assignee=worker)
        plot.escalate = rng.random() < (
            0.45 if plot.ending in {Status.ASSIGNED, Status.ON_HOLD} else 0.3
        )
        if plot.ending == Status.ASSIGNED and not plot.escalate:
            if plot.human and rng.random() < 0.5:
                body = self._reply(data.FIRST_REPLIES, requester)
                story.then(m(2, 40), services.ticket_comment, actor=worker, body=body)
            return True
        story.then(m(1, 30), services.ticket_start, actor=worker)
        if not plot.categorised:
            story.then(
                m(1, 8),
                services.ticket_update,
                actor=worker,
                category=plot.catalog.category,
                service=plot.catalog.service,
                reason="Categorised at triage.",
            )
        if plot.reclassify:
            why = rng.choice(data.RECLASSIFY_REASONS)
            story.then(
                m(1, 10),
                services.ticket_reclassify,
                actor=worker,
                kind=Kind.SERVICE_REQUEST,
                reason=why,
            )
        if plot.catalog.questions and rng.random() < 0.8:
            answers = self._answers(plot.catalog)
            story.then(m(3, 20), services.ticket_diagnosis_record, actor=worker, answers=answers)
        if plot.human and rng.random() < 0.75:
            body = self._reply(data.FIRST_REPLIES, requester)
            story.then(m(2, 30), services.ticket_comment, actor=worker, body=body)
        if rng.random() < 0.2:
            if plot.impact != "high":
                change = {"impact": "high" if plot.impact == "medium" else "medium"}
                why = rng.choice(data.UPDATE_REASONS[:2])
            else:
                change, why = {"urgency": "low"}, data.UPDATE_REASONS[2]
            story.then(m(5, 60), services.ticket_update, actor=worker, reason=why, **change)
        if plot.ending == Status.CANCELLED:
            if plot.reason == CancelReason.WITHDRAWN:
                actor, note = requester, rng.choice(data.WITHDRAW_NOTES)
            else:
                actor, note = worker, rng.choice(data.NOT_AN_INCIDENT_NOTES)
            story.then(
                m(10, 600), services.ticket_cancel, actor=actor, reason=plot.reason, note=note
            )
            return True
        if rng.random() < 0.4:
            body = rng.choice(data.INTERNAL_NOTES)
            story.then(m(5, 120), services.ticket_comment, actor=worker, body=body, public=False)
        return False

    def _escalation(self, plot: Plot) -> bool:
        """L1 to the specialists, sometimes back down with a known fix or on to engineering."""
        if not plot.escalate:
            return False
        rng, story, m = plot.rng, plot.story, plot.minutes
        from_key = plot.group_key
        to_key = self._specialists(plot.catalog) if self._tier(from_key) == 1 else "engineering"
        reasons = data.ESCALATION_REASONS if self._tier(to_key) == 2 else data.ENGINEERING_REASONS
        story.then(
            m(10, 120),
            services.ticket_escalate,
            actor=plot.worker,
            to_group=self.desk.groups[to_key],
            reason=rng.choice(reasons),
        )
        plot.group_key = to_key
        if plot.ending == Status.ASSIGNED:
            if rng.random() < 0.5:
                specialist = self._agent(to_key)
                manager = self._manager_or(to_key, specialist)
                story.then(m(10, 120), services.ticket_assign, actor=manager, assignee=specialist)
            return True
        worker = plot.worker = self._agent(to_key)
        story.then(m(15, 240), services.ticket_start, actor=worker)
        if rng.random() < 0.6:
            body = rng.choice(data.SPECIALIST_NOTES)
            story.then(m(10, 240), services.ticket_comment, actor=worker, body=body, public=False)
        if self._tier(to_key) == 2 and from_key == "desk" and rng.random() < 0.12:
            story.then(
                m(30, 300),
                services.ticket_de_escalate,
                actor=worker,
                to_group=self.desk.groups["desk"],
                reason="Known fix (KB-0201): the service desk can apply it with the user.",
            )
            plot.group_key, plot.worker = "desk", self._agent("desk")
            story.then(m(10, 120), services.ticket_start, actor=plot.worker)
        elif self._tier(to_key) == 2 and rng.random() < 0.3:
            story.then(
                m(60, 600),
                services.ticket_escalate,
                actor=worker,
                to_group=self.desk.groups["engineering"],
                reason=rng.choice(data.ENGINEERING_REASONS),
            )
            plot.group_key, plot.worker = "engineering", self._agent("engineering")
            body = rng.choice(data.SPECIALIST_NOTES)
            story.then(m(30, 300), services.ticket_start, actor=plot.worker)
            story.then(
                m(30, 600), services.ticket_comment, actor=plot.worker, body=body, public=False
            )
        return False

    def _waiting(self, plot: Plot) -> bool:
        """On hold for the caller, a vendor or a change; an in-progress story ends here."""
        rng, story, m, worker = plot.rng, plot.story, plot.minutes, plot.worker
        if plot.ending == Status.ON_HOLD or rng.random() < 0.2:
            if plot.human:
                plot.hold = plot.reason or rng.choice(HoldReason.values)
            else:
                plot.hold = rng.choice([HoldReason.AWAITING_VENDOR, HoldReason.AWAITING_CHANGE])
            note = rng.choice(data.HOLD_NOTES[plot.hold])
            story.then(m(20, 240), services.ticket_hold, actor=worker, reason=plot.hold, note=note)
            if plot.ending == Status.ON_HOLD:
                return True
            if plot.hold == HoldReason.AWAITING_CALLER:
                body = rng.choice(data.CALLER_REPLIES)
                story.then(m(60, 1200), services.ticket_comment, actor=plot.requester, body=body)
            else:
                story.then(m(600, 3000), services.ticket_resume, actor=worker)
        if plot.ending == Status.IN_PROGRESS:
            if plot.human and rng.random() < 0.4:
                body = rng.choice(data.CHASERS)
                story.then(m(120, 1440), services.ticket_comment, actor=plot.requester, body=body)
            if rng.random() < 0.3 and self.desk.manager_of(plot.group_key):
                why = rng.choice(data.MANAGER_REASONS)
                story.then(
                    m(10, 120), services.ticket_escalate_to_manager, actor=worker, reason=why
                )
            return True
        return False

    def _resolution(self, plot: Plot) -> bool:
        """Resolved, perhaps reopened once, then confirmed, closed by the agent or by the sweep."""
        rng, story, m = plot.rng, plot.story, plot.minutes
        worker, requester = plot.worker, plot.requester
        fix = plot.subject.fix
        if plot.subject.kind == Kind.SERVICE_REQUEST:
            resolve = {"resolution_code": "fulfilled", "service_restored": None}
        elif plot.hold == HoldReason.AWAITING_VENDOR:
            resolve = {"resolution_code": "vendor_fix", "service_restored": True}
        else:
            resolve = {"resolution_code": self._weighted(INCIDENT_CODES), "service_restored": True}
        story.then(
            m(30, 900), services.ticket_resolve, actor=worker, resolution_notes=fix, **resolve
        )
        if plot.ending == Status.RESOLVED:
            return True
        if plot.human and rng.random() < 0.1:
            why = rng.choice(data.REOPEN_REASONS)
            sorry = f"Sorry about that, {requester.first_name}. I'm looking at it again now."
            again = f"{fix} Checked again together with the requester."
            story.then(m(60, 1440), services.ticket_reopen, actor=requester, reason=why)
            story.then(m(10, 120), services.ticket_comment, actor=worker, body=sorry)
            story.then(
                m(60, 900), services.ticket_resolve, actor=worker, resolution_notes=again, **resolve
            )
        close = rng.random()
        if plot.human and close < 0.5:
            if rng.random() < 0.5:
                body = rng.choice(data.THANKS)
                story.then(m(10, 600), services.ticket_comment, actor=requester, body=body)
            story.then(m(5, 600), services.ticket_confirm, actor=requester)
        elif close < 0.75:
            why = _auto_close_reason()
            story.then(AUTO_CLOSE_MINUTES, services.ticket_close, actor=None, reason=why)
        else:
            why = "Confirmed with the requester by phone."
            story.then(m(60, 1440), services.ticket_close, actor=worker, reason=why)
        return True

    def _duplicate_pair(self) -> Story:
        """The same trouble reported twice: the second report is cancelled as a duplicate."""
        rng = self.rng
        catalog = self._leaf()
        subject = rng.choice([s for s in catalog.leaf.subjects if not s.alert_item])
        ending = rng.choice([Status.CLOSED, Status.CLOSED, Status.RESOLVED, Status.IN_PROGRESS])
        story = self.single(ending, catalog=catalog, subject=subject)
        original_requester = story.steps[0].kwargs["requester"]
        second = self._requester(besides=(original_requester,))
        agent = self._agent(catalog.leaf.default_group or "desk")
        logged = Step(
            rng.uniform(10, 120),
            services.ticket_log,
            "dup",
            {
                "actor": second,
                "requester": second,
                "kind": subject.kind,
                "title": subject.title,
                "description": subject.description,
                "category": catalog.category,
                "service": catalog.service,
                "channel": rng.choice([Channel.PORTAL, Channel.EMAIL]),
            },
        )
        cancelled = Step(
            rng.uniform(5, 60),
            services.ticket_cancel,
            "dup",
            {
                "actor": agent,
                "reason": CancelReason.DUPLICATE,
                "duplicate_of": Ref("t"),
                "note": Later(
                    lambda stage: (
                        f"This is already being handled as {stage.tickets['t'].number}; "
                        "we'll keep you updated there."
                    )
                ),
            },
        )
        story.steps[1:1] = [logged, cancelled]
        return story

    # -- linked tickets: a parent with its children --------------------------------------------

    def _children(self, story: Story, titles: list[str], catalog: CatalogLeaf, parent: str = "p"):
        """Requesters report the same trouble; the L1 agent links each report to the parent."""
        rng = self.rng
        linker = self.desk.members["desk"][0]
        chosen: list[User] = []
        handles = []
        for n, title in enumerate(titles, start=1):
            person = self._requester(besides=tuple(chosen))
            chosen.append(person)
            channel = [Channel.PHONE, Channel.PORTAL, Channel.EMAIL, Channel.PORTAL][n % 4]
            handle = f"c{n}"
            story.log(
                handle,
                rng.uniform(3, 20),
                actor=linker if channel == Channel.PHONE else person,
                requester=person,
                title=title,
                category=catalog.category if channel != Channel.EMAIL else None,
                service=catalog.service if channel != Channel.EMAIL else None,
                impact="medium",
                urgency="high",
                channel=channel,
            )
            handles.append((handle, person))
        for handle, _person in handles:
            story.then(
                rng.uniform(1, 5),
                services.ticket_set_parent,
                handle,
                actor=linker,
                parent=Ref(parent),
            )
            story.then(
                rng.uniform(1, 3),
                services.ticket_comment,
                handle,
                actor=linker,
                body=Later(
                    lambda stage, parent=parent: (
                        "Thanks for letting us know. This is a known "
                        f"problem tracked in {stage.tickets[parent].number}; we'll update you here."
                    )
                ),
            )
        return handles, linker

    def mail_outage(self) -> Story:
        """A P1 mail outage: alert, four user reports, L1 → Applications → Engineering, closed."""
        rng = self.rng
        catalog = self.leaves["Cannot send or receive"]
        alert = next(s for s in catalog.leaf.subjects if s.alert_item)
        story = Story(ending="finished", business_hours=True)
        monitor = self.desk.monitoring
        story.log(
            "p",
            actor=monitor,
            requester=monitor,
            title=alert.title,
            description=alert.description,
            category=catalog.category,
            service=catalog.service,
            configuration_item=self.desk.items[alert.alert_item],
            impact="high",
            urgency="high",
            channel=Channel.MONITORING,
        )
        children, l1 = self._children(
            story,
            [
                "Emails not going out",
                "Customers say they get no replies from us",
                "Outlook: messages stuck in the Outbox",
                "Cannot send the daily shipping report",
            ],
            catalog,
        )
        story.then(2, services.ticket_assign, "p", actor=l1, assignee=l1)
        story.then(1, services.ticket_start, "p", actor=l1)
        story.then(
            2,
            services.ticket_update,
            "p",
            actor=l1,
            is_major=True,
            reason="Nobody can send mail: major incident.",
        )
        story.then(
            4,
            services.ticket_escalate_to_manager,
            "p",
            actor=l1,
            reason="Company-wide mail outage; informing the duty manager.",
        )
        story.then(
            3,
            services.ticket_escalate,
            "p",
            actor=l1,
            to_group=self.desk.groups["apps"],
            reason="Outbound mail stopped for everyone; the gateway needs the mail admins.",
        )
        apps = self.desk.members["apps"][0]
        story.then(6, services.ticket_start, "p", actor=apps)
        story.then(
            12,
            services.ticket_comment,
            "p",
            actor=apps,
            body="Gateway rejects the relay: certificate on mx-01 expired at 08:00.",
            public=False,
        )
        story.then(
            4,
            services.ticket_escalate,
            "p",
            actor=apps,
            to_group=self.desk.groups["engineering"],
            reason="Certificate is deployed by the platform pipeline; needs engineering.",
        )
        eng = self.desk.members["engineering"][0]
        story.then(5, services.ticket_start, "p", actor=eng)
        story.then(
            35,
            services.ticket_comment,
            "p",
            actor=eng,
            body="New certificate deployed; queue draining (480 → 30 messages).",
            public=False,
        )
        story.then(
            20,
            services.ticket_resolve,
            "p",
            actor=eng,
            resolution_code="solved_permanently",
            resolution_notes=alert.fix + " Renewal is now monitored 30 days ahead.",
            service_restored=True,
        )
        for n, (handle, person) in enumerate(children):
            if n < 2:
                story.then(rng.uniform(20, 240), services.ticket_confirm, handle, actor=person)
        story.then(
            24 * 60, services.ticket_close, "p", actor=eng, reason="Post-incident review done."
        )
        # The reports nobody confirmed close by themselves, all in the same sweep.
        for n, (handle, _person) in enumerate(children[2:]):
            wait = 2 * 24 * 60 if n == 0 else 0.5
            story.then(wait, services.ticket_close, handle, actor=None, reason=_auto_close_reason())
        return story

    def vpn_degradation(self) -> Story:
        """A P2 VPN problem still being worked: alert, three reports, with the Network team."""
        catalog = self.leaves["VPN"]
        alert = next(s for s in catalog.leaf.subjects if s.alert_item)
        story = Story(ending="open", business_hours=True)
        monitor = self.desk.monitoring
        story.log(
            "p",
            actor=monitor,
            requester=monitor,
            title=alert.title,
            description=alert.description,
            category=catalog.category,
            service=catalog.service,
            configuration_item=self.desk.items[alert.alert_item],
            impact="high",
            urgency="medium",
            channel=Channel.MONITORING,
        )
        children, l1 = self._children(
            story,
            ["VPN keeps dropping", "Cannot reach the ERP from home", "VPN very slow today"],
            catalog,
        )
        story.then(2, services.ticket_assign, "c1", actor=l1, assignee=l1)
        story.then(3, services.ticket_start, "p", actor=l1)
        story.then(
            5,
            services.ticket_escalate,
            "p",
            actor=l1,
            to_group=self.desk.groups["network"],
            reason="Gateway-side problem: tunnel count dropping for all users.",
        )
        network = self.desk.members["network"][0]
        story.then(15, services.ticket_start, "p", actor=network)
        story.then(
            40,
            services.ticket_comment,
            "p",
            actor=network,
            body="Node B of the cluster rejoined after the firmware update but drops IKE "
            "sessions. Case opened with the vendor; failing over to node A tonight.",
            public=False,
        )
        return story

    def printer_down(self) -> Story:
        """A floor printer down for everyone: a parent, two reports, a vendor visit, resolved."""
        catalog = self.leaves["Printer not printing"]
        story = Story(ending="resolved", business_hours=True)
        caller = self._requester()
        l1 = self._agent("desk")
        story.log(
            "p",
            actor=l1,
            requester=caller,
            title="Printer PRN-F3-01 offline for the whole floor",
            description="Nobody on floor 3 can print; the display shows error 59.F0.",
            category=catalog.category,
            service=catalog.service,
            configuration_item=self.desk.items["PRN-F3-01"],
            impact="medium",
            urgency="medium",
            channel=Channel.PHONE,
        )
        self._children(story, ["Cannot print on floor 3", "Printer not working"], catalog)
        story.then(5, services.ticket_assign, "p", actor=l1, assignee=l1)
        story.then(2, services.ticket_start, "p", actor=l1)
        story.then(
            30,
            services.ticket_escalate,
            "p",
            actor=l1,
            to_group=self.desk.groups["workplace"],
            reason="Hardware error 59.F0 after a power cycle: needs the printer team.",
        )
        workplace = self.desk.members["workplace"][0]
        story.then(40, services.ticket_start, "p", actor=workplace)
        story.then(
            20,
            services.ticket_hold,
            "p",
            actor=workplace,
            reason=HoldReason.AWAITING_VENDOR,
            note="Fuser unit failed; the vendor's technician comes tomorrow morning. Please "
            "use PRN-F5-02 on floor 5 meanwhile.",
        )
        story.then(20 * 60, services.ticket_resume, "p", actor=workplace)
        story.then(
            90,
            services.ticket_resolve,
            "p",
            actor=workplace,
            resolution_code="vendor_fix",
            resolution_notes="Fuser unit replaced by the vendor; test pages fine.",
            service_restored=True,
        )
        return story
