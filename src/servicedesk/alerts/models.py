"""Monitoring integrations, the raw events they send, and the alerts made from them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import SupportGroup
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.catalog.models import Service
from servicedesk.core.visibility import EVERYTHING, NOTHING, VisibleQuerySet, action_check
from servicedesk.tickets.priority import Level


class Source(models.TextChoices):
    ALERTMANAGER = "alertmanager", _("Prometheus Alertmanager")
    PAGERDUTY = "pagerduty", _("PagerDuty Events API v2")
    GENERIC = "generic", _("Generic JSON")


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Info")


def default_severity_map() -> dict:
    """Critical is a P1 (high × high); a warning opens a low-priority proactive incident."""
    return {
        Severity.CRITICAL: {"impact": Level.HIGH, "urgency": Level.HIGH},
        Severity.ERROR: {"impact": Level.HIGH, "urgency": Level.MEDIUM},
        Severity.WARNING: {"impact": Level.LOW, "urgency": Level.MEDIUM},
        Severity.INFO: {"impact": Level.LOW, "urgency": Level.LOW},
    }


class StaffOnly(models.Model):
    """Monitoring data is the desk's: active desk staff see it, nobody else."""

    class Meta:
        abstract = True

    @classmethod
    def visibility_rule(cls, user, action: str = "view") -> Q:
        action_check(cls, action, ("view",))
        return (
            EVERYTHING
            if user.is_authenticated and user.is_active and is_staff_member(user)
            else NOTHING
        )


class Integration(StaffOnly):
    """A monitoring system that sends alerts: its format, where its incidents go, its key.

    The routing key is shown once, when it is made or rotated; only its SHA-256 is stored, and
    intake looks the integration up by that hash.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    source = models.CharField(_("source format"), max_length=20, choices=Source.choices)
    service = models.ForeignKey(
        Service, verbose_name=_("service"), null=True, blank=True, on_delete=models.PROTECT
    )
    assignment_group = models.ForeignKey(
        SupportGroup,
        verbose_name=_("assignment group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(_("key ends in"), max_length=8, editable=False)
    severity_map = models.JSONField(_("severity mapping"), default=default_severity_map)
    auto_resolve = models.BooleanField(
        _("resolve the incident when its alerts clear"),
        default=False,
        help_text=_(
            "Off: the agent is told that all alerts cleared and confirms that the service is "
            "restored."
        ),
    )
    correlation_window = models.PositiveIntegerField(_("correlation window (minutes)"), default=30)
    correlation_labels = models.JSONField(
        _("correlation labels"),
        default=list,
        blank=True,
        help_text=_("Alerts with the same values of these labels share an incident."),
    )
    rate_limit = models.PositiveIntegerField(_("events per minute"), default=1200)
    # The account its incidents are logged under: a system account that is never emailed.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("monitoring integration")
        verbose_name_plural = _("monitoring integrations")

    def __str__(self) -> str:
        return self.name


class RawEvent(models.Model):
    """One request body as it arrived, and what intake read from it; processed in batches.

    `items` holds the normalised alert changes (key, action, severity, summary, …). A row with
    no `processed_at` waits for the processor; one that failed keeps its error and waits for
    a retry from the admin.
    """

    # Indexed by `alerts_rawevent_recent` (integration, id), which also serves the foreign key.
    # No database constraint: every INSERT would take a share lock on the one integration row
    # (a MultiXact under concurrent intake, and a wait behind the processor's claim). Intake
    # writes only ids it has just read; deleting an integration deletes its events (Django).
    integration = models.ForeignKey(
        Integration,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    received_at = models.DateTimeField()
    body = models.TextField()
    items = models.JSONField(default=list)
    processed_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["integration", "id"],
                condition=Q(processed_at__isnull=True, failed_at__isnull=True),
                name="alerts_rawevent_pending_idx",
            ),
            models.Index(fields=["integration", "id"], name="alerts_rawevent_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.integration_id}:{self.pk}"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class Alert(StaffOnly):
    """One problem a monitor reports, under one key, from first trigger to resolve.

    At most one alert per integration and key is not resolved; repeats raise `count`. After a
    resolve, the same key opens a new alert.
    """

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="alerts")
    dedup_key = models.CharField(max_length=255)
    status = models.CharField(max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    summary = models.CharField(max_length=1024)
    source = models.CharField(max_length=255, blank=True)
    labels = models.JSONField(default=dict, blank=True)
    details = models.JSONField(default=dict, blank=True)
    links = models.JSONField(default=list, blank=True)
    count = models.PositiveIntegerField(default=1)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    correlation_key = models.CharField(max_length=300, blank=True)
    incident = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "dedup_key"],
                condition=~Q(status="resolved"),
                name="alerts_alert_one_open_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["correlation_key", "-last_seen_at"], name="alerts_alert_corr"),
            models.Index(fields=["status", "-last_seen_at"], name="alerts_alert_status"),
        ]

    def __str__(self) -> str:
        return f"{self.dedup_key}: {self.summary}"
