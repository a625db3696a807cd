"""The maintenance window form of the admin and the console: the service checks the values."""

import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.alerts.models import MaintenanceWindow
from servicedesk.alerts.services.maintenance import maintenance_window_clean
from servicedesk.core.errors import ValidationFailed

FIELDS = [
    "title",
    "service",
    "configuration_item",
    "starts_at",
    "duration",
    "time_zone",
    "rrule",
    "is_public",
    "is_active",
]


class MaintenanceWindowForm(forms.ModelForm):
    """`starts_at` is typed as a wall-clock time in the window's time zone."""

    starts_at = forms.DateTimeField(
        label=_("starts (local time of the window's zone)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    time_zone = forms.CharField(
        label=_("time zone"),
        max_length=64,
        help_text=_("An IANA name, e.g. Europe/Bucharest."),
    )
    rrule = forms.CharField(
        label=_("recurrence (RRULE)"),
        required=False,
        max_length=1000,
        help_text=_("An RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=SU; empty for a one-off window."),
    )

    class Meta:
        model = MaintenanceWindow
        fields = FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's own "- Select an option -" has no Romanian in Django's catalogue.
        self.fields["service"].empty_label = _("None")
        self.fields["configuration_item"].empty_label = _("None")
        window = self.instance
        if window.pk and window.starts_at and not self.is_bound:
            local = window.starts_at.astimezone(zoneinfo.ZoneInfo(window.time_zone))
            self.initial["starts_at"] = local.replace(tzinfo=None)
        if not window.pk and not self.is_bound:
            self.initial.setdefault("time_zone", timezone.get_current_timezone_name())

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        values = {name: data.get(name) for name in FIELDS}
        # The form reads the time in the site's zone; it is meant in the window's.
        values["starts_at"] = timezone.localtime(data["starts_at"]).replace(tzinfo=None)
        try:
            self.checked = maintenance_window_clean(values)
        except ValidationFailed as error:
            for name, reasons in error.errors.items():
                self.add_error(name if name in self.fields else None, reasons)
        return data

    def values(self) -> dict:
        return dict(self.checked)
