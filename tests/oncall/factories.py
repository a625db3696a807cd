from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from servicedesk.oncall.models import (
    LayerParticipant,
    Rotation,
    Schedule,
    ScheduleLayer,
    ScheduleOverride,
)

BUCHAREST = ZoneInfo("Europe/Bucharest")
NIGHTS_AND_WEEKENDS = [
    {"weekdays": [0, 1, 2, 3, 4, 5, 6], "start": "18:00", "end": "09:00"},
    {"weekdays": [5, 6], "start": "00:00", "end": "00:00"},
]


def layer_add(schedule, people, *, name, level, start, handoff, rotation=Rotation.WEEKLY, **kw):
    layer = ScheduleLayer.objects.create(
        schedule=schedule,
        name=name,
        level=level,
        rotation=rotation,
        start=start,
        handoff=handoff,
        **kw,
    )
    for position, person in enumerate(people):
        LayerParticipant.objects.create(layer=layer, person=person, position=position)
    return layer


def schedule_bucharest(*, weekly, nights, override=None, name="L3 Engineering"):
    """Weekly rotation handing over on Monday 09:00 Bucharest time; a night and weekend layer
    above it handing over daily at 18:00; an override (person, local start, local end)."""
    schedule = Schedule.objects.create(name=name, time_zone="Europe/Bucharest")
    layer_add(
        schedule,
        weekly,
        name="Weekly",
        level=1,
        start=date(2026, 2, 2),
        handoff=time(9, 0),
    )
    layer_add(
        schedule,
        nights,
        name="Nights and weekends",
        level=2,
        start=date(2026, 2, 2),
        handoff=time(18, 0),
        rotation=Rotation.DAILY,
        restrictions=NIGHTS_AND_WEEKENDS,
    )
    if override:
        person, start, end = override
        ScheduleOverride.objects.create(
            schedule=schedule,
            person=person,
            start=start.replace(tzinfo=BUCHAREST),
            end=end.replace(tzinfo=BUCHAREST),
        )
    return schedule


def local(*args) -> datetime:
    return datetime(*args, tzinfo=BUCHAREST)


def policy_create(*, name, levels, repeat=0, group=None, service=None, priorities=()):
    """levels: [(delay_minutes, {"people": [...], "schedules": [...], "groups": [...]}), ...]"""
    from servicedesk.oncall.models import EscalationLevel, EscalationPolicy

    policy = EscalationPolicy.objects.create(
        name=name,
        repeat=repeat,
        support_group=group,
        service=service,
        priorities=list(priorities),
    )
    for position, (delay, targets) in enumerate(levels):
        level = EscalationLevel.objects.create(
            policy=policy, position=position, delay_minutes=delay
        )
        level.people.set(targets.get("people", []))
        level.schedules.set(targets.get("schedules", []))
        level.groups.set(targets.get("groups", []))
    return policy
