"""The demo's tickets, each told through the real services on a clock that runs in the past.

A story is a list of service calls spaced out in minutes: "the requester logs it; 20 minutes later
the L1 agent takes it; …". Stories are written first, then placed in the last 30 days so that
their last step falls where their ending belongs (closed ones anywhere, resolved ones within the
reopen window, open ones recently), then played in order of their start with
`django.utils.timezone.now` patched to the story's clock. The services therefore write the
numbers, timeline, tier stints and outbox exactly as they would have at that time.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

from servicedesk.accounts.models import User
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
AUTO_CLOSE_MINUTES = 3 * 24 * 60
AUTO_CLOSE_REASON = "Closed automatically: no reply within 3 days of the resolution."

# How the single tickets end; clusters and the originals of duplicates come on top.
ENDINGS = (
    [(Status.NEW, "")] * 16
    + [(Status.ASSIGNED, "")] * 16
    + [(Status.IN_PROGRESS, "")] * 24
    + [(Status.ON_HOLD, reason) for reason in HoldReason.values] * 6
    + [(Status.RESOLVED, "")] * 22
    + [(Status.CLOSED, "")] * 95
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


class Stage:
    """Plays stories: owns the fake clock and remembers the tickets logged so far."""

    def __init__(self, anchor: datetime):
        self.anchor = anchor
        self.now = anchor
        self.tickets: dict[str, Ticket] = {}
        self.logged = 0

    def clock(self) -> datetime:
        return self.now

    def play(self, story: Story, start: datetime, scale: float) -> None:
        self.tickets = {}
        self.now = start
        for step in story.steps:
            self.now += timedelta(minutes=step.minutes * scale)
            kwargs = {name: self._value(value) for name, value in step.kwargs.items()}
            if step.service is services.ticket_log:
                result = services.ticket_log(**kwargs)
                self.logged += 1
            else:
                result = step.service(ticket=self.tickets[step.handle], **kwargs)
            if isinstance(result, Ticket):
                self.tickets[step.handle] = result

    def _value(self, value):
        if isinstance(value, Ref):
            return self.tickets[value.handle]
        if isinstance(value, Later):
            return value.compute(self)
        return value


def demo_tickets_seed(desk: Desk, *, seed: int = SEED) -> int:
    """Write the demo's tickets through the services; returns how many were logged."""
    rng = random.Random(seed)
    anchor = timezone.now().replace(second=0, microsecond=0)
    teller = Teller(desk, rng)
    stories = [teller.single(ending, reason) for ending, reason in ENDINGS]
    stories += [teller.mail_outage(), teller.vpn_degradation(), teller.printer_down()]
    placed = sorted(
        ((*_place(story, anchor, rng), n, story) for n, story in enumerate(stories)),
        key=lambda row: (row[0], row[2]),
    )
    stage = Stage(anchor)
    with mock.patch("django.utils.timezone.now", stage.clock):
        for start, scale, _n, story in placed:
            stage.play(story, start, scale)
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
                end = anchor - timedelta(minutes=rng.uniform(30, 6 * 24 * 60))
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
        rng = self.rng
        needs_a_person = reason in {HoldReason.AWAITING_CALLER, CancelReason.WITHDRAWN}
        while catalog is None or subject is None:
            catalog = self._leaf()
            subject = rng.choice(catalog.leaf.subjects)
            if needs_a_person and subject.alert_item:
                catalog = subject = None
        alert = bool(subject.alert_item)
        requester = self.desk.monitoring if alert else self._requester()
        human = not alert
        channel = Channel.MONITORING if alert else self._weighted(CHANNELS)
        reclassify = (
            subject.kind == Kind.SERVICE_REQUEST
            and ending not in {Status.NEW, Status.ASSIGNED}
            and rng.random() < 0.15
        )
        categorised = alert or channel in {Channel.PHONE, Channel.API} or rng.random() < 0.6
        if alert:
            impact, urgency = rng.choice(["high", "medium"]), "high"
        else:
            impact, urgency = self._weighted(IMPACTS), self._weighted(URGENCIES)
        pace = PACE[priority_for(impact, urgency)]

        def m(low: float, high: float) -> float:
            return rng.uniform(low, high) * pace

        final = {Status.CLOSED: "finished", Status.CANCELLED: "finished"}
        story = Story(
            ending=final.get(ending, "resolved" if ending == Status.RESOLVED else "open"),
            business_hours=human,
        )
        first_key = (catalog.leaf.default_group if categorised else "") or "desk"
        phone_agent = self._agent(first_key) if channel == Channel.PHONE else None
        reported_at = None
        if phone_agent is not None:
            ago = rng.randint(2, 20)
            reported_at = Later(lambda stage, ago=ago: stage.now - timedelta(minutes=ago))
        story.log(
            "t",
            actor=phone_agent or requester,
            requester=requester,
            kind=Kind.INCIDENT if reclassify else subject.kind,
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
        if ending == Status.NEW:
            if human and rng.random() < 0.35:
                story.then(
                    m(30, 300),
                    services.ticket_comment,
                    actor=requester,
                    body=rng.choice(data.CHASERS),
                )
            return story
        if reason == CancelReason.WITHDRAWN and rng.random() < 0.6:
            story.then(
                m(15, 400),
                services.ticket_cancel,
                actor=requester,
                reason=CancelReason.WITHDRAWN,
                note=rng.choice(data.WITHDRAW_NOTES),
            )
            return story

        # The first group takes it.
        group_key = first_key
        worker = phone_agent or self._agent(group_key)
        dispatcher = self._manager_or(group_key, worker) if rng.random() < 0.4 else worker
        story.then(m(5, 90), services.ticket_assign, actor=dispatcher, assignee=worker)
        escalate = rng.random() < (0.45 if ending in {Status.ASSIGNED, Status.ON_HOLD} else 0.3)
        if ending == Status.ASSIGNED and not escalate:
            if human and rng.random() < 0.5:
                story.then(
                    m(2, 40),
                    services.ticket_comment,
                    actor=worker,
                    body=self._reply(data.FIRST_REPLIES, requester),
                )
            return story
        story.then(m(1, 30), services.ticket_start, actor=worker)
        if not categorised:
            story.then(
                m(1, 8),
                services.ticket_update,
                actor=worker,
                category=catalog.category,
                service=catalog.service,
                reason="Categorised at triage.",
            )
        if reclassify:
            story.then(
                m(1, 10),
                services.ticket_reclassify,
                actor=worker,
                kind=Kind.SERVICE_REQUEST,
                reason=rng.choice(data.RECLASSIFY_REASONS),
            )
        if catalog.questions and rng.random() < 0.8:
            story.then(
                m(3, 20),
                services.ticket_diagnosis_record,
                actor=worker,
                answers=self._answers(catalog),
            )
        if human and rng.random() < 0.75:
            story.then(
                m(2, 30),
                services.ticket_comment,
                actor=worker,
                body=self._reply(data.FIRST_REPLIES, requester),
            )
        if rng.random() < 0.2:
            if impact != "high":
                change = {"impact": "high" if impact == "medium" else "medium"}
                why = rng.choice(data.UPDATE_REASONS[:2])
            else:
                change, why = {"urgency": "low"}, data.UPDATE_REASONS[2]
            story.then(m(5, 60), services.ticket_update, actor=worker, reason=why, **change)
        if ending == Status.CANCELLED:
            if reason == CancelReason.WITHDRAWN:
                story.then(
                    m(30, 600),
                    services.ticket_cancel,
                    actor=requester,
                    reason=reason,
                    note=rng.choice(data.WITHDRAW_NOTES),
                )
            else:
                story.then(
                    m(10, 120),
                    services.ticket_cancel,
                    actor=worker,
                    reason=reason,
                    note=rng.choice(data.NOT_AN_INCIDENT_NOTES),
                )
            return story
        if rng.random() < 0.4:
            story.then(
                m(5, 120),
                services.ticket_comment,
                actor=worker,
                body=rng.choice(data.INTERNAL_NOTES),
                public=False,
            )

        # Escalation: L1 to the specialists, sometimes on to engineering.
        if escalate:
            to_key = self._specialists(catalog) if self._tier(group_key) == 1 else "engineering"
            reasons = (
                data.ESCALATION_REASONS if self._tier(to_key) == 2 else data.ENGINEERING_REASONS
            )
            story.then(
                m(10, 120),
                services.ticket_escalate,
                actor=worker,
                to_group=self.desk.groups[to_key],
                reason=rng.choice(reasons),
            )
            from_key, group_key = group_key, to_key
            if ending == Status.ASSIGNED:
                if rng.random() < 0.5:
                    manager = self._manager_or(group_key, self._agent(group_key))
                    story.then(
                        m(10, 120),
                        services.ticket_assign,
                        actor=manager,
                        assignee=self._agent(group_key),
                    )
                return story
            worker = self._agent(group_key)
            story.then(m(15, 240), services.ticket_start, actor=worker)
            if rng.random() < 0.6:
                story.then(
                    m(10, 240),
                    services.ticket_comment,
                    actor=worker,
                    body=rng.choice(data.SPECIALIST_NOTES),
                    public=False,
                )
            if self._tier(group_key) == 2 and from_key == "desk" and rng.random() < 0.12:
                story.then(
                    m(30, 300),
                    services.ticket_de_escalate,
                    actor=worker,
                    to_group=self.desk.groups["desk"],
                    reason="Known fix (KB-0201): the service desk can apply it with the user.",
                )
                group_key, worker = "desk", self._agent("desk")
                story.then(m(10, 120), services.ticket_start, actor=worker)
            elif self._tier(group_key) == 2 and rng.random() < 0.3:
                story.then(
                    m(60, 600),
                    services.ticket_escalate,
                    actor=worker,
                    to_group=self.desk.groups["engineering"],
                    reason=rng.choice(data.ENGINEERING_REASONS),
                )
                group_key = "engineering"
                worker = self._agent(group_key)
                story.then(m(30, 300), services.ticket_start, actor=worker)
                story.then(
                    m(30, 600),
                    services.ticket_comment,
                    actor=worker,
                    body=rng.choice(data.SPECIALIST_NOTES),
                    public=False,
                )

        # Waiting on someone.
        hold = ""
        if ending == Status.ON_HOLD or rng.random() < 0.2:
            hold = reason or rng.choice(
                HoldReason.values
                if human
                else [HoldReason.AWAITING_VENDOR, HoldReason.AWAITING_CHANGE]
            )
            story.then(
                m(20, 240),
                services.ticket_hold,
                actor=worker,
                reason=hold,
                note=rng.choice(data.HOLD_NOTES[hold]),
            )
            if ending == Status.ON_HOLD:
                return story
            if hold == HoldReason.AWAITING_CALLER:
                story.then(
                    m(60, 1200),
                    services.ticket_comment,
                    actor=requester,
                    body=rng.choice(data.CALLER_REPLIES),
                )
            else:
                story.then(m(600, 3000), services.ticket_resume, actor=worker)
        if ending == Status.IN_PROGRESS:
            if human and rng.random() < 0.4:
                story.then(
                    m(120, 1440),
                    services.ticket_comment,
                    actor=requester,
                    body=rng.choice(data.CHASERS),
                )
            if rng.random() < 0.3 and self.desk.manager_of(group_key):
                story.then(
                    m(10, 120),
                    services.ticket_escalate_to_manager,
                    actor=worker,
                    reason=rng.choice(data.MANAGER_REASONS),
                )
            return story

        # Resolution, perhaps a reopen, and closure.
        kind = subject.kind
        if kind == Kind.INCIDENT:
            code = (
                "vendor_fix"
                if hold == HoldReason.AWAITING_VENDOR
                else self._weighted(INCIDENT_CODES)
            )
        else:
            code = "fulfilled"
        restored = True if kind == Kind.INCIDENT else None
        resolve = {"resolution_code": code, "service_restored": restored}
        story.then(
            m(30, 900),
            services.ticket_resolve,
            actor=worker,
            resolution_notes=subject.fix,
            **resolve,
        )
        if ending == Status.RESOLVED:
            return story
        if human and rng.random() < 0.1:
            story.then(
                m(60, 1440),
                services.ticket_reopen,
                actor=requester,
                reason=rng.choice(data.REOPEN_REASONS),
            )
            story.then(
                m(10, 120),
                services.ticket_comment,
                actor=worker,
                body=f"Sorry about that, {requester.first_name}. I'm looking at it again now.",
            )
            story.then(
                m(60, 900),
                services.ticket_resolve,
                actor=worker,
                resolution_notes=f"{subject.fix} Checked again together with the requester.",
                **resolve,
            )
        close = rng.random()
        if human and close < 0.5:
            if rng.random() < 0.5:
                story.then(
                    m(10, 600),
                    services.ticket_comment,
                    actor=requester,
                    body=rng.choice(data.THANKS),
                )
            story.then(m(5, 600), services.ticket_confirm, actor=requester)
        elif close < 0.75:
            story.then(
                AUTO_CLOSE_MINUTES, services.ticket_close, actor=None, reason=AUTO_CLOSE_REASON
            )
        else:
            story.then(
                m(60, 1440),
                services.ticket_close,
                actor=worker,
                reason="Confirmed with the requester by phone.",
            )
        return story

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
            story.then(wait, services.ticket_close, handle, actor=None, reason=AUTO_CLOSE_REASON)
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
