"""Every write of a major incident: declare, roles, bridge, linked tickets, public updates, the
reminder, resolution and the post-incident review.

Each function runs in one transaction, checks that the actor is desk staff, and refuses bad
input with a `ValidationFailed` naming the field before anything is written. Ticket changes go
through `tickets.services` (the parent/child link, the resolution, the `is_major` flag that
keeps a ticket from being closed automatically); the timeline rows through `tickets.events`.
"""

import re
from dataclasses import replace
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.core.errors import (
    Moved,
    NotPermitted,
    ServiceError,
    TransitionNotAllowed,
    ValidationFailed,
)
from servicedesk.majorincidents.models import (
    ActionItem,
    MajorIncident,
    MajorRole,
    MajorStatus,
    PublicUpdate,
    Review,
    RoleAssignment,
)
from servicedesk.notifications.services import notify, person_recipient
from servicedesk.statuspage import selectors as status_selectors
from servicedesk.statuspage import services as status_services
from servicedesk.statuspage.states import IncidentStatus
from servicedesk.tickets import events
from servicedesk.tickets import selectors as ticket_selectors
from servicedesk.tickets import services as ticket_services
from servicedesk.tickets.models import Ticket, TicketEvent
from servicedesk.tickets.priority import Priority
from servicedesk.tickets.states import ResolutionCode, Status

#: minutes without a public update before the desk is reminded, by priority (P1: 30)
UPDATE_MINUTES = {Priority.P1: 30, Priority.P2: 60}
UPDATE_MINUTES_OTHER = 60
UPDATE_MINUTES_MIN, UPDATE_MINUTES_MAX = 5, 24 * 60
REASON_MAX = 2000
BODY_MAX = 5000
TEXT_MAX = 20000
TITLE_MAX = 300
LINK_MAX = 200
_PHONE = re.compile(r"^\+?[0-9][0-9 ().\-/]{3,38}(,+[0-9#*]+)*$")


def _require_staff(actor: User) -> None:
    if not is_staff_member(actor):
        raise NotPermitted(_("Only desk staff may run a major incident."))


