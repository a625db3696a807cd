import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.appointments.states import Kind, Status
from servicedesk.core.due import DueWork
from servicedesk.core.visibility import NOTHING, VisibleQuerySet, action_check, visible_through
from servicedesk.tickets.models import Ticket


def _uid() -> str:
    return f"{uuid.uuid4()}@{settings.SERVICEDESK_MESSAGE_ID_DOMAIN}"


class SessionQuerySet(VisibleQuerySet):
    pass


class Session(DueWork):
    """A phone or video session an agent arranges with a ticket's requester.

    Sent as an iCalendar invitation whose `uid` never changes and whose `sequence` rises with
    each change (moved, cancelled), so calendar programs update the one event. `next_check_at`
    is when the reminder is due (sent once: `reminded_at`), None once sent or over.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sessions")
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sessions_organized"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sessions_attended"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    phone = models.CharField(_("phone number"), max_length=40, blank=True)
    link = models.URLField(_("video link"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    uid = models.CharField(max_length=250, unique=True, default=_uid)
    sequence = models.PositiveIntegerField(default=0)
    # The requester's answer: their note and the time they would rather have.
    response_note = models.TextField(blank=True)
    proposed_starts_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    outcome_notes = models.TextField(blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = SessionQuerySet.as_manager()

    class Meta(DueWork.Meta):
        ordering = ["starts_at", "id"]
        indexes = [
            *DueWork.Meta.indexes,
            models.Index(fields=["organizer", "starts_at"], name="session_organizer_idx"),
            models.Index(fields=["requester", "starts_at"], name="session_requester_idx"),
            models.Index(fields=["starts_at"], name="session_starts_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ticket_id} {self.starts_at:%Y-%m-%d %H:%M}"

    @classmethod
    def visibility_rule(cls, user, action: str = "view") -> Q:
        """Desk staff see the sessions of the tickets they may see; a requester their own."""
        action_check(cls, action, ("view",))
        if not user.is_authenticated or not user.is_active:
            return NOTHING
        of_visible_ticket = visible_through("ticket", Ticket, user=user)
        if is_staff_member(user):
            return of_visible_ticket
        return of_visible_ticket & Q(requester_id=user.pk)

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def place(self) -> str:
        """Where it happens: the phone number or the video link."""
        return self.phone if self.kind == Kind.PHONE else self.link
