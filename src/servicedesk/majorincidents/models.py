"""Major incidents: a ticket declared a major incident, its roles, its bridge, the public updates
told to everyone affected, and the post-incident review written after it is resolved."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.core.due import DueWork
from servicedesk.core.visibility import VisibleQuerySet, action_check, visible_through
from servicedesk.tickets.models import Ticket


class MajorStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RESOLVED = "resolved", _("Resolved")


class MajorRole(models.TextChoices):
    COMMANDER = "commander", _("Incident commander")
    COMMUNICATIONS = "communications", _("Communications lead")
    SCRIBE = "scribe", _("Scribe")


class MajorIncident(DueWork):
    """A ticket declared a major incident: the full response for an outage.

    `next_check_at` is when the desk is to be reminded that no public update has gone out
    (the last update, or the declaration, plus `update_minutes`); None once reminded for this
    lapse, and once resolved.
    """

    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="major_incident")
    status = models.CharField(
        max_length=10, choices=MajorStatus.choices, default=MajorStatus.ACTIVE
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_at = models.DateTimeField()
    reason = models.TextField(blank=True)
    bridge_phone = models.CharField(max_length=40, blank=True)
    bridge_url = models.URLField(max_length=500, blank=True)
    #: how long the desk may go without a public update before it is reminded
    update_minutes = models.PositiveIntegerField(default=30)
    last_update_at = models.DateTimeField(null=True, blank=True)
    #: the first public update that said the service works again
    mitigated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        # DueWork's partial index, under a name short enough for Django's limit of 30.
        indexes = [
            models.Index(
                fields=["next_check_at"],
                condition=Q(next_check_at__isnull=False),
                name="major_incident_due_idx",
            )
        ]
        ordering = ["-declared_at", "-id"]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.ticket.title}"

    @property
    def is_active(self) -> bool:
        return self.status == MajorStatus.ACTIVE

    @property
    def update_due_at(self):
        return (self.last_update_at or self.declared_at) + timedelta(minutes=self.update_minutes)

    @classmethod
    def visibility_rule(cls, user, action: str = "view") -> Q:
        """Desk staff who may see the ticket; nobody else."""
        action_check(cls, action, ("view",))
        if not (is_staff_member(user) and user.is_active):
            return Q(pk__in=[])
        return visible_through("ticket", Ticket, user=user, action=action)


class RoleAssignment(models.Model):
    """Who holds a role of a major incident, who gave it and when; `ended_at` once replaced."""

    major = models.ForeignKey(MajorIncident, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=MajorRole.choices)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["major", "role"],
                condition=Q(ended_at__isnull=True),
                name="major_role_current_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.major_id} {self.role} {self.person_id}"


class PublicUpdate(models.Model):
    """One public update of a major incident, as told to every linked ticket's requester."""

    major = models.ForeignKey(MajorIncident, on_delete=models.CASCADE, related_name="updates")
    body = models.TextField()
    #: this update says the service works again (the end of the impact window)
    mitigated = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    tickets_count = models.PositiveIntegerField(default=0)
    recipients_count = models.PositiveIntegerField(default=0)
    on_status_page = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.major_id} {self.created_at:%Y-%m-%d %H:%M}"


class Review(models.Model):
    """The post-incident review, created when the major incident is resolved.

    The instants are computed then from the ticket, its linked tickets and its timeline (see
    docs/majorincidents.md); the root cause, contributing factors and action items are written
    by the desk afterwards.
    """

    major = models.OneToOneField(MajorIncident, on_delete=models.CASCADE, related_name="review")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    #: [{"at": iso, "what": str}], the timeline's milestones in order, in English
    summary = models.JSONField(default=list, blank=True)
    impact_started_at = models.DateTimeField()
    detected_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField()
    mitigated_at = models.DateTimeField()
    resolved_at = models.DateTimeField()
    linked_tickets = models.PositiveIntegerField(default=0)
    requesters = models.PositiveIntegerField(default=0)
    root_cause = models.TextField(blank=True)
    contributing_factors = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Review of {self.major_id}"

    @property
    def time_to_detect(self) -> timedelta:
        return self.detected_at - self.impact_started_at

    @property
    def time_to_acknowledge(self) -> timedelta:
        return self.acknowledged_at - self.detected_at

    @property
    def time_to_mitigate(self) -> timedelta:
        return self.mitigated_at - self.detected_at

    @property
    def time_to_resolve(self) -> timedelta:
        return self.resolved_at - self.detected_at


class ActionItem(models.Model):
    """Something to do so that the outage does not come back, with its owner and due date."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
