from django import forms
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import User
from servicedesk.accounts.selectors import desk_staff_active, groups_active
from servicedesk.catalog.selectors import services_active
from servicedesk.notifications.models import WebhookEndpoint
from servicedesk.oncall.models import ContactMethod, Rotation, Schedule
from servicedesk.tickets.priority import Priority


class ContactMethodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactMethod.Kind.choices)
    address = forms.CharField(label=_("Address or number"), max_length=200)
    endpoint = forms.ModelChoiceField(
        label=_("Provider webhook"),
        queryset=WebhookEndpoint.objects.filter(is_active=True),
        required=False,
        empty_label=_("None"),
        help_text=_("For SMS, voice, push and chat: the provider that delivers it."),
    )
    label = forms.CharField(label=_("Label"), max_length=100, required=False)


class RuleForm(forms.Form):
    method = forms.ModelChoiceField(
        label=_("Contact method"), queryset=ContactMethod.objects.none(), empty_label=_("Choose…")
    )
    delay_minutes = forms.IntegerField(
        label=_("After minutes"), min_value=0, max_value=1440, initial=0
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].queryset = ContactMethod.objects.filter(person=person)


class _Moment(forms.DateTimeField):
    """Read in the person's own time zone (activated for each request), kept in UTC."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OverrideForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Who is on call instead"), queryset=User.objects.none(), empty_label=_("Choose…")
    )
    start = _Moment(label=_("From"))
    end = _Moment(label=_("Until"))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = desk_staff_active()


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=None, required=False, empty_label=_("None")
    )
    support_group = forms.ModelChoiceField(
        label=_("Support group"), queryset=None, required=False, empty_label=_("None")
    )
    priorities = forms.TypedMultipleChoiceField(
        label=_("Priorities that page"),
        choices=[(p.value, f"P{p.value}") for p in Priority],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: the desk's default (P1 and P2)."),
    )
    repeat = forms.IntegerField(
        label=_("Repeat the whole policy"), min_value=0, max_value=10, initial=0
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services_active()
        self.fields["support_group"].queryset = groups_active()


class LevelForm(forms.Form):
    delay_minutes = forms.IntegerField(
        label=_("Minutes before the next level"), min_value=0, max_value=1440, initial=15
    )
    people = forms.ModelMultipleChoiceField(
        label=_("People"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    schedules = forms.ModelMultipleChoiceField(
        label=_("Whoever is on call for"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Every active member of"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = desk_staff_active()
        self.fields["schedules"].queryset = Schedule.objects.order_by("name")
        self.fields["groups"].queryset = groups_active()


class ScheduleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        initial="Europe/Bucharest",
        help_text=_("An IANA name, e.g. Europe/Bucharest."),
    )


#: restriction windows a new layer's form offers (a layer that has more gets one spare)
WINDOWS = 3


class LayerForm(forms.Form):
    """A layer, its weekly windows as `window<N>_days`, `_start`, `_end` fields; `clean()` turns
    them into the layer's `restrictions` (none chosen: always on duty)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    level = forms.IntegerField(
        label=_("Level"),
        min_value=1,
        max_value=20,
        initial=1,
        help_text=_("Where layers overlap, the higher level is on call."),
    )
    rotation = forms.ChoiceField(label=_("Rotation"), choices=Rotation.choices)
    length_days = forms.IntegerField(
        label=_("Length in days"),
        min_value=1,
        max_value=365,
        required=False,
        help_text=_("Used by a custom rotation."),
    )
    start = forms.DateField(
        label=_("First hand-off date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    handoff = forms.TimeField(
        label=_("Hand-off time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("On the schedule's clock."),
    )

    def __init__(self, *args, windows: int = WINDOWS, **kwargs):
        super().__init__(*args, **kwargs)
        self.windows = windows
        days = [(n, WEEKDAYS_ABBR[n]) for n in range(7)]
        for n in range(1, windows + 1):
            self.fields[f"window{n}_days"] = forms.TypedMultipleChoiceField(
                label=_("Window %(n)d: days") % {"n": n},
                choices=days,
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"window{n}_start"] = forms.TimeField(
                label=_("Window %(n)d: from") % {"n": n},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"window{n}_end"] = forms.TimeField(
                label=_("Window %(n)d: until") % {"n": n},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                help_text=_("Not after the start: runs into the next day."),
            )

    @staticmethod
    def initial_from(layer) -> dict:
        initial = {
            "name": layer.name,
            "level": layer.level,
            "rotation": layer.rotation,
            "length_days": layer.length_days,
            "start": layer.start,
            "handoff": layer.handoff,
        }
        for n, window in enumerate(layer.restrictions or [], start=1):
            initial[f"window{n}_days"] = window.get("weekdays", list(range(7)))
            initial[f"window{n}_start"] = window.get("start", "00:00")
            initial[f"window{n}_end"] = window.get("end", "00:00")
        return initial

    def clean(self):
        data = super().clean()
        restrictions = []
        for n in range(1, self.windows + 1):
            days = data.pop(f"window{n}_days", None) or []
            start, end = data.pop(f"window{n}_start", None), data.pop(f"window{n}_end", None)
            if days or start or end:
                restrictions.append(
                    {
                        "weekdays": sorted(set(days)) or list(range(7)),
                        "start": start.strftime("%H:%M") if start else "00:00",
                        "end": end.strftime("%H:%M") if end else "00:00",
                    }
                )
        data["restrictions"] = restrictions
        return data


class ParticipantForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Add to the rotation"), queryset=User.objects.none(), empty_label=_("Choose…")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = desk_staff_active()