def _text(errors: dict, field: str, value, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if "\x00" in value:
        errors[field] = _("Remove the NUL character.")
    elif required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > limit:
        errors[field] = _("At most %(limit)d characters.") % {"limit": limit}
    return value


def _bridge_errors(errors: dict, phone: str, url: str) -> None:
    if phone and not _PHONE.match(phone):
        errors["bridge_phone"] = _(
            "Write a phone number: digits, spaces and + ( ) - only, with ,digits for a PIN."
        )
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["bridge_url"] = _("Give the video link as an http:// or https:// address.")
        else:
            if len(url) > 500:
                errors["bridge_url"] = _("At most %(limit)d characters.") % {"limit": 500}


def _minutes(errors: dict, value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors["update_minutes"] = _("Give a whole number of minutes.")
        return None
    try:
        minutes = int(value)
    except ValueError:
        errors["update_minutes"] = _("Give a whole number of minutes.")
        return None
    if not UPDATE_MINUTES_MIN <= minutes <= UPDATE_MINUTES_MAX:
        errors["update_minutes"] = _("Between %(low)d and %(high)d minutes.") % {
            "low": UPDATE_MINUTES_MIN,
            "high": UPDATE_MINUTES_MAX,
        }
    return minutes


def default_update_minutes(priority: int) -> int:
    return UPDATE_MINUTES.get(priority, UPDATE_MINUTES_OTHER)


def _lock(major: MajorIncident) -> MajorIncident:
    return (
        MajorIncident.objects.select_for_update(of=("self",))
        .select_related("ticket")
        .get(pk=major.pk)
    )


def _require_active(major: MajorIncident) -> None:
    if not major.is_active:
        raise TransitionNotAllowed({"status": _("This major incident is resolved.")})


@transaction.atomic
def major_declare(
    *,
    ticket: Ticket,
    actor: User,
    reason: str = "",
    bridge_phone: str = "",
    bridge_url: str = "",
    update_minutes: int | None = None,
) -> MajorIncident:
    """Declare `ticket` a major incident: from a P1 at once, from any other ticket with a reason.

    The ticket is marked major (so it is never closed automatically) and the reminder to post a
    public update is set for `update_minutes` from now (P1: 30 by default).
    """
    _require_staff(actor)
    errors: dict = {}
    reason = _text(errors, "reason", reason, REASON_MAX)
    bridge_phone = _text(errors, "bridge_phone", bridge_phone, 40)
    bridge_url = _text(errors, "bridge_url", bridge_url, 500)
    _bridge_errors(errors, bridge_phone, bridge_url)
    minutes = _minutes(errors, update_minutes)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.priority != Priority.P1 and not reason and "reason" not in errors:
        errors["reason"] = _("Say why a ticket that is not P1 is a major incident.")
    if errors:
        raise ValidationFailed(errors)
    if MajorIncident.objects.filter(ticket=ticket).exists():
        raise TransitionNotAllowed({"ticket": _("This ticket is already a major incident.")})
    if not ticket.is_open:
        raise TransitionNotAllowed({"ticket": _("Only an open ticket can be declared.")})
    if not ticket.is_major:
        ticket = ticket_services.ticket_update(ticket=ticket, actor=actor, is_major=True)
    now = timezone.now()
    major = MajorIncident.objects.create(
        ticket=ticket,
        declared_by=actor,
        declared_at=now,
        reason=reason,
        bridge_phone=bridge_phone,
        bridge_url=bridge_url,
        update_minutes=minutes or default_update_minutes(ticket.priority),
    )
    major.next_check_at = major.update_due_at
    major.save(update_fields=["next_check_at"])
    events.event_major(
        ticket,
        actor,
        now,
        what="declared",
        reason=reason,
        bridge_phone=bridge_phone,
        bridge_url=bridge_url,
        update_minutes=major.update_minutes,
    )
    return major


@transaction.atomic
def major_bridge_set(
    *,
    major: MajorIncident,
    actor: User,
    bridge_phone: str = "",
    bridge_url: str = "",
    update_minutes: int | None = None,
) -> MajorIncident:
    """Change the bridge (phone number and/or video link) or the update interval."""
    _require_staff(actor)
    errors: dict = {}
    bridge_phone = _text(errors, "bridge_phone", bridge_phone, 40)
    bridge_url = _text(errors, "bridge_url", bridge_url, 500)
    _bridge_errors(errors, bridge_phone, bridge_url)
    minutes = _minutes(errors, update_minutes)
    if errors:
        raise ValidationFailed(errors)
    major = _lock(major)
    _require_active(major)
    major.bridge_phone, major.bridge_url = bridge_phone, bridge_url
    fields = ["bridge_phone", "bridge_url"]
    if minutes and minutes != major.update_minutes:
        major.update_minutes = minutes
        if major.next_check_at is not None:
            major.next_check_at = major.update_due_at
        fields += ["update_minutes", "next_check_at"]
    major.save(update_fields=fields)
    events.event_major(
        major.ticket,
        actor,
        timezone.now(),
        what="bridge",
        bridge_phone=bridge_phone,
        bridge_url=bridge_url,
        update_minutes=major.update_minutes,
    )
    return major


@transaction.atomic
def major_role_assign(
    *, major: MajorIncident, actor: User, role: str, person: User | None
) -> RoleAssignment | None:
    """Give `role` to `person` (None takes it away); the one it replaces is ended, both kept."""
    _require_staff(actor)
    errors: dict = {}
    if role not in MajorRole.values:
        errors["role"] = _("Must be one of: %s.") % ", ".join(MajorRole.values)
    if person is not None and not (person.is_active and is_staff_member(person)):
        errors["person"] = _("Choose an active member of the desk staff.")
    if errors:
        raise ValidationFailed(errors)
    major = _lock(major)
    _require_active(major)
    now = timezone.now()
    current = major.roles.filter(role=role, ended_at__isnull=True).select_related("person").first()
    if current is not None and person is not None and current.person_id == person.pk:
        return current
    if current is None and person is None:
        return None
    if current is not None:
        current.ended_at = now
        current.save(update_fields=["ended_at"])
    assignment = None
    if person is not None:
        assignment = RoleAssignment.objects.create(
            major=major, role=role, person=person, assigned_by=actor, assigned_at=now
        )
    events.event_major(
        major.ticket,
        actor,
        now,
        what="role",
        role=role,
        person=person.display_name if person else None,
        previous=current.person.display_name if current else None,
    )
    return assignment


def _ticket_by_number(actor: User, number: str) -> Ticket:
    try:
        return ticket_selectors.ticket_get(user=actor, number=number)
    except Http404:
        raise ValidationFailed(
            {"tickets": _("There is no ticket %(number)s.") % {"number": number}}
        ) from None
    except Moved as moved:
        return ticket_selectors.ticket_get(user=actor, number=moved.new)


def _numbers(errors: dict, numbers) -> list[str]:
    if isinstance(numbers, str):
        numbers = re.split(r"[\s,;]+", numbers)
    if not isinstance(numbers, list | tuple) or not all(isinstance(n, str) for n in numbers):
        errors["tickets"] = _("Give a list of ticket numbers.")
        return []
    cleaned = list(dict.fromkeys(n.strip().upper() for n in numbers if n.strip()))
    if not cleaned:
        errors["tickets"] = _("Give at least one ticket number.")
    elif len(cleaned) > LINK_MAX:
        errors["tickets"] = _("At most %(limit)d tickets at once.") % {"limit": LINK_MAX}
    elif any(len(n) > 40 or "\x00" in n for n in cleaned):
        errors["tickets"] = _("That is not a ticket number.")
    return cleaned


@transaction.atomic
def major_tickets_link(*, major: MajorIncident, actor: User, numbers) -> list[Ticket]:
    """Link user tickets about the same outage to the major incident (as its children), all
    or none: a wrong number, or a ticket that cannot be linked, refuses the whole lot."""
    _require_staff(actor)
    errors: dict = {}
    cleaned = _numbers(errors, numbers)
    if errors:
        raise ValidationFailed(errors)
    major = _lock(major)
    _require_active(major)
    tickets = [_ticket_by_number(actor, number) for number in cleaned]
    refusals = []
    linked = []
    for ticket in tickets:
        if ticket.pk == major.ticket_id:
            refusals.append(
                _("%(number)s is the major incident itself.") % {"number": ticket.number}
            )
            continue
        if ticket.parent_id == major.ticket_id:
            continue
        try:
            linked.append(
                ticket_services.ticket_set_parent(ticket=ticket, actor=actor, parent=major.ticket)
            )
        except ServiceError as error:
            reasons = " ".join(r for rs in error.errors.values() for r in rs)
            refusals.append(f"{ticket.number}: {reasons}")
    if refusals:
        raise ValidationFailed({"tickets": refusals})
    return linked


@transaction.atomic
def major_ticket_unlink(*, major: MajorIncident, actor: User, ticket: Ticket) -> Ticket:
    """Take a ticket out of the major incident (it was about something else)."""
    _require_staff(actor)
    major = _lock(major)
    _require_active(major)
    ticket = Ticket.objects.get(pk=ticket.pk)
    if ticket.parent_id != major.ticket_id:
        raise ValidationFailed({"ticket": _("This ticket is not linked to the major incident.")})
    return ticket_services.ticket_set_parent(ticket=ticket, actor=actor, parent=None)


def linked_tickets(major: MajorIncident):
    """The major incident's ticket and the tickets linked to it, less those cancelled."""
    return Ticket.objects.filter(Q(pk=major.ticket_id) | Q(parent_id=major.ticket_id)).exclude(
        status=Status.CANCELLED
    )


@transaction.atomic
def major_update_post(
    *, major: MajorIncident, actor: User, body: str, mitigated: bool = False
) -> PublicUpdate:
    """Tell everyone affected how it is going.

    One message per person, however many linked tickets they have (one `notify()` with the
    requesters once each, topic `major.update`, in each one's language); one public row on the
    timeline of each linked ticket (one INSERT); and, when the ticket has an open incident on
    the status page, the same text posted there as its next update. The reminder starts again.
    """
    _require_staff(actor)
    errors: dict = {}
    body = _text(errors, "body", body, BODY_MAX, required=True)
    if not isinstance(mitigated, bool):
        errors["mitigated"] = _("Must be true or false.")
    if errors:
        raise ValidationFailed(errors)
    major = _lock(major)
    _require_active(major)
    now = timezone.now()
    tickets = list(linked_tickets(major).select_related("requester").order_by("id"))
    numbers_of: dict[int, list[str]] = {}
    people: dict[int, User] = {}
    for ticket in tickets:
        numbers_of.setdefault(ticket.requester_id, []).append(ticket.number)
        people[ticket.requester_id] = ticket.requester
    update = PublicUpdate.objects.create(
        major=major,
        body=body,
        mitigated=mitigated,
        author=actor,
        created_at=now,
        tickets_count=len(tickets),
    )
    audience = []
    for pk, person in people.items():
        values = (("tickets", ", ".join(numbers_of[pk])),)
        audience += [replace(recipient, values=values) for recipient in person_recipient(person)]
    messages = notify(
        "major.update",
        major,
        audience,
        {"major": major, "ticket": major.ticket, "update": update},
        dedup_key=f"major:{major.pk}:update:{update.pk}",
        fresh=True,
    )
    events.events_major_update(tickets, actor, now, body=body, major=major.ticket.number)
    incident = status_selectors.incident_for_ticket(ticket=major.ticket)
    if incident is not None and not incident.is_resolved:
        status_services.incident_update_post(
            incident=incident,
            actor=actor,
            status=IncidentStatus.MONITORING if mitigated else incident.status,
            message=body,
        )
        update.on_status_page = True
    update.recipients_count = len(messages)
    update.save(update_fields=["recipients_count", "on_status_page"])
    major.last_update_at = now
    if mitigated and major.mitigated_at is None:
        major.mitigated_at = now
    major.next_check_at = major.update_due_at
    major.save(update_fields=["last_update_at", "mitigated_at", "next_check_at"])
    return update


def _desk_audience(major: MajorIncident) -> list:
    """The commander and the communications lead, else the ticket's assignment group."""
    people = [
        assignment.person
        for assignment in major.roles.filter(
            ended_at__isnull=True, role__in=[MajorRole.COMMANDER, MajorRole.COMMUNICATIONS]
        ).select_related("person")
    ]
    if people:
        return people
    return [major.ticket.assignment_group] if major.ticket.assignment_group_id else []


def major_reminder_due(major: MajorIncident, now: datetime) -> None:
    """The due-work handler: no public update for `update_minutes`, so remind the desk, once
    for this lapse (the next update sets the next reminder)."""
    due_at = major.next_check_at
    major.next_check_at = None
    if major.is_active and due_at is not None:
        ticket = major.ticket
        notify(
            "major.reminder",
            major,
            _desk_audience(major),
            {
                "major": major,
                "ticket": ticket,
                "since": major.last_update_at or major.declared_at,
                "minutes": major.update_minutes,
            },
            dedup_key=f"major:{major.pk}:reminder:{due_at.isoformat()}",
        )
        events.event_major(ticket, None, now, what="reminder", minutes=major.update_minutes)
    major.save(update_fields=["next_check_at"])


@transaction.atomic
def major_resolve(
    *, major: MajorIncident, actor: User, resolution_code: str, resolution_notes: str
) -> MajorIncident:
    """Resolve the major incident's ticket, and with it every open linked ticket, with its
    resolution; the post-incident review is created (see `major_ticket_resolved`)."""
    _require_staff(actor)
    major = _lock(major)
    _require_active(major)
    errors: dict = {}
    allowed = [code for code, _label in ResolutionCode.for_kind(major.ticket.kind)]
    if resolution_code not in allowed:
        errors["resolution_code"] = _("Must be one of: %s.") % ", ".join(allowed)
    notes = _text(errors, "resolution_notes", resolution_notes, TEXT_MAX, required=True)
    if errors:
        raise ValidationFailed(errors)
    ticket_services.ticket_resolve(
        ticket=major.ticket,
        actor=actor,
        resolution_code=resolution_code,
        resolution_notes=notes,
        service_restored=True,
    )
    return MajorIncident.objects.select_related("ticket", "review").get(pk=major.pk)


def major_ticket_resolved(event: TicketEvent) -> None:
    """Timeline observer of status rows: the major incident's ticket was resolved (here or
    from the ticket page), so the major incident is, and its review is created."""
    if event.data.get("action") != "resolve" or not event.ticket.is_major:
        return
    major = (
        MajorIncident.objects.select_for_update(of=("self",))
        .filter(ticket_id=event.ticket_id, status=MajorStatus.ACTIVE)
        .first()
    )
    if major is None:
        return
    now = event.created_at
    major.status = MajorStatus.RESOLVED
    major.resolved_at = now
    major.resolved_by = event.actor
    major.next_check_at = None
    if major.mitigated_at is None:
        major.mitigated_at = now
    major.save(
        update_fields=["status", "resolved_at", "resolved_by", "next_check_at", "mitigated_at"]
    )
    major.ticket = event.ticket
    events.event_major(event.ticket, event.actor, now, what="resolved")
    review_create(major=major, at=now)


def review_create(*, major: MajorIncident, at: datetime) -> Review:
    """The post-incident review with its instants computed from the tickets and the timeline.

    Impact started when the earliest affected ticket says it started (`reported_at`); detected
    when the desk logged the first of them (`created_at`); acknowledged at the major ticket's
    first response, assignment or the declaration, whichever came first; mitigated at the first
    public update that said the service works again (else at resolution); resolved at
    resolution. The times to acknowledge, mitigate and resolve count from detection.
    """
    ticket = major.ticket
    tickets = list(
        Ticket.objects.filter(Q(pk=ticket.pk) | Q(parent_id=ticket.pk))
        .exclude(status=Status.CANCELLED)
        .values("pk", "reported_at", "created_at", "requester_id")
    )
    detected = min(row["created_at"] for row in tickets)
    impact = min(min(row["reported_at"], row["created_at"]) for row in tickets)
    acknowledged = min(
        at_ for at_ in (ticket.first_response_at, ticket.assigned_at, major.declared_at) if at_
    )
    review = Review.objects.create(
        major=major,
        created_at=at,
        updated_at=at,
        summary=timeline_summary(major=major, linked=len(tickets) - 1),
        impact_started_at=impact,
        detected_at=detected,
        acknowledged_at=max(acknowledged, detected),
        mitigated_at=max(major.mitigated_at or at, detected),
        resolved_at=at,
        linked_tickets=len(tickets) - 1,
        requesters=len({row["requester_id"] for row in tickets}),
    )
    return review


_SUMMARY_TYPES = [
    TicketEvent.Type.CREATED,
    TicketEvent.Type.ESCALATED,
    TicketEvent.Type.MAJOR_INCIDENT,
    TicketEvent.Type.STATUS,
]


def timeline_summary(*, major: MajorIncident, linked: int) -> list[dict]:
    """The milestones of the major incident's ticket, in order, as data: {"at", "step", and
    what the step names (who, role, priority, group, text)}; `selectors.summary_text` words
    each one in the reader's language."""
    rows = (
        TicketEvent.objects.filter(ticket_id=major.ticket_id, type__in=_SUMMARY_TYPES)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    lines = [line for line in map(_summary_line, rows) if line is not None]
    lines.append(
        {"at": (major.resolved_at or timezone.now()).isoformat(), "step": "linked", "count": linked}
    )
    return lines


def _summary_line(event: TicketEvent) -> dict | None:
    data = event.data or {}
    line = {
        "at": event.created_at.isoformat(),
        "who": event.actor.display_name if event.actor else "",
    }
    what = data.get("what")
    if event.type == TicketEvent.Type.CREATED:
        return {**line, "step": "logged", "priority": data.get("priority")}
    if event.type == TicketEvent.Type.ESCALATED:
        groups = [c["to"] for c in data.get("changes", []) if c.get("field") == "assignment_group"]
        return {**line, "step": "escalated", "group": groups[0] if groups else ""}
    if event.type == TicketEvent.Type.STATUS:
        return {**line, "step": "resolved"} if data.get("action") == "resolve" else None
    if what == "role":
        return {**line, "step": "role", "role": data.get("role"), "person": data.get("person", "")}
    if what == "update":
        first = event.body.strip().splitlines()[0] if event.body.strip() else ""
        return {**line, "step": "update", "text": first[:200]}
    if what in ("declared", "reminder"):
        return {**line, "step": what, "minutes": data.get("minutes")}
    return None


@transaction.atomic
def review_edit(
    *,
    review: Review,
    actor: User,
    root_cause: str | None = None,
    contributing_factors: str | None = None,
) -> Review:
    """Write the review's root cause and contributing factors."""
    _require_staff(actor)
    errors: dict = {}
    fields = []
    review = Review.objects.select_for_update().get(pk=review.pk)
    if root_cause is not None:
        review.root_cause = _text(errors, "root_cause", root_cause, TEXT_MAX)
        fields.append("root_cause")
    if contributing_factors is not None:
        review.contributing_factors = _text(
            errors, "contributing_factors", contributing_factors, TEXT_MAX
        )
        fields.append("contributing_factors")
    if errors:
        raise ValidationFailed(errors)
    review.updated_at = timezone.now()
    review.save(update_fields=[*fields, "updated_at"])
    return review


@transaction.atomic
def action_item_add(
    *, review: Review, actor: User, title: str, owner: User | None, due_date: date | None
) -> ActionItem:
    """An action item of the review, with its owner and due date."""
    _require_staff(actor)
    errors: dict = {}
    title = _text(errors, "title", title, TITLE_MAX, required=True)
    if owner is None or not (owner.is_active and is_staff_member(owner)):
        errors["owner"] = _("Choose an active member of the desk staff.")
    if not isinstance(due_date, date) or isinstance(due_date, datetime):
        errors["due_date"] = _("Give a date.")
    elif due_date < review.created_at.date() - timedelta(days=1):
        errors["due_date"] = _("The due date cannot be before the review.")
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    return ActionItem.objects.create(
        review=review, title=title, owner=owner, due_date=due_date, created_by=actor, created_at=now
    )


@transaction.atomic
def action_item_done(*, item: ActionItem, actor: User, done: bool = True) -> ActionItem:
    """Mark an action item done (or not done after all)."""
    _require_staff(actor)
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    if done and item.done_at is None:
        item.done_at, item.done_by = timezone.now(), actor
    elif not done:
        item.done_at, item.done_by = None, None
    item.save(update_fields=["done_at", "done_by"])
    return item
