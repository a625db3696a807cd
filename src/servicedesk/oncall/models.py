"""On-call schedules, escalation policies, running escalations, pages, and how each person is
reached (contact methods and notification rules)."""

import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import SupportGroup
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.catalog.models import Service
from servicedesk.core.due import DueWork
from servicedesk.core.visibility import EVERYTHING, NOTHING, VisibleQuerySet, action_check
from servicedesk.core.zones import validate_time_zone
from servicedesk.notifications.models import WebhookEndpoint
from servicedesk.tickets.models import Ticket


def new_token() -> str:
    return secrets.token_urlsafe(24)


_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def validate_restrictions(value) -> None:
    """A layer's restrictions: [{"weekdays": [0…6], "start": "HH:MM", "end": "HH:MM"}, …];
    weekdays default to every day, start and end to 00:00."""
    message = _(
        'Write a list of windows such as [{"weekdays": [0, 1, 2, 3, 4], "start": "18:00", '
        '"end": "09:00"}] (weekday 0 is Monday).'
    )
    if not isinstance(value, list):
        raise ValidationError(message, code="restrictions")
    for window in value:
        if not isinstance(window, dict) or set(window) - {"weekdays", "start", "end"}:
            raise ValidationError(message, code="restrictions")
        days = window.get("weekdays", list(range(7)))
        if not isinstance(days, list) or not days:
            raise ValidationError(message, code="restrictions")
        if any(type(day) is not int or not 0 <= day <= 6 for day in days):
            raise ValidationError(message, code="restrictions")
        for key in ("start", "end"):
            clock = window.get(key, "00:00")
            if not isinstance(clock, str) or not _CLOCK.fullmatch(clock):
                raise ValidationError(message, code="restrictions")


class StaffOnly(models.Model):
    """On-call data is the desk's: active desk staff see it, nobody else."""

    objects = VisibleQuerySet.as_manager()

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


class Schedule(StaffOnly):
    """Who is on call, hour by hour: layers of rotations in one time zone, and overrides."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Bucharest", validators=[validate_time_zone]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("on-call schedule")
        verbose_name_plural = _("on-call schedules")

    def __str__(self) -> str:
        return self.name


class Rotation(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    CUSTOM = "custom", _("Custom length")


class ScheduleLayer(models.Model):
    """One rotation of a schedule: participants in order, handing over every `length_days` at
    the wall-clock `handoff` time from `start`; restricted to weekly windows when any are set
    (`restrictions`: [{"weekdays": [0…6], "start": "18:00", "end": "09:00"}]). A higher
    `level` wins."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="layers")
    name = models.CharField(_("name"), max_length=120)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    rotation = models.CharField(
        _("rotation"), max_length=10, choices=Rotation.choices, default=Rotation.WEEKLY
    )
    length_days = models.PositiveSmallIntegerField(
        _("length in days"), default=7, help_text=_("Used by a custom rotation.")
    )
    start = models.DateField(_("first hand-off date"))
    handoff = models.TimeField(_("hand-off time"))
    restrictions = models.JSONField(
        _("restrictions"),
        default=list,
        blank=True,
        validators=[validate_restrictions],
        help_text=_(
            'Empty: always on duty. Else weekly windows in the schedule\'s clock, e.g. [{"weekdays": '
            '[0, 1, 2, 3, 4], "start": "18:00", "end": "09:00"}, {"weekdays": [5, 6]}] for '
            "weeknights and weekends (weekday 0 is Monday; an end not after the start runs into "
            "the next day)."
        ),
    )

    class Meta:
        ordering = ["schedule", "-level", "pk"]

    def __str__(self) -> str:
        return f"{self.schedule} · {self.name}"

    @property
    def days(self) -> int:
        return {Rotation.DAILY: 1, Rotation.WEEKLY: 7}.get(self.rotation, self.length_days)


