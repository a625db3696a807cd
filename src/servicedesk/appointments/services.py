"""Every write of a session: propose, move, cancel, the requester's answer, the outcome, and the
reminder the due-work sweep sends once.

Each is one transaction that checks the transition table (`states.TRANSITIONS`), writes one
row on the ticket's timeline and tells the people through `notify()`: the requester gets the
iCalendar invitation (METHOD:REQUEST, the same UID, SEQUENCE raised on each change;
METHOD:CANCEL on cancellation), the agent the requester's answer.
"""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.appointments import invitations
from servicedesk.appointments.models import Session
from servicedesk.appointments.states import (
    ANSWER_STATUS,
    Answer,
    Kind,
    Outcome,
    Status,
    allowed,
)
from servicedesk.core.errors import NotPermitted, TransitionNotAllowed, ValidationFailed
from servicedesk.notifications.services import notify
from servicedesk.tickets import events

#: The shortest and longest session, in minutes.
MIN_MINUTES = 5
MAX_MINUTES = 8 * 60
#: How far ahead a session may be arranged.
MAX_AHEAD = timedelta(days=366)
NOTE_MAX = 2000

# The timeline's words for each step, in English (shown in the reader's language).
PROPOSED = gettext_noop("Session proposed")
MOVED = gettext_noop("Session moved to another time")
CANCELLED = gettext_noop("Session cancelled")
ACCEPTED = gettext_noop("The requester accepted the session")
DECLINED = gettext_noop("The requester declined the session")
NEW_TIME = gettext_noop("The requester asked for another time")
REMINDED = gettext_noop("Reminder of the session sent")
HELD = gettext_noop("Session held")
NO_SHOW = gettext_noop("The requester did not join the session")

ANSWER_STEP = {Answer.ACCEPT: ACCEPTED, Answer.DECLINE: DECLINED, Answer.NEW_TIME: NEW_TIME}
OUTCOME_STEP = {Outcome.HELD: HELD, Outcome.NO_SHOW: NO_SHOW}

_PHONE = re.compile(r"\+?[0-9][0-9 ().\-/]{3,38}")
_LINK = URLValidator(schemes=["https", "http"])


def reminder_minutes() -> int:
    """Minutes before the start the reminder goes (SERVICEDESK_SESSION_REMINDER_MINUTES)."""
    return settings.SERVICEDESK_SESSION_REMINDER_MINUTES


def _reminder_at(starts_at: datetime, now: datetime) -> datetime:
    return max(now, starts_at - timedelta(minutes=reminder_minutes()))


def staff_check(actor) -> None:
    if not is_staff_member(actor):
        raise NotPermitted(_("Only the service desk arranges sessions."))


def _check(action: str, session: Session) -> None:
    if not allowed(action, session.status):
        raise TransitionNotAllowed(
            {
                "status": [
                    _("Not possible for a session that is %(status)s.")
                    % {"status": session.get_status_display().lower()}
                ]
            }
        )


def _times_errors(starts_at, ends_at, now: datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if starts_at is None:
        errors["starts_at"] = [_("Give the start time.")]
    elif starts_at <= now:
        errors["starts_at"] = [_("The start time is in the past; choose a later time.")]
    elif starts_at > now + MAX_AHEAD:
        errors["starts_at"] = [_("Choose a time within the next year.")]
    if ends_at is None:
        errors["ends_at"] = [_("Give the end time or the duration.")]
    elif starts_at is not None:
        minutes = (ends_at - starts_at).total_seconds() / 60
        if minutes <= 0:
            errors["ends_at"] = [_("The end is before the start.")]
        elif not MIN_MINUTES <= minutes <= MAX_MINUTES:
            errors["ends_at"] = [
                _("A session lasts from %(min)d to %(max)d minutes.")
                % {"min": MIN_MINUTES, "max": MAX_MINUTES}
            ]
    return errors


def _place_errors(kind: str, phone: str, link: str) -> dict[str, list[str]]:
    if kind not in Kind.values:
        return {"kind": [_("Choose a phone call or a video call.")]}
    if kind == Kind.PHONE:
        if not phone:
            return {"phone": [_("Give the phone number to call.")]}
        if not _PHONE.fullmatch(phone):
            return {"phone": [_("Give a phone number: digits, spaces and + ( ) - only.")]}
        return {}
    if not link:
        return {"link": [_("Give the video link.")]}
    try:
        _LINK(link)
    except ValidationError:
        return {"link": [_("Give a full web address, starting with https://.")]}
    return {}


def _text_errors(**texts: str) -> dict[str, list[str]]:
    errors = {}
    for field, text in texts.items():
        if "\x00" in text:
            errors[field] = [_("Remove the NUL character.")]
        elif len(text) > NOTE_MAX:
            errors[field] = [_("At most %(n)d characters.") % {"n": NOTE_MAX}]
    return errors


def _facts(session: Session) -> dict:
    return {
        "session": session.pk,
        "kind": session.kind,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "sequence": session.sequence,
    }


def _invite(session: Session, now: datetime, *, method: str) -> None:
    """The invitation (or its cancellation) to the requester, with the calendar parts."""
    if method == invitations.CANCEL:
        topic = "appointments.cancelled"
    else:
        topic = "appointments.rescheduled" if session.sequence else "appointments.invitation"
    notify(
        topic,
        session,
        [session.requester],
        {
            "session": session,
            "ticket": session.ticket,
            "tz": session.requester.time_zone,
            "other_tz": session.organizer.time_zone,
            "rescheduled": session.sequence > 0,
            "parts": invitations.invitation_parts(session, method=method, now=now),
        },
        dedup_key=f"appointments.session:{session.pk}:{session.sequence}:{method.lower()}",
    )


def _locked(session: Session) -> Session:
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("ticket", "organizer", "requester")
        .get(pk=session.pk)
    )


