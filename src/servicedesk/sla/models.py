from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import SupportGroup
from servicedesk.catalog.models import Category, Service
from servicedesk.core.caches import ReferenceDataModel
from servicedesk.core.due import DueWork
from servicedesk.sla.calendars import Calendar
from servicedesk.tickets.models import Kind, Ticket
from servicedesk.tickets.priority import Priority


class BusinessCalendar(ReferenceDataModel):
    """When SLA clocks run: 24×7, or opening hours in a time zone minus holidays and closures."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="Europe/Bucharest")
    always_open = models.BooleanField(_("24×7"), default=False)
    holiday_country = models.CharField(
        max_length=2, blank=True, help_text=_("ISO country code of public holidays, e.g. RO.")
    )
    holiday_subdivision = models.CharField(max_length=10, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def as_calendar(self) -> Calendar:
        """The pure calendar that sla.calendars computes with."""
        weekly: dict[int, list[tuple[int, int]]] = {}
        for interval in self.intervals.all():
            weekly.setdefault(interval.weekday, []).append(
                (interval.opens_minute, interval.closes_minute)
            )
        closed_dates, closures = set(), []
        for closure in self.closures.all():
            closures.append((closure.starts_at, closure.ends_at))
        return Calendar(
            time_zone=self.time_zone,
            always_open=self.always_open,
            weekly={day: tuple(sorted(spans)) for day, spans in weekly.items()},
            holiday_country=self.holiday_country or None,
            holiday_subdivision=self.holiday_subdivision or None,
            closed_dates=frozenset(closed_dates),
            closures=tuple(sorted(closures)),
        )


def _calendars_touch(calendar_ids: set[int]) -> None:
    # Running processes cache a calendar by its updated_at (sla.clocks.calendar_of), and the
    # update drops the cached policies with their calendars, as saving the calendar does.
    if calendar_ids:
        BusinessCalendar.objects.filter(pk__in=calendar_ids).update(updated_at=timezone.now())


class CalendarPartQuerySet(models.QuerySet):
    """Bulk writes of a calendar's intervals or closures (the admin's "delete selected",
    bulk_update) bypass the models' save() and delete(): they touch the calendar too."""

    def _calendar_ids(self) -> set[int]:
        return set(self.values_list("calendar_id", flat=True))

    def update(self, **kwargs):
        calendar_ids = self._calendar_ids()
        result = super().update(**kwargs)
        moved_to = kwargs.get("calendar_id", kwargs.get("calendar"))
        if moved_to is not None:
            calendar_ids.add(getattr(moved_to, "pk", moved_to))
        _calendars_touch(calendar_ids)
        return result

    def delete(self):
        calendar_ids = self._calendar_ids()
        result = super().delete()
        _calendars_touch(calendar_ids)
        return result

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        _calendars_touch({obj.calendar_id for obj in created})
        return created


