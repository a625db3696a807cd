"""Writing the timeline. Every service that changes a ticket calls exactly one of these.

Apps above the tickets layer react to what happens to a ticket by observing its timeline:
`event_observer_register(types, fn)` in `AppConfig.ready()`, and `fn(event)` runs for each row of
those types right after it is written, inside the writer's transaction. So what an observer writes
commits or rolls back with the change it reacts to; an observer keeps to a few quick writes and
hands slow work to `notify()` or a job. It must not raise for a ticket it does not care about.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.utils import translation

from servicedesk.core.i18n import SOURCE_LANGUAGE
from servicedesk.tickets.models import Ticket, TicketEvent

T = TicketEvent.Type

Observer = Callable[[TicketEvent], None]
_observers: dict[str, list[Observer]] = {}


def event_observer_register(types: Iterable[str], fn: Observer) -> None:
    """Call `fn(event)` after each timeline row of one of `types` is written."""
    for type_ in types:
        if type_ not in T.values:
            raise ValueError(f"{type_!r} is not a timeline event type.")
        if fn not in _observers.setdefault(type_, []):
            _observers[type_].append(fn)


def event_observer_unregister(fn: Observer) -> None:
    """Take an observer out (for tests that register their own)."""
    for observers in _observers.values():
        if fn in observers:
            observers.remove(fn)


def _kept(data: dict) -> dict:
    """What a row keeps of its data: the values that say something."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def _observe(event: TicketEvent) -> None:
    for observer in _observers.get(event.type, ()):
        observer(event)


def _write(ticket: Ticket, type_: str, actor, at: datetime, /, *, public=False, body="", **data):
    # Positional-only, so a data key may be called "ticket" (the other ticket of a link).
    event = TicketEvent.objects.create(
        ticket=ticket,
        type=type_,
        actor=actor,
        created_at=at,
        is_public=public,
        body=body,
        data=_kept(data),
    )
    _observe(event)
    return event


def _write_many(rows: list[TicketEvent]) -> list[TicketEvent]:
    """Many rows in one INSERT (per 500), then each row's observers, as `_write` calls them."""
    rows = TicketEvent.objects.bulk_create(rows, batch_size=500)
    for event in rows:
        _observe(event)
    return rows


def change(field: str, old, new) -> dict:
    return {"field": field, "from": _plain(old), "to": _plain(new)}


def _plain(value):
    if value is None or isinstance(value, str | int | bool):
        return value
    # A group or a category is written as it was named then, in English, the catalogue's source,
    # whatever the language of the person who acted.
    with translation.override(SOURCE_LANGUAGE):
        return str(value)


def event_created(ticket: Ticket, actor, at: datetime) -> TicketEvent:
    return _write(
        ticket,
        T.CREATED,
        actor,
        at,
        public=True,
        channel=ticket.channel,
        kind=ticket.kind,
        priority=ticket.priority,
        group=_plain(ticket.assignment_group),
    )


def event_changed(
    ticket: Ticket, actor, at: datetime, changes: list[dict], reason="", public=False
):
    return _write(ticket, T.CHANGED, actor, at, public=public, changes=changes, reason=reason)


def event_status(
    ticket: Ticket, actor, at: datetime, *, action: str, old: str, new: str, reason=""
):
    return _write(
        ticket,
        T.STATUS,
        actor,
        at,
        public=True,
        action=action,
        changes=[change("status", old, new)],
        reason=reason,
    )


def event_assigned(ticket: Ticket, actor, at: datetime, changes: list[dict], reason=""):
    return _write(ticket, T.ASSIGNED, actor, at, changes=changes, reason=reason)


def _group_changes(ticket: Ticket, from_group, to_group, old_status) -> list[dict]:
    changes = [change("assignment_group", from_group, to_group)]
    if old_status is not None and old_status != ticket.status:
        changes.append(change("status", old_status, ticket.status))
    return changes


def event_escalated(
    ticket: Ticket, actor, at: datetime, *, from_group, to_group, reason: str, old_status=None
):
    """One row for the move to a higher tier: the groups, the new status, the reason once."""
    return _write(
        ticket,
        T.ESCALATED,
        actor,
        at,
        public=True,
        changes=_group_changes(ticket, from_group, to_group, old_status),
        from_tier=getattr(from_group, "tier", None),
        to_tier=to_group.tier,
        reason=reason,
    )


def event_de_escalated(
    ticket: Ticket, actor, at: datetime, *, from_group, to_group, reason: str, old_status=None
):
    return _write(
        ticket,
        T.DE_ESCALATED,
        actor,
        at,
        changes=_group_changes(ticket, from_group, to_group, old_status),
        from_tier=getattr(from_group, "tier", None),
        to_tier=to_group.tier,
        reason=reason,
    )


def event_manager_escalated(ticket: Ticket, actor, at: datetime, *, manager, reason: str):
    return _write(ticket, T.MANAGER_ESCALATED, actor, at, manager=_plain(manager), reason=reason)


