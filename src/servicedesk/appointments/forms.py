"""The console's and the portal's session forms. Times are read in the person's own time zone
(activated for each request) and kept in UTC."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.appointments.states import Answer, Kind, Outcome

DURATIONS = [(m, str(m)) for m in (15, 30, 45, 60, 90, 120)]


class _Moment(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class _Times(forms.Form):
    starts_at = _Moment(label=_("Start"))
    duration = forms.TypedChoiceField(
        label=_("Duration (minutes)"), choices=DURATIONS, coerce=int, initial=30
    )

    def ends_at(self):
        starts_at = self.cleaned_data.get("starts_at")
        duration = self.cleaned_data.get("duration")
        if starts_at is None or duration is None:
            return None
        return starts_at + timedelta(minutes=duration)


class ProposeForm(_Times):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Kind.choices, initial=Kind.PHONE, widget=forms.RadioSelect
    )
    phone = forms.CharField(label=_("Phone number"), max_length=40, required=False)
    link = forms.CharField(label=_("Video link"), max_length=500, required=False)
    note = forms.CharField(
        label=_("Note to the requester"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    field_order = ["kind", "starts_at", "duration", "phone", "link", "note"]


class RescheduleForm(_Times):
    note = forms.CharField(
        label=_("Note to the requester"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    notes = forms.CharField(
        label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RespondForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"), choices=Answer.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    proposed_starts_at = _Moment(label=_("A time that suits you better"), required=False)


#: A service's error field → the form's field that shows it.
FIELD_OF = {"ends_at": "duration"}


def service_errors_apply(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """Put a ServiceError's reasons beside the form's fields (others above the form)."""
    for field, reasons in errors.items():
        field = FIELD_OF.get(field, field)
        for reason in reasons:
            form.add_error(field if field in form.fields else None, reason)
