from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import User
from servicedesk.accounts.selectors import desk_staff_active, groups_active
from servicedesk.catalog.selectors import services_active
from servicedesk.notifications.models import WebhookEndpoint
from servicedesk.oncall.models import ContactMethod, Schedule
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
