"""The console's forms. They only shape the input; the services judge it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.selectors import desk_staff_choices
from servicedesk.majorincidents.models import MajorRole
from servicedesk.tickets.states import ResolutionCode


def _staff_field(label, *, required=True):
    field = forms.TypedChoiceField(label=label, coerce=int, required=required)
    field.choices = lambda: [("", "—"), *desk_staff_choices()]
    return field


class DeclareForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the ticket is not P1."),
    )
    bridge_phone = forms.CharField(label=_("Bridge phone number"), required=False, max_length=40)
    bridge_url = forms.CharField(label=_("Bridge video link"), required=False, max_length=500)
    update_minutes = forms.IntegerField(
        label=_("Minutes between public updates"),
        required=False,
        help_text=_("Empty: 30 for a P1, 60 otherwise."),
    )


class BridgeForm(forms.Form):
    bridge_phone = forms.CharField(label=_("Bridge phone number"), required=False, max_length=40)
    bridge_url = forms.CharField(label=_("Bridge video link"), required=False, max_length=500)
    update_minutes = forms.IntegerField(label=_("Minutes between public updates"), required=False)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MajorRole.choices)
    person = _staff_field(_("Person"), required=False)


class LinkForm(forms.Form):
    tickets = forms.CharField(
        label=_("Ticket numbers"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or many, separated by spaces or commas."),
    )


class UpdateForm(forms.Form):
    body = forms.CharField(label=_("Public update"), widget=forms.Textarea(attrs={"rows": 4}))
    mitigated = forms.BooleanField(label=_("The service works again"), required=False)


class ResolveForm(forms.Form):
    resolution_code = forms.ChoiceField(label=_("Resolution"), choices=ResolutionCode.INCIDENT)
    resolution_notes = forms.CharField(
        label=_("Resolution notes"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(forms.Form):
    root_cause = forms.CharField(
        label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    contributing_factors = forms.CharField(
        label=_("Contributing factors"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ActionItemForm(forms.Form):
    title = forms.CharField(label=_("Action item"), max_length=300)
    owner = _staff_field(_("Owner"))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