class LayerParticipant(models.Model):
    layer = models.ForeignKey(ScheduleLayer, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["layer", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.layer}: {self.person}"


class ScheduleOverride(models.Model):
    """`person` is on call for `schedule` from `start` to `end`, whoever the layers say."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="overrides")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["schedule", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="oncall_override_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.schedule}: {self.person}"


class EscalationPolicy(StaffOnly):
    """Who is paged, in which order: levels, each with a delay before the next, the whole
    repeated `repeat` more times. Attached to a service (first choice) or a support group.
    `priorities` (empty: the setting SERVICEDESK_ONCALL_PAGE_PRIORITIES) say which incidents
    need paging."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    support_group = models.ForeignKey(
        SupportGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalation_policies",
        verbose_name=_("support group"),
    )
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalation_policies",
        verbose_name=_("service"),
    )
    repeat = models.PositiveSmallIntegerField(_("repeat"), default=0)
    priorities = models.JSONField(_("priorities that page"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")

    def __str__(self) -> str:
        return self.name


class EscalationLevel(models.Model):
    """One step of a policy: whom to page, and how long to wait before the next step."""

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField(default=0)
    delay_minutes = models.PositiveIntegerField(_("minutes before the next level"), default=15)
    people = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    schedules = models.ManyToManyField(Schedule, blank=True, related_name="+")
    groups = models.ManyToManyField(SupportGroup, blank=True, related_name="+")

    class Meta:
        ordering = ["policy", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.policy} · {self.position + 1}"


class Escalation(StaffOnly, DueWork):
    """A policy running for one incident, from the snapshot taken when it started (a policy
    edited later does not change it). `next_check_at` is when its next level is due."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Paging")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        STOPPED = "stopped", _("Stopped")
        EXHAUSTED = "exhausted", _("Nobody answered")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations")
    policy = models.ForeignKey(
        EscalationPolicy, null=True, on_delete=models.SET_NULL, related_name="escalations"
    )
    snapshot = models.JSONField(default=dict)
    state = models.CharField(max_length=12, choices=State.choices, default=State.ACTIVE)
    level = models.PositiveSmallIntegerField(default=0)
    repeat = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [*DueWork.Meta.indexes]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(state="active"),
                name="oncall_one_active_escalation_per_ticket",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} · {self.state}"


class ContactMethod(models.Model):
    """A way to reach a person: an email address, a phone for SMS or voice, a push or chat
    webhook. Anything but email is a POST to the provider's webhook endpoint (`endpoint`)."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        VOICE = "voice", _("Voice call")
        PUSH = "push", _("Push")
        CHAT = "chat", _("Chat")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_methods"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    address = models.CharField(
        _("address"), max_length=200, help_text=_("Email address, phone number or chat handle.")
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("provider webhook"),
    )
    label = models.CharField(_("label"), max_length=100, blank=True)

    class Meta:
        ordering = ["person", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.address}"


class NotificationRule(models.Model):
    """Page `person` by `method` this many minutes after the page began."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paging_rules"
    )
    method = models.ForeignKey(ContactMethod, on_delete=models.CASCADE, related_name="rules")
    delay_minutes = models.PositiveIntegerField(_("after minutes"), default=0)

    class Meta:
        ordering = ["person", "delay_minutes", "pk"]

    def __str__(self) -> str:
        return f"{self.method} +{self.delay_minutes} min"


class Page(StaffOnly, DueWork):
    """One person paged by one step of an escalation. `plan` holds the person's notification
    rules as they were when the page began ({"delay": minutes, "method": id, "kind": …}),
    `sent` how many of them have gone out; `next_check_at` is when the next one is due. The
    acknowledge link carries `token`, signed; it works once (`used_at`) and expires."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="pages")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pages"
    )
    level = models.PositiveSmallIntegerField(default=0)
    repeat = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    plan = models.JSONField(default=list)
    sent = models.PositiveSmallIntegerField(default=0)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [*DueWork.Meta.indexes]

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.person_id}"


class CalendarFeed(models.Model):
    """A person's private iCalendar feed of their shifts, reached by a secret token."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oncall_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    rotated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.person)
