"""Monitoring integrations, the raw events they send, and the alerts made from them."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import SupportGroup
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.catalog.models import ConfigurationItem, Service
from servicedesk.core.due import DueWork
from servicedesk.core.visibility import EVERYTHING, NOTHING, VisibleQuerySet, action_check
from servicedesk.tickets.priority import Level


class Source(models.TextChoices):
    ALERTMANAGER = "alertmanager", _("Prometheus Alertmanager")
    PAGERDUTY = "pagerduty", _("PagerDuty Events API v2")
    GENERIC = "generic", _("Generic JSON")
    EMAIL = "email", _("Email (an alerts mailbox)")


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
    page_on_call = models.BooleanField(
        _("page the on-call"),
        default=False,
        help_text=_(
            "On: every incident it opens pages the on-call of the escalation policy of its "
            "service or group, whatever its priority and tier."
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
    # --- Flapping (docs/alerts.md, "Flapping") ----------------------------------------------
    flap_changes = models.PositiveIntegerField(
        _("flapping: state changes"),
        default=5,
        validators=[MinValueValidator(2)],
        help_text=_("This many state changes of one alert within the window make it flapping."),
    )
    flap_window = models.PositiveIntegerField(
        _("flapping: window (minutes)"), default=30, validators=[MinValueValidator(1)]
    )
    flap_hold = models.PositiveIntegerField(
        _("flapping: hold-down (minutes)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("A flapping alert's notifications are held until it is stable this long."),
    )
    # --- end of flapping ---------------------------------------------------------------------
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
    # --- Flapping and maintenance windows (docs/alerts.md) -----------------------------------
    # Its key is flapping (AlertFlap): its notifications are held.
    flapping = models.BooleanField(_("flapping"), default=False)
    # It fired inside a maintenance window: recorded, no incident, nobody paged.
    in_maintenance = models.BooleanField(_("in maintenance"), default=False)
    maintenance_window = models.ForeignKey(
        "alerts.MaintenanceWindow",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
    )
    # --- end of flapping and maintenance windows ---------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# Flapping and maintenance windows (docs/alerts.md, "Flapping" and "Maintenance windows")


class AlertFlap(DueWork):
    """The state changes of one alert key of an integration, across its alerts (a resolve
    closes an alert, the next trigger opens a new one under the same key).

    A row is made at the key's first resolve. `changes` keeps the instants of the last state
    changes within the integration's window; `next_check_at` is when a flapping key will have
    been stable for the hold-down time (the due-work sweep then ends its flapping).
    """

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="+")
    dedup_key = models.CharField(max_length=255)
    changes = models.JSONField(default=list, blank=True)
    last_change_at = models.DateTimeField(null=True, blank=True)
    flapping = models.BooleanField(default=False)
    flapping_since = models.DateTimeField(null=True, blank=True)
    # State changes while flapping, whose notifications were held.
    held = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "dedup_key"], name="alerts_alertflap_one_per_key"
            )
        ]
        indexes = [*DueWork.Meta.indexes]

    def __str__(self) -> str:
        return f"{self.integration_id}:{self.dedup_key}"


class MaintenanceWindow(StaffOnly, DueWork):
    """Planned work on a service or a configuration item: one-off, or recurring by an RFC 5545
    RRULE, in its own time zone (an occurrence at 02:00 stays at 02:00 local across DST).

    Alerts inside an occurrence are recorded "in maintenance" and open no incident.
    `next_check_at` is the end of the current or next occurrence: the sweep then releases the
    alerts still firing (they open or join their incident).
    """

    title = models.CharField(_("title"), max_length=200)
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    configuration_item = models.ForeignKey(
        ConfigurationItem,
        verbose_name=_("configuration item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The first occurrence's start; its wall-clock time in `time_zone` is the recurrence's.
    starts_at = models.DateTimeField(_("starts"))
    duration = models.PositiveIntegerField(_("duration (minutes)"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    rrule = models.TextField(
        _("recurrence (RRULE)"),
        blank=True,
        help_text=_("An RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=SU; empty for a one-off window."),
    )
    is_public = models.BooleanField(
        _("shown on the status page"),
        default=False,
        help_text=_("Public windows of a service with a status page component are shown there."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        indexes = [
            models.Index(
                fields=["next_check_at"],
                condition=Q(next_check_at__isnull=False),
                name="alerts_mwindow_due_idx",
            )
        ]

    def __str__(self) -> str:
        return self.title


# ---------------------------------------------------------------------------------------------
# Surge detection: many user tickets about one service (or category) in a short time, the
# earliest sign of an outage that monitoring missed (alerts/services/surge.py).


class SurgeMode(models.TextChoices):
    OPEN = "open", _("Open the incident")
    PROPOSE = "propose", _("Propose the incident to an agent")


SURGE_THRESHOLD = 5
SURGE_WINDOW_MINUTES = 15


class SurgeRule(models.Model):
    """How many tickets in how many minutes make a surge, for one service, one category, or
    (neither set) every other one. Without a global rule the defaults apply: 5 in 15 minutes,
    opened at once."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), null=True, blank=True, on_delete=models.CASCADE
    )
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    threshold = models.PositiveSmallIntegerField(
        _("tickets"),
        default=SURGE_THRESHOLD,
        validators=[MinValueValidator(2)],
        help_text=_("A surge is at least this many tickets…"),
    )
    window_minutes = models.PositiveIntegerField(
        _("within (minutes)"),
        default=SURGE_WINDOW_MINUTES,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    mode = models.CharField(
        _("then"), max_length=10, choices=SurgeMode.choices, default=SurgeMode.OPEN
    )
    assignment_group = models.ForeignKey(
        SupportGroup,
        verbose_name=_("assignment group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Left empty: the category's group, else the service desk (L1)."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Off: no surge is detected for this scope.")
    )

    class Meta:
        verbose_name = _("surge rule")
        verbose_name_plural = _("surge rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=True) | Q(category__isnull=True),
                name="alerts_surgerule_one_scope",
            ),
            # One rule per service, per category, and one global rule.
            models.UniqueConstraint(
                Coalesce("service", Value(0)),
                Coalesce("category", Value(0)),
                name="alerts_surgerule_unique_scope",
            ),
        ]

    def __str__(self) -> str:
        scope = self.service or self.category or _("every service and category")
        return f"{scope}: {self.threshold} / {self.window_minutes} min"


class SurgeScope(models.Model):
    """The row locked while a new ticket is weighed for a surge of its service (or category),
    so that two tickets logged at once cannot open two surge incidents."""

    key = models.CharField(max_length=40, unique=True)  # "service:<id>" or "category:<id>"

    def __str__(self) -> str:
        return self.key


class SurgeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    OPEN = "open", _("Incident opened")
    DISMISSED = "dismissed", _("Dismissed")


class Surge(StaffOnly):
    """One surge: the tickets that made it, and the incident opened for it (at once, or when an
    agent confirms the proposal). While the incident is open, new tickets of the scope join it."""

    scope = models.ForeignKey(SurgeScope, on_delete=models.CASCADE, related_name="surges")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=SurgeStatus.choices)
    # The rule as it was when the surge was detected.
    threshold = models.PositiveSmallIntegerField()
    window_minutes = models.PositiveIntegerField()
    group = models.ForeignKey(
        SupportGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    incident = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tickets = models.ManyToManyField("tickets.Ticket", related_name="surges", blank=True)
    detected_at = models.DateTimeField()
    last_ticket_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["-detected_at", "-id"]
        verbose_name = _("surge")
        verbose_name_plural = _("surges")
        constraints = [
            models.UniqueConstraint(
                fields=["scope"],
                condition=Q(status="proposed"),
                name="alerts_surge_one_proposal_per_scope",
            )
        ]
        indexes = [models.Index(fields=["status", "-detected_at"], name="alerts_surge_status")]

    def __str__(self) -> str:
        return f"{self.service or self.category}: {self.get_status_display()}"


# ---------------------------------------------------------------------------------------------
# The email integration: alerts mailed to an alerts mailbox (alerts/services/email.py).


class EmailEvent(models.Model):
    """The mail a raw event came in. The raw message is mail intake's (its InboundMessage),
    linked by id as plain data: mail intake and alerts are peers and share no model."""

    raw_event = models.OneToOneField(
        RawEvent, on_delete=models.CASCADE, primary_key=True, related_name="email"
    )
    inbound_message_id = models.PositiveBigIntegerField(unique=True)
    message_id = models.CharField(max_length=250, blank=True)

    def __str__(self) -> str:
        return f"{self.raw_event_id} ← mail {self.inbound_message_id}"
