"""Reads of the on-call app: who is on call, the shifts of a schedule or a person, pages."""

from datetime import datetime, time

from django.db.models import Prefetch

from servicedesk.accounts.models import User
from servicedesk.oncall import schedules
from servicedesk.oncall.models import (
    CalendarFeed,
    Escalation,
    EscalationPolicy,
    LayerParticipant,
    Page,
    Schedule,
    ScheduleLayer,
    ScheduleOverride,
)


def _restriction(raw: dict) -> schedules.Restriction:
    return schedules.Restriction(
        weekdays=frozenset(int(d) for d in raw.get("weekdays", range(7))),
        start=time.fromisoformat(raw.get("start", "00:00")),
        end=time.fromisoformat(raw.get("end", "00:00")),
    )


def schedules_with_plan():
    """Schedules with what their plan needs, in three queries for any number of them."""
    participants = LayerParticipant.objects.order_by("position", "pk")
    return Schedule.objects.prefetch_related(
        Prefetch(
            "layers",
            queryset=ScheduleLayer.objects.prefetch_related(
                Prefetch("participants", queryset=participants)
            ),
        ),
        "overrides",
    )


def schedule_plan(schedule: Schedule) -> schedules.Plan:
    """The pure plan of a schedule (people by id), for the functions of `schedules`."""
    layers = tuple(
        schedules.Layer(
            participants=tuple(p.person_id for p in layer.participants.all()),
            start=layer.start,
            handoff=layer.handoff,
            length_days=layer.days,
            restrictions=tuple(_restriction(r) for r in layer.restrictions or ()),
            level=layer.level,
            name=layer.name,
        )
        for layer in schedule.layers.all()
    )
    overrides = tuple(
        schedules.Override(o.person_id, o.start, o.end) for o in schedule.overrides.all()
    )
    return schedules.Plan(schedule.time_zone, layers, overrides)


def _people(ids) -> dict[int, User]:
    return User.objects.in_bulk([i for i in ids if i is not None])


def oncall_at(*, schedule: Schedule, at: datetime) -> User | None:
    """The person on call for `schedule` at the instant `at`, or None."""
    person_id, _source = schedules.on_call_at(schedule_plan(schedule), at)
    return _people([person_id]).get(person_id) if person_id else None


def schedule_shifts(*, schedule: Schedule, start: datetime, end: datetime) -> list[dict]:
    """The shifts of `schedule` between `start` and `end`: person, start, end, source."""
    found = schedules.shifts(schedule_plan(schedule), start, end)
    people = _people({s.person for s in found})
    return [
        {
            "schedule": schedule,
            "person": people.get(s.person),
            "start": s.start,
            "end": s.end,
            "source": s.source,
        }
        for s in found
    ]


def person_shifts(*, person: User, start: datetime, end: datetime) -> list[dict]:
    """Every shift of `person` between `start` and `end`, over all schedules, by start."""
    out = []
    for schedule in schedules_with_plan():
        plan = schedule_plan(schedule)
        for s in schedules.shifts(plan, start, end):
            if s.person == person.pk:
                out.append(
                    {
                        "schedule": schedule,
                        "person": person,
                        "start": s.start,
                        "end": s.end,
                        "source": s.source,
                    }
                )
    return sorted(out, key=lambda s: (s["start"], s["schedule"].pk))


def schedules_for(user):
    return schedules_with_plan().visible_to(user).order_by("name")


def policies_for(user):
    return (
        EscalationPolicy.objects.visible_to(user)
        .select_related("support_group", "service")
        .prefetch_related("levels__people", "levels__schedules", "levels__groups")
        .order_by("name")
    )


def pages_for(*, user, person: User | None = None, open_only: bool = False):
    pages = Page.objects.visible_to(user).select_related("ticket", "person", "escalation")
    if person is not None:
        pages = pages.filter(person=person)
    if open_only:
        pages = pages.filter(escalation__state=Escalation.State.ACTIVE, used_at__isnull=True)
    return pages.order_by("-created_at", "-pk")


def escalations_for_ticket(*, ticket):
    return Escalation.objects.filter(ticket=ticket).order_by("-started_at")


def feed_by_token(*, token: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("person").filter(token=token).first()


def overrides_ahead(*, schedule: Schedule, now: datetime):
    """The schedule's overrides that are not over yet, soonest first."""
    return (
        ScheduleOverride.objects.filter(schedule=schedule, end__gt=now)
        .select_related("person")
        .order_by("start", "pk")
    )