class OpeningInterval(models.Model):
    """One opening span of a weekday, local to the calendar's time zone."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="intervals"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens_at = models.TimeField()
    closes_at = models.TimeField(help_text=_("00:00 means midnight at the end of the day."))

    objects = CalendarPartQuerySet.as_manager()

    class Meta:
        ordering = ["calendar", "weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")) | Q(closes_at="00:00"),
                name="interval_closes_after_it_opens",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _calendars_touch({self.calendar_id})

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        _calendars_touch({self.calendar_id})
        return result

    @property
    def opens_minute(self) -> int:
        return self.opens_at.hour * 60 + self.opens_at.minute

    @property
    def closes_minute(self) -> int:
        return self.closes_at.hour * 60 + self.closes_at.minute or 24 * 60


class Closure(models.Model):
    """A one-off closure of a calendar (an office move, a company day off)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="closures"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    objects = CalendarPartQuerySet.as_manager()

    class Meta:
        ordering = ["calendar", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="closure_ends_after_it_starts"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason or 'Closed'} {self.starts_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _calendars_touch({self.calendar_id})

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        _calendars_touch({self.calendar_id})
        return result


class SlaPolicy(ReferenceDataModel):
    """Targets for first response and resolution, chosen by priority and optionally narrowed.

    The most specific active policy wins (service and category count more than kind).
    """

    class BreachAction(models.TextChoices):
        NOTIFY = "notify", _("Notify the group manager")
        NEXT_TIER = "next_tier", _("Notify and escalate to the next tier")
        GROUP = "group", _("Notify and move to a named group")

    name = models.CharField(max_length=120)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, blank=True)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE)
    response_minutes = models.PositiveIntegerField(_("first response target (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution target (minutes)"))
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT)
    warning_thresholds = models.JSONField(
        default=list, blank=True, help_text=_("Percentages of the target, e.g. [75, 90].")
    )
    breach_action = models.CharField(
        max_length=10, choices=BreachAction.choices, default=BreachAction.NOTIFY
    )
    breach_group = models.ForeignKey(
        SupportGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["priority", "name"]
        verbose_name_plural = "SLA policies"

    def __str__(self) -> str:
        return self.name

    @property
    def specificity(self) -> int:
        return 4 * bool(self.service_id) + 2 * bool(self.category_id) + bool(self.kind)


class SlaClock(DueWork):
    """One running measure of a ticket: time to first response, or time to resolution.

    It keeps a snapshot of its policy's target, calendar and thresholds, so editing the policy
    later does not change a running clock. `next_check_at` (DueWork) is the next instant the
    due-work sweep has something to do (a warning or the breach); it is None while the clock is
    paused or stopped, or has nothing left to send, so the sweep reads only clocks whose time
    has come.
    """

    class Metric(models.TextChoices):
        RESPONSE = "response", _("First response")
        RESOLUTION = "resolution", _("Resolution")

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        STOPPED = "stopped", _("Stopped")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_clocks")
    metric = models.CharField(max_length=10, choices=Metric.choices)
    policy = models.ForeignKey(SlaPolicy, null=True, on_delete=models.SET_NULL, related_name="+")
    policy_name = models.CharField(max_length=120)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="+")
    target = models.DurationField()
    warning_thresholds = models.JSONField(default=list)
    breach_action = models.CharField(max_length=10, default=SlaPolicy.BreachAction.NOTIFY)
    breach_group = models.ForeignKey(
        SupportGroup, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    state = models.CharField(max_length=8, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField()
    # Business time accumulated before the current running stretch.
    elapsed_before = models.DurationField(default=timedelta)
    running_since = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    warned = models.JSONField(default=list, help_text=_("Thresholds already notified."))

    class Meta(DueWork.Meta):
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric"], name="one_clock_per_metric")
        ]
        indexes = [
            *DueWork.Meta.indexes,
            models.Index(fields=["state", "due_at"], name="sla_clock_state_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric} {self.state}"

    @property
    def is_breached(self) -> bool:
        return self.breached_at is not None


class SlaLedgerEntry(models.Model):
    """One line of a clock's history: why it started, paused, resumed, stopped or changed target.

    Every figure about a ticket's SLA can be explained from these lines.
    """

    class Event(models.TextChoices):
        START = "start", _("Started")
        PAUSE = "pause", _("Paused")
        RESUME = "resume", _("Resumed")
        STOP = "stop", _("Stopped")
        RETARGET = "retarget", _("Target changed")
        WARNING = "warning", _("Warning sent")
        BREACH = "breach", _("Breached")

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="ledger")
    at = models.DateTimeField()
    event = models.CharField(max_length=10, choices=Event.choices)
    # In English (the API, and lines from before causes had codes); `cause_code` and
    # `cause_args` say the same in the reader's language (sla/causes.py).
    cause = models.CharField(max_length=200)
    cause_code = models.CharField(max_length=30, blank=True)
    cause_args = models.JSONField(default=dict, blank=True)
    elapsed = models.DurationField(help_text=_("Business time counted at this moment."))
    target = models.DurationField()
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.event} {self.at:%Y-%m-%d %H:%M}"
