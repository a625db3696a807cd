"""The public status page: components (business services), their status history, public
incidents with their updates, scheduled maintenance and email subscribers."""

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from servicedesk.catalog.models import Service
from servicedesk.statuspage.states import ComponentStatus, Impact, IncidentStatus


class _Bilingual:
    """A public text written in English with an optional Romanian version (`<field>_ro`)."""

    def _localized(self, field: str) -> str:
        if translation.get_language() == "ro":
            return getattr(self, f"{field}_ro") or getattr(self, field)
        return getattr(self, field)


class ComponentGroup(_Bilingual, models.Model):
    """A heading that gathers components on the page (e.g. "Collaboration")."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_ro = models.CharField(_("name (Romanian)"), max_length=120, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def public_name(self) -> str:
        return self._localized("name")


class Component(_Bilingual, models.Model):
    """A business service as the public sees it, with its current status.

    The status is written only by `services.component_status_set`, which records each change in
    `ComponentStatusChange` (the history behind the uptime bars)."""

    service = models.OneToOneField(
        Service,
        on_delete=models.PROTECT,
        related_name="status_component",
        verbose_name=_("service"),
    )
    group = models.ForeignKey(
        ComponentGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="components",
        verbose_name=_("group"),
    )
    name = models.CharField(_("public name"), max_length=120, unique=True)
    name_ro = models.CharField(_("public name (Romanian)"), max_length=120, blank=True)
    description = models.CharField(_("description"), max_length=250, blank=True)
    description_ro = models.CharField(_("description (Romanian)"), max_length=250, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=ComponentStatus.choices,
        default=ComponentStatus.OPERATIONAL,
    )
    is_public = models.BooleanField(_("shown on the status page"), default=True)
    only_show_if_degraded = models.BooleanField(_("only shown when not operational"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def public_name(self) -> str:
        return self._localized("name")

    @property
    def public_description(self) -> str:
        return self._localized("description")


class ComponentStatusChange(models.Model):
    """One change of a component's status: who, when, why (internal note), from which incident."""

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(max_length=24, choices=ComponentStatus.choices)
    previous = models.CharField(max_length=24, choices=ComponentStatus.choices)
    note = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    incident = models.ForeignKey(
        "PublicIncident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["at", "component"], name="statuspage_change_at_idx")]

    def __str__(self) -> str:
        return f"{self.component_id}: {self.previous} → {self.status}"


class PublicIncident(models.Model):
    """An incident as told to the public; linked to the internal ticket, which is never shown."""

    title = models.CharField(_("public title"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=IncidentStatus.choices,
        default=IncidentStatus.INVESTIGATING,
    )
    impact = models.CharField(
        _("impact"), max_length=10, choices=Impact.choices, default=Impact.NONE
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="public_incidents",
    )
    components = models.ManyToManyField(Component, blank=True, related_name="incidents")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    monitoring_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="statuspage_incident_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_resolved(self) -> bool:
        return self.status == IncidentStatus.RESOLVED


class IncidentUpdate(models.Model):
    """One public message of an incident at one status (the author is internal)."""

    incident = models.ForeignKey(PublicIncident, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=16, choices=IncidentStatus.choices)
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.status}"


class Maintenance(models.Model):
    """Planned work on some components between two instants, announced ahead of time.

    Its state comes from the clock: scheduled before `starts_at`, in progress until `ends_at`
    (its components show as under maintenance), completed after; or cancelled."""

    title = models.CharField(_("title"), max_length=200)
    message = models.TextField(_("message"))
    components = models.ManyToManyField(Component, related_name="maintenances")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.title

    def state_at(self, now) -> str:
        if self.cancelled_at:
            return "cancelled"
        if now < self.starts_at:
            return "scheduled"
        if now < self.ends_at:
            return "in_progress"
        return "completed"


class Subscriber(models.Model):
    """An email address that asked for the page's notices, of all components or some.

    Double opt-in: nothing but the confirmation mail is sent before `confirmed_at`; an
    unconfirmed subscription expires. `unsubscribed_at` ends it (one click from any notice)."""

    email = models.EmailField(unique=True)
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    all_components = models.BooleanField(default=True)
    components = models.ManyToManyField(Component, blank=True, related_name="subscribers")
    created_at = models.DateTimeField(default=timezone.now)
    confirm_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["confirmed_at"],
                name="statuspage_sub_active_idx",
                condition=models.Q(confirmed_at__isnull=False, unsubscribed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None