@transaction.atomic
def session_propose(
    *,
    ticket,
    actor,
    kind: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    phone: str = "",
    link: str = "",
    note: str = "",
) -> Session:
    """An agent proposes a session to the ticket's requester, who is sent the invitation."""
    staff_check(actor)
    if not ticket.is_open:
        raise TransitionNotAllowed({"ticket": [_("The ticket is no longer open.")]})
    now = timezone.now()
    phone, link = phone.strip(), link.strip()
    errors = {
        **_place_errors(kind, phone, link),
        **_times_errors(starts_at, ends_at, now),
        **_text_errors(note=note),
    }
    requester = ticket.requester
    if not requester.email or not requester.is_active:
        errors["ticket"] = [_("The requester has no email address to send the invitation to.")]
    if errors:
        raise ValidationFailed(errors)
    session = Session.objects.create(
        ticket=ticket,
        organizer=actor,
        requester=requester,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        phone=phone if kind == Kind.PHONE else "",
        link=link if kind == Kind.VIDEO else "",
        note=note.strip(),
        created_at=now,
        updated_at=now,
        next_check_at=_reminder_at(starts_at, now),
    )
    events.event_session(ticket, actor, now, what=PROPOSED, body=session.note, **_facts(session))
    _invite(session, now, method=invitations.REQUEST)
    return session


@transaction.atomic
def session_reschedule(
    *,
    session: Session,
    actor,
    starts_at: datetime | None,
    ends_at: datetime | None,
    kind: str | None = None,
    phone: str | None = None,
    link: str | None = None,
    note: str | None = None,
) -> Session:
    """Move a session (and change how or where, if given): the same UID, SEQUENCE raised, the
    answer asked again, the reminder due again."""
    staff_check(actor)
    session = _locked(session)
    _check("reschedule", session)
    now = timezone.now()
    kind = kind or session.kind
    phone = session.phone if phone is None else phone.strip()
    link = session.link if link is None else link.strip()
    note = session.note if note is None else note.strip()
    errors = {
        **_place_errors(kind, phone, link),
        **_times_errors(starts_at, ends_at, now),
        **_text_errors(note=note),
    }
    if errors:
        raise ValidationFailed(errors)
    previous = session.starts_at
    session.kind, session.starts_at, session.ends_at = kind, starts_at, ends_at
    session.phone = phone if kind == Kind.PHONE else ""
    session.link = link if kind == Kind.VIDEO else ""
    session.note = note
    session.sequence += 1
    session.status = Status.PROPOSED
    session.response_note, session.proposed_starts_at, session.responded_at = "", None, None
    session.reminded_at = None
    session.next_check_at = _reminder_at(starts_at, now)
    session.updated_at = now
    session.save()
    events.event_session(
        session.ticket,
        actor,
        now,
        what=MOVED,
        body=session.note,
        previous_starts_at=previous.isoformat(),
        **_facts(session),
    )
    _invite(session, now, method=invitations.REQUEST)
    return session