def event_reclassified(ticket: Ticket, actor, at: datetime, *, old_kind, new_kind, reason: str):
    return _write(
        ticket,
        T.RECLASSIFIED,
        actor,
        at,
        public=True,
        changes=[change("kind", old_kind, new_kind), change("number", *_numbers(ticket))],
        reason=reason,
    )


def _numbers(ticket: Ticket) -> tuple[str, str]:
    return getattr(ticket, "_previous_number", ticket.number), ticket.number


def event_comment(
    ticket: Ticket, actor, at: datetime, *, body: str, public: bool, **origin
) -> TicketEvent:
    """A reply or a note; `origin` says where it came from when not the desk's own forms (an
    email: `via="email"`, the inbound message and the full text it was taken from)."""
    return _write(
        ticket, T.COMMENT if public else T.NOTE, actor, at, public=public, body=body, **origin
    )


def event_diagnosis(ticket: Ticket, actor, at: datetime, answers: list[dict]) -> TicketEvent:
    return _write(ticket, T.DIAGNOSIS, actor, at, answers=answers)


def event_linked(ticket: Ticket, actor, at: datetime, *, relation: str, other: Ticket, reason=""):
    return _write(
        ticket,
        T.LINKED,
        actor,
        at,
        public=True,
        relation=relation,
        ticket=other.number,
        reason=reason,
    )


def event_email(ticket: Ticket, at: datetime, *, to: str, subject: str, topic: str):
    return _write(ticket, T.EMAIL, None, at, to=to, subject=subject, topic=topic)


def event_sla(ticket: Ticket, at: datetime, **data) -> TicketEvent:
    """A warning, a breach or a change of target of one of the ticket's SLA clocks."""
    return _write(ticket, T.SLA, None, at, **data)


def event_restricted(
    ticket: Ticket, actor, at: datetime, *, restricted: bool, group, people: list[str], reason: str
) -> TicketEvent:
    """Access to the ticket narrowed to a group and named people, or opened to the desk again.

    An internal row: the requester learns nothing of who may see their ticket.
    """
    return _write(
        ticket,
        T.RESTRICTED,
        actor,
        at,
        restricted=restricted,
        group=_plain(group),
        people=people,
        reason=reason,
    )


def event_rated(ticket: Ticket, actor, at: datetime, *, rating: int, comment: str):
    return _write(ticket, T.RATED, actor, at, public=True, body=comment, rating=rating)


def event_monitoring(ticket: Ticket, actor, at: datetime, *, body: str, **data) -> TicketEvent:
    """What the monitoring told the ticket in one go: alerts opened, repeated, acknowledged,
    resolved. An internal note, one row for a whole batch of alert changes."""
    return _write(ticket, T.NOTE, actor, at, body=body, source="monitoring", **data)


def event_paging(ticket: Ticket, actor, at: datetime, *, step: str, **data) -> TicketEvent:
    """A step of an on-call escalation: started, paged (whom, by what, level and repeat),
    acknowledged, stopped or exhausted. Internal: the requester does not see who was woken."""
    return _write(ticket, T.PAGING, actor, at, step=step, **data)


def events_paging(items: list[tuple[Ticket, datetime, dict]]) -> list[TicketEvent]:
    """Many paging rows at once (a sweep's batch of escalation steps), as `event_paging`
    would write them one by one."""
    return _write_many(
        [
            TicketEvent(ticket=ticket, type=T.PAGING, created_at=at, data=_kept(data))
            for ticket, at, data in items
        ]
    )


def event_session(
    ticket: Ticket, actor, at: datetime, *, what: str, body: str = "", public=True, **data
) -> TicketEvent:
    """A phone or video session with the requester: proposed, moved, answered, cancelled,
    reminded, held or missed. `what` is the step in English (the timeline shows it in the
    reader's language); `data` names the session, its kind, times and sequence."""
    return _write(ticket, T.SESSION, actor, at, public=public, body=body, what=what, **data)


def event_major(
    ticket: Ticket, actor, at: datetime, *, what: str, body: str = "", public=False, **data
) -> TicketEvent:
    """A step of the major incident declared on `ticket`: `what` is declared, role, bridge,
    reminder or resolved; internal unless `public`."""
    return _write(ticket, T.MAJOR_INCIDENT, actor, at, public=public, body=body, what=what, **data)


def events_major_update(
    tickets: Iterable[Ticket], actor, at: datetime, *, body: str, major: str, **data
) -> list[TicketEvent]:
    """The same public update of a major incident on each of `tickets`, in one INSERT."""
    values = _kept({"what": "update", "major": major, **data})
    return _write_many(
        [
            TicketEvent(
                ticket=ticket,
                type=T.MAJOR_INCIDENT,
                actor=actor,
                created_at=at,
                is_public=True,
                body=body,
                data=dict(values),
            )
            for ticket in tickets
        ]
    )
