"""Changing what a ticket says: its fields, its kind, the answers of its diagnosis."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.catalog.models import DiagnosticQuestion
from servicedesk.core.errors import (
    TransitionNotAllowed,
    ValidationFailed,
)
from servicedesk.core.fields import id_from_text
from servicedesk.sla.causes import Cause
from servicedesk.sla.clocks import (
    clocks_on_priority_change,
)
from servicedesk.tickets import events
from servicedesk.tickets.models import (
    DiagnosisAnswer,
    Kind,
    Ticket,
    TicketAlias,
)
from servicedesk.tickets.priority import priority_for
from servicedesk.tickets.services._base import (
    _catalog_errors,
    _level_errors,
    _lock,
    _notify_requester,
    _require,
    _save,
)
from servicedesk.tickets.services.intake import ticket_number_next

EDITABLE_FIELDS = (
    "title",
    "description",
    "symptoms",
    "category",
    "service",
    "configuration_item",
    "impact",
    "urgency",
    "is_major",
)


@transaction.atomic
def ticket_update(
    *, ticket: Ticket, actor: User, expected_version: int | None = None, reason: str = "", **changes
) -> Ticket:
    """Change editable fields; impact or urgency recompute the priority. One timeline row."""
    ticket = _lock(ticket, expected_version=expected_version)
    _require(actor, ticket, "edit", _("You may not edit this ticket."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed({name: _("This field cannot be changed.") for name in unknown})
    if not ticket.is_open:
        raise TransitionNotAllowed(
            {"status": _("A ticket that is no longer open cannot be edited.")}
        )
    errors: dict[str, str] = {}
    if "title" in changes and not (changes["title"] or "").strip():
        errors["title"] = _("A title is required.")
    errors |= _level_errors(**{k: changes[k] for k in ("impact", "urgency") if k in changes})
    errors |= _catalog_errors(
        category=changes.get("category"),
        service=changes.get("service"),
        ci=changes.get("configuration_item"),
    )
    if errors:
        raise ValidationFailed(errors)

    now = timezone.now()
    recorded = []
    for field, value in changes.items():
        old = getattr(ticket, field)
        if old != value:
            recorded.append(events.change(field, old, value))
            setattr(ticket, field, value)
    new_priority = priority_for(ticket.impact, ticket.urgency)
    if new_priority != ticket.priority:
        recorded.append(events.change("priority", ticket.priority, new_priority))
        ticket.priority = new_priority
    if not recorded:
        return ticket
    _save(ticket, now, [c["field"] for c in recorded])
    events.event_changed(ticket, actor, now, recorded, reason=reason)
    if any(c["field"] == "priority" for c in recorded):
        clocks_on_priority_change(
            ticket=ticket,
            now=now,
            cause=Cause("priority", {"priority": ticket.priority, "person": str(actor)}),
        )
    return ticket


@transaction.atomic
def ticket_reclassify(*, ticket: Ticket, actor: User, kind: str, reason: str) -> Ticket:
    """Incident ⇄ service request, with a new number of the right prefix and a reason."""
    ticket = _lock(ticket)
    _require(actor, ticket, "reclassify", _("You may not reclassify this ticket."))
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = _("Must be one of: %s.") % ", ".join(Kind.values)
    elif kind == ticket.kind:
        errors["kind"] = _("The ticket is already of this kind.")
    if not reason.strip():
        errors["reason"] = _("Say why the ticket is reclassified.")
    if not ticket.is_open:
        errors["status"] = _("Only open tickets can be reclassified.")
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    old_kind = ticket.kind
    old_number = ticket._previous_number = ticket.number
    ticket.kind = kind
    ticket.number = ticket_number_next(kind)
    _save(ticket, now, ["kind", "number"])
    TicketAlias.objects.create(number=old_number, ticket=ticket, created_at=now)
    events.event_reclassified(ticket, actor, now, old_kind=old_kind, new_kind=kind, reason=reason)
    _notify_requester(
        ticket,
        "ticket.reclassified",
        key=f"reclassified:{ticket.version}",
        context={"old_number": old_number},
    )
    return ticket


@transaction.atomic
def ticket_diagnosis_record(*, ticket: Ticket, actor: User, answers: dict[int, str]) -> Ticket:
    """Record answers to the diagnostic questions of the ticket's category."""
    ticket = _lock(ticket)
    _require(actor, ticket, "diagnosis", _("You may not record a diagnosis on this ticket."))
    if ticket.category_id is None:
        raise ValidationFailed(
            {"category": _("Categorise the ticket before recording a diagnosis.")}
        )
    questions = {q.pk: q for q in DiagnosticQuestion.objects.filter(category_id=ticket.category_id)}
    errors: dict[str, str] = {}
    for question_id, answer in answers.items():
        number = id_from_text(question_id)
        question = questions.get(number) if number is not None else None
        if question is None:
            errors[f"answers.{question_id}"] = _("Not a question of this ticket's category.")
        elif (problem := question.answer_error(str(answer).strip())) is not None:
            errors[f"answers.{question_id}"] = problem
    if not answers:
        errors["answers"] = _("Give at least one answer.")
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    existing = {a.question_id: a for a in ticket.diagnosis.all()}
    recorded = []
    for question_id, answer in answers.items():
        question = questions[id_from_text(question_id)]
        answer = str(answer).strip()
        previous = existing.get(question.pk)
        if previous is not None and previous.answer == answer:
            continue
        DiagnosisAnswer.objects.update_or_create(
            ticket=ticket,
            question=question,
            defaults={
                "question_text": question.text,
                "answer": answer,
                "answered_by": actor,
                "answered_at": now,
            },
        )
        recorded.append(
            {"question": question.text, "from": previous.answer if previous else None, "to": answer}
        )
    if recorded:
        _save(ticket, now, [])
        events.event_diagnosis(ticket, actor, now, recorded)
    return ticket
