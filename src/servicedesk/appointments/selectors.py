"""Every read of sessions, through `Session.visibility_rule`: desk staff see the sessions of the
tickets they may see, a requester only their own."""

from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from servicedesk.appointments.models import Session
from servicedesk.appointments.states import FINISHED, Status
from servicedesk.core.fields import id_from_text

RELATED = ("ticket", "organizer", "requester")

#: The console's list filters: which sessions by time.
UPCOMING, PAST, ALL = "upcoming", "past", "all"


def sessions_visible(*, user) -> QuerySet[Session]:
    return Session.objects.visible_to(user).select_related(*RELATED)


def session_get(*, user, pk: int) -> Session:
    """The session if `user` may see it; otherwise 404 (never 403: its existence is not told)."""
    pk = id_from_text(pk)
    session = sessions_visible(user=user).filter(pk=pk).first() if pk else None
    if session is None:
        raise Http404("No such session.")
    return session


def sessions_for_ticket(*, ticket, user) -> list[Session]:
    """A ticket's sessions as `user` may see them, the latest first."""
    rows = sessions_visible(user=user).filter(ticket=ticket)
    return list(rows.order_by("-starts_at", "-id"))


def sessions_list(
    *,
    user,
    now: datetime,
    when: str = UPCOMING,
    status: str = "",
    organizer=None,
    ticket_number: str = "",
) -> QuerySet[Session]:
    """The console's list: upcoming (not over, soonest first) or past (latest first)."""
    rows = sessions_visible(user=user)
    if when == UPCOMING:
        rows = rows.filter(ends_at__gte=now).exclude(status__in=FINISHED)
        rows = rows.order_by("starts_at", "id")
    elif when == PAST:
        rows = rows.filter(ends_at__lt=now) | rows.filter(status__in=FINISHED)
        rows = rows.order_by("-starts_at", "-id")
    else:
        rows = rows.order_by("-starts_at", "-id")
    if status in Status.values:
        rows = rows.filter(status=status)
    if organizer is not None:
        rows = rows.filter(organizer=organizer)
    if ticket_number and "\x00" not in ticket_number:
        rows = rows.filter(ticket__number=ticket_number.strip().upper())
    return rows
