import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import SupportGroup, Tier
from servicedesk.accounts.permissions import group_ids_of, is_staff_member
from servicedesk.catalog.models import Category, ConfigurationItem, DiagnosticQuestion, Service
from servicedesk.core.visibility import (
    EVERYTHING,
    NOTHING,
    VisibleQuerySet,
    action_check,
    is_visible,
    visible_through,
)
from servicedesk.tickets.priority import Level, Priority
from servicedesk.tickets.states import OPEN_STATUSES, CancelReason, HoldReason, Status


class Kind(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    SERVICE_REQUEST = "request", _("Service request")


NUMBER_PREFIX = {Kind.INCIDENT: "INC", Kind.SERVICE_REQUEST: "REQ"}


class Channel(models.TextChoices):
    PORTAL = "portal", _("Self-service portal")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    API = "api", _("API")
    MONITORING = "monitoring", _("Monitoring")


class TicketQuerySet(VisibleQuerySet):
    """`visible_to(user)` filters by `Ticket.visibility_rule` (core.visibility)."""

    def open(self) -> "TicketQuerySet":
        return self.filter(status__in=OPEN_STATUSES)


class Ticket(models.Model):
    """An incident or a service request, from logging to closure.

    Status changes only through tickets.services and the table in tickets.states.
    """

    number = models.CharField(max_length=16, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INCIDENT)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    hold_reason = models.CharField(max_length=20, choices=HoldReason.choices, blank=True)
    cancel_reason = models.CharField(max_length=20, choices=CancelReason.choices, blank=True)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_tickets"
    )
    # What the requester's contact details were when the ticket was logged.
    requester_name = models.CharField(max_length=200)
    requester_email = models.EmailField(blank=True)
    requester_phone = models.CharField(max_length=40, blank=True)
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.PORTAL)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    symptoms = models.TextField(blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT)
    configuration_item = models.ForeignKey(
        ConfigurationItem, null=True, blank=True, on_delete=models.PROTECT
    )
    impact = models.CharField(max_length=6, choices=Level.choices, default=Level.MEDIUM)
    urgency = models.CharField(max_length=6, choices=Level.choices, default=Level.MEDIUM)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.P3)

    assignment_group = models.ForeignKey(
        SupportGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.L1)
    reassignment_count = models.PositiveIntegerField(default=0)
    escalation_count = models.PositiveIntegerField(default=0)
    reopen_count = models.PositiveIntegerField(default=0)
    manager_escalated_at = models.DateTimeField(null=True, blank=True)
    # A major incident gets the full response (and is never closed automatically).
    is_major = models.BooleanField(default=False)
    # A restricted ticket (a security incident, a personal-data breach) is seen only by the
    # members and manager of `restricted_group` and the people listed in `restricted_people`;
    # administrators are not exempt. Set only by services.ticket_restrict / ticket_unrestrict.
    is_restricted = models.BooleanField(default=False)
    restricted_group = models.ForeignKey(
        SupportGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    restricted_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="TicketAccess",
        through_fields=("ticket", "user"),
        blank=True,
        related_name="restricted_tickets",
    )

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )

    resolution_code = models.CharField(max_length=30, blank=True)
    # Who resolved it (the assignee may be nobody: an L3 engineer can fix a ticket nobody took).
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution_notes = models.TextField(blank=True)
    service_restored = models.BooleanField(null=True)

    reported_at = models.DateTimeField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    # Bumped by every write; the API's ETag, so a stale edit gets 412, not an overwrite.
    version = models.PositiveIntegerField(default=1)

    objects = TicketQuerySet.as_manager()

    class Meta:
        indexes = [
            # The agent's queue: a group's open tickets by priority then age.
            models.Index(
                fields=["assignment_group", "priority", "created_at", "id"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="ticket_open_queue_idx",
            ),
            models.Index(
                fields=["assignee", "priority", "created_at"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="ticket_open_assignee_idx",
            ),
            # The console's queues by tier, and their counts.
            models.Index(
                fields=["tier", "priority", "created_at", "id"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="ticket_open_tier_idx",
            ),
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_idx"),
            models.Index(fields=["status", "-updated_at"], name="ticket_status_updated_idx"),
            models.Index(fields=["-created_at", "-id"], name="ticket_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @classmethod
    def visibility_rule(cls, user, action: str = "view") -> Q:
        """The one visibility rule of tickets, for every list, count, search, report and check.

        Inactive and anonymous people see nothing; desk staff see the desk's tickets, a requester
        only their own; and a restricted ticket only the members and manager of its group and the
        people listed on it. The restriction is written so that the queue indexes still serve
        the common case: `NOT is_restricted OR group IN (…) OR id IN (listed for this person)`.
        """
        action_check(cls, action, ("view",))
        if not user.is_authenticated or not user.is_active:
            return NOTHING
        if is_staff_member(user):
            scope = EVERYTHING
            groups = sorted(group_ids_of(user))
        else:
            # Support groups are the desk's: a requester sees a restricted ticket of theirs only
            # when listed on it (ticket_restrict keeps them unless told not to).
            scope = Q(requester_id=user.pk)
            groups = []
        listed = TicketAccess.objects.filter(user_id=user.pk).values("ticket_id")
        allowed = Q(is_restricted=False) | Q(pk__in=listed)
        if groups:
            allowed |= Q(restricted_group_id__in=groups)
        return scope & allowed

    def is_visible_to(self, user) -> bool:
        """`visible_to` for one loaded ticket (one query, by the same rule)."""
        return is_visible(self, user)

    @property
    def is_rated(self) -> bool:
        try:
            return self.satisfaction is not None
        except Satisfaction.DoesNotExist:
            return False

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'


class TicketAccess(models.Model):
    """A person listed on a restricted ticket: they see it whatever their role or groups."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="access")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ticket_access"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            # User first: the visibility rule asks "which tickets is this person listed on".
            models.UniqueConstraint(fields=["user", "ticket"], name="ticket_access_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.ticket_id}"


def _public_only(user, rule: Q) -> Q:
    # Internal rows (notes, staff-only changes and files) are the desk's.
    return rule if is_staff_member(user) else rule & Q(is_public=True)


class Satisfaction(models.Model):
    """How the requester rated the handling of their ticket (1–5), once, after it closed."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="satisfaction")
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="satisfaction_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.rating}/5"


class TicketAlias(models.Model):
    """A number a ticket had before it was reclassified: links and emails that quote it still
    lead to the ticket (a permanent redirect), and it is never given to another ticket."""

    number = models.CharField(max_length=16, unique=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="aliases")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.number} → {self.ticket_id}"


class TicketEvent(models.Model):
    """One row of a ticket's append-only timeline: a change, a comment, a note, an escalation…

    It is the audit trail, the log of steps taken and the communication history at once.
    """

    class Type(models.TextChoices):
        CREATED = "created", _("Logged")
        CHANGED = "changed", _("Changed")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        ESCALATED = "escalated", _("Escalated")
        DE_ESCALATED = "de_escalated", _("De-escalated")
        MANAGER_ESCALATED = "manager_escalated", _("Escalated to the manager")
        RECLASSIFIED = "reclassified", _("Reclassified")
        COMMENT = "comment", _("Reply")
        NOTE = "note", _("Internal note")
        DIAGNOSIS = "diagnosis", _("Diagnosis")
        LINKED = "linked", _("Linked")
        EMAIL = "email", _("Email sent")
        SLA = "sla", _("Service level")
        RESTRICTED = "restricted", _("Access restricted")
        RATED = "rated", _("Rated by the requester")
        PAGING = "paging", _("Paging")
        MAJOR_INCIDENT = "major_incident", _("Major incident")
        SESSION = "session", _("Session with the requester")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20, choices=Type.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    # Public rows reach the requester; internal notes and staff-only changes never do.
    is_public = models.BooleanField(default=False)
    body = models.TextField(blank=True)
    # {"changes": [{"field", "from", "to"}], "reason": str, ...} — the what and the why.
    data = models.JSONField(default=dict, blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.type} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Timeline events are append-only.")
        super().save(*args, **kwargs)

    @classmethod
    def visibility_rule(cls, user, action: str = "view") -> Q:
        """Rows of tickets `user` sees; only the public ones for people outside the desk.

        A "linked" row names the other ticket by number: it is left out where that ticket exists
        and `user` may not see it (someone else's, a restricted one). A number no ticket bears
        any more (reclassified since) names nothing and leaves the row in.
        """
        action_check(cls, action, ("view",))
        rule = _public_only(user, visible_through("ticket", Ticket, user=user, action=action))
        named = Ticket.objects.filter(number=KeyTextTransform("ticket", OuterRef("data")))
        other_seen = Exists(named.filter(Ticket.visibility_rule(user, action)))
        return rule & (~Q(type=cls.Type.LINKED) | other_seen | ~Exists(named))


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Never the uploaded name: it could collide, traverse or carry a script extension.
    return f"attachments/{instance.ticket_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file attached to a comment or note; served only as a download to those who see it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        TicketEvent, on_delete=models.CASCADE, related_name="attachments", null=True
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @classmethod
    def visibility_rule(cls, user, action: str = "view") -> Q:
        """Files of tickets `user` sees; only the public ones for people outside the desk."""
        action_check(cls, action, ("view",))
        return _public_only(user, visible_through("ticket", Ticket, user=user, action=action))

    @property
    def safe_name(self) -> str:
        return PurePosixPath(self.original_name.replace("\\", "/")).name or "attachment"


class DiagnosisAnswer(models.Model):
    """An answer to one of the category's diagnostic questions, recorded during diagnosis."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="diagnosis")
    question = models.ForeignKey(DiagnosticQuestion, on_delete=models.PROTECT)
    question_text = models.CharField(max_length=250)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["question__position", "question_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "question"], name="diagnosis_one_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_text}: {self.answer}"


class TierStint(models.Model):
    """A stretch of time a ticket spent with one support group (and so at one tier)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="tier_stints")
    group = models.ForeignKey(SupportGroup, on_delete=models.PROTECT, related_name="+")
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"L{self.tier} {self.started_at:%Y-%m-%d %H:%M}"


class SavedView(models.Model):
    """A queue with its filters and sorting, saved under a name by one person of the desk.

    `query` is the console's query string (e.g. `queue=groups&priority=1,2&sort=-updated_at`).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_name_per_user")
        ]

    def __str__(self) -> str:
        return self.name
