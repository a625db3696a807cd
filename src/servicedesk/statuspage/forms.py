"""The status page's forms: the console's (publish, update, component status, maintenance) and
the public subscription. They parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.statuspage.models import Component
from servicedesk.statuspage.states import (
    INCIDENT_NEXT,
    PROPOSED_BY_PRIORITY,
    ComponentStatus,
    IncidentStatus,
)

OUTAGE_CHOICES = [c for c in ComponentStatus.choices if c[0] != ComponentStatus.OPERATIONAL]


class _ComponentChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.public_name


def _components_field(required: bool = False, public_only: bool = False):
    queryset = Component.objects.order_by("position", "name")
    if public_only:
        queryset = queryset.filter(is_public=True)
    return _ComponentChoice(
        queryset=queryset,
        required=required,
        widget=forms.CheckboxSelectMultiple,
        label=_("Affected components"),
    )


class PublishForm(forms.Form):
    title = forms.CharField(
        label=_("Public title"),
        max_length=200,
        help_text=_("What the public reads: no internal names, people or ticket numbers."),
    )
    components = _components_field()
    component_status = forms.ChoiceField(
        label=_("Status of these components"),
        choices=OUTAGE_CHOICES,
        initial=ComponentStatus.PARTIAL,
    )
    status = forms.ChoiceField(
        label=_("Incident status"),
        choices=[c for c in IncidentStatus.choices if c[0] != IncidentStatus.RESOLVED],
        initial=IncidentStatus.INVESTIGATING,
    )
    message = forms.CharField(
        label=_("First public message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def for_ticket(cls, ticket, data=None):
        initial = {}
        component = getattr(ticket.service, "status_component", None) if ticket.service_id else None
        if component is not None:
            initial["components"] = [component.pk]
        if ticket.priority in PROPOSED_BY_PRIORITY:
            initial["component_status"] = PROPOSED_BY_PRIORITY[ticket.priority]
        return cls(data, initial=initial, prefix="publish")


class UpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Incident status"))
    component_status = forms.ChoiceField(
        label=_("Status of the affected components"),
        required=False,
        help_text=_("Left unchanged if not chosen; resolving puts them back to operational."),
    )
    message = forms.CharField(
        label=_("Public message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, data=None, *, incident):
        super().__init__(data, prefix="update")
        allowed = INCIDENT_NEXT[incident.status]
        self.fields["status"].choices = [c for c in IncidentStatus.choices if c[0] in allowed]
        self.fields["status"].initial = incident.status
        self.fields["component_status"].choices = [("", _("unchanged"))] + list(
            ComponentStatus.choices
        )


class ComponentStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ComponentStatus.choices)
    note = forms.CharField(label=_("Note (internal)"), max_length=500, required=False)


class MaintenanceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    components = _components_field(required=True)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    message = forms.CharField(
        label=_("Public message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    components = _ComponentChoice(
        queryset=Component.objects.filter(is_public=True).order_by("position", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Only these components (none chosen: all)"),
    )