@transaction.atomic
def session_cancel(*, session: Session, actor, reason: str = "") -> Session:
    """Cancel a session: the requester's calendar removes it (METHOD:CANCEL, SEQUENCE raised)."""
    staff_check(actor)
    session = _locked(session)
    _check("cancel", session)
    errors = _text_errors(reason=reason)
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    session.status = Status.CANCELLED
    session.sequence += 1
    session.cancelled_at = session.updated_at = now
    session.next_check_at = None
    session.save()
    events.event_session(
        session.ticket, actor, now, what=CANCELLED, reason=reason.strip(), **_facts(session)
    )
    _invite(session, now, method=invitations.CANCEL)
    return session


@transaction.atomic
def session_respond(
    *,
    session: Session,
    actor,
    answer: str,
    note: str = "",
    proposed_starts_at: datetime | None = None,
) -> Session:
    """The requester accepts, declines, or asks for another time (with a note or a time they
    would rather have); the agent who proposed it is told."""
    if actor.pk != session.requester_id:
        raise NotPermitted(_("Only the person invited answers this session."))
    session = _locked(session)
    _check("respond", session)
    now = timezone.now()
    note = note.strip()
    errors = _text_errors(note=note)
    if answer not in Answer.values:
        errors["answer"] = [_("Choose accept, decline or ask for another time.")]
    elif session.starts_at <= now:
        errors["answer"] = [_("The session has already started.")]
    if answer == Answer.NEW_TIME:
        if proposed_starts_at is None and not note:
            errors["note"] = [_("Say which time suits you better.")]
        elif proposed_starts_at is not None and proposed_starts_at <= now:
            errors["proposed_starts_at"] = [_("Choose a time in the future.")]
    if errors:
        raise ValidationFailed(errors)
    session.status = ANSWER_STATUS[answer]
    session.response_note = note
    session.proposed_starts_at = proposed_starts_at if answer == Answer.NEW_TIME else None
    session.responded_at = session.updated_at = now
    session.save()
    extra = {}
    if session.proposed_starts_at:
        extra["proposed_starts_at"] = session.proposed_starts_at.isoformat()
    event = events.event_session(
        session.ticket, actor, now, what=ANSWER_STEP[answer], body=note, **extra, **_facts(session)
    )
    notify(
        "appointments.response",
        session,
        [session.organizer],
        {"session": session, "ticket": session.ticket, "tz": session.organizer.time_zone},
        dedup_key=f"appointments.session:{session.pk}:response:{event.pk}",
    )
    return session


@transaction.atomic
def session_outcome_record(*, session: Session, actor, outcome: str, notes: str = "") -> Session:
    """Once it has started: whether the session was held or the requester did not join, and
    what came of it (an internal row on the timeline)."""
    staff_check(actor)
    session = _locked(session)
    _check("outcome", session)
    now = timezone.now()
    errors = _text_errors(notes=notes)
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose held or no-show.")]
    elif session.starts_at > now:
        errors["outcome"] = [_("The session has not started yet.")]
    if errors:
        raise ValidationFailed(errors)
    session.status = Status(outcome)
    session.outcome_notes = notes.strip()
    session.next_check_at = None
    session.updated_at = now
    session.save()
    events.event_session(
        session.ticket,
        actor,
        now,
        what=OUTCOME_STEP[outcome],
        body=session.outcome_notes,
        public=False,
        outcome=outcome,
        **_facts(session),
    )
    return session


def session_reminder_due(session: Session, now: datetime) -> None:
    """The due-work handler: remind the requester and the agent once, before the start.

    Runs in the sweep's transaction, the row locked. A session declined, waiting for another
    time, or already over gets no reminder.
    """
    session.next_check_at = None
    due = session.status in (Status.PROPOSED, Status.ACCEPTED) and session.ends_at > now
    if due and session.reminded_at is None:
        for person, other in (
            (session.requester, session.organizer),
            (session.organizer, session.requester),
        ):
            notify(
                "appointments.reminder",
                session,
                [person],
                {
                    "session": session,
                    "ticket": session.ticket,
                    "tz": person.time_zone,
                    "other": other,
                    "for_requester": person.pk == session.requester_id,
                },
                dedup_key=f"appointments.session:{session.pk}:{session.sequence}:reminder:{person.pk}",
            )
        session.reminded_at = now
        events.event_session(
            session.ticket, None, now, what=REMINDED, public=False, **_facts(session)
        )
    session.save(update_fields=["next_check_at", "reminded_at"])
