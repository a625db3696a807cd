"""What each action of the registry (`tickets/actions.py`) takes: one serializer per input.

A serializer's field names are its service's keyword arguments. The API validates a request body
with it; the console builds its form from it (`forms.input_form`): labels and help texts come from
here, a textarea where a field's `style` says `textarea.html` (DRF's own convention), and
`form_choices(ticket, user)` narrows what the form offers for one ticket. The types are checked
here; the rules (tiers, kinds, windows) are the services'.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from servicedesk.accounts.models import SupportGroup, User
from servicedesk.accounts.selectors import desk_staff_active, groups_active
from servicedesk.catalog.models import Category, ConfigurationItem, Service
from servicedesk.core.fields import IdField, TextKeyRelatedField, id_from_text
from servicedesk.tickets.models import Kind, Ticket
from servicedesk.tickets.priority import Level
from servicedesk.tickets.states import CancelReason, HoldReason, ResolutionCode

TEXTAREA = {"base_template": "textarea.html", "rows": 3}


class TicketNumberField(TextKeyRelatedField):
    """Another ticket, named by its number, among those the person may see: a ticket they may
    not see is "no such ticket", as on every other path."""

    def __init__(self, **kwargs):
        # The model, for the schema; the rows come from get_queryset(), per person.
        super().__init__(slug_field="number", queryset=Ticket.objects.none(), **kwargs)

    def get_queryset(self):
        return Ticket.objects.visible_to(self.context["user"])

    def to_internal_value(self, data):
        if "\x00" in str(data):
            self.fail("null_character")
        number = str(data).strip().upper()
        ticket = self.get_queryset().filter(number=number).first()
        if ticket is None:
            raise serializers.ValidationError(
                _("There is no ticket %(number)s.") % {"number": number}
            )
        return ticket


class ActionInput(serializers.Serializer):
    """The base of the inputs: no choice is narrowed unless a subclass says so."""

    @classmethod
    def form_choices(cls, ticket: Ticket, user) -> dict:
        """{field name: queryset or [(value, label)]} the console offers for this ticket."""
        return {}


class NoInput(ActionInput):
    pass


class AssignInput(ActionInput):
    group = IdField(
        queryset=SupportGroup.objects.all(),
        required=False,
        label=_("Group"),
        style={"empty_label": _("Keep the current group")},
    )
    assignee = IdField(
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        label=_("Person"),
        style={"empty_label": _("Nobody yet")},
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500, label=_("Reason")
    )

    @classmethod
    def form_choices(cls, ticket, user):
        groups = groups_active()
        if ticket.assignment_group_id is not None:
            groups = groups.filter(tier=ticket.tier)  # another tier is an escalation
        return {"group": groups, "assignee": desk_staff_active()}


class HoldInput(ActionInput):
    reason = serializers.ChoiceField(choices=HoldReason.choices, label=_("Waiting for"))
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        label=_("Message to the requester"),
        help_text=_("Public: the requester reads it in the portal and by email."),
        style=TEXTAREA,
    )


class EscalateInput(ActionInput):
    to_group = IdField(queryset=SupportGroup.objects.all(), label=_("To group"))
    reason = serializers.CharField(max_length=1000, label=_("Reason"), style=TEXTAREA)

    @classmethod
    def form_choices(cls, ticket, user):
        return {"to_group": groups_active().filter(tier__gt=ticket.tier)}


class DeEscalateInput(EscalateInput):
    @classmethod
    def form_choices(cls, ticket, user):
        return {"to_group": groups_active().filter(tier__lt=ticket.tier)}


class ReasonInput(ActionInput):
    reason = serializers.CharField(max_length=2000, label=_("Reason"), style=TEXTAREA)


class OptionalReasonInput(ActionInput):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500, label=_("Reason")
    )


class ResolveInput(ActionInput):
    resolution_code = serializers.ChoiceField(
        choices=ResolutionCode.CHOICES,
        label=_("Resolution"),
        help_text=_("Incidents and service requests each have their own codes."),
    )
    resolution_notes = serializers.CharField(label=_("What was done"), style=TEXTAREA)
    service_restored = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        label=_("The service is restored for the requester"),
        help_text=_("Required to resolve an incident."),
    )

    @classmethod
    def form_choices(cls, ticket, user):
        return {"resolution_code": ResolutionCode.for_kind(ticket.kind)}


class CancelInput(ActionInput):
    reason = serializers.ChoiceField(choices=CancelReason.choices, label=_("Why"))
    duplicate_of = TicketNumberField(
        required=False, allow_null=True, label=_("Duplicate of (ticket number)")
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        label=_("Message to the requester"),
        style=TEXTAREA,
    )


class ReclassifyInput(ActionInput):
    kind = serializers.ChoiceField(choices=Kind.choices, label=_("New kind"))
    reason = serializers.CharField(max_length=500, label=_("Reason"))


class MarkDuplicateInput(ActionInput):
    of = TicketNumberField(label=_("Duplicate of (ticket number)"))
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        label=_("Message to the requester"),
        style=TEXTAREA,
    )


class SetParentInput(ActionInput):
    parent = TicketNumberField(
        allow_null=True,
        label=_("Parent ticket number"),
        help_text=_("Leave empty to detach the ticket from its parent."),
    )


class DiagnosisInput(ActionInput):
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text="{question id: answer} for the questions of the ticket's category.",
    )

    def validate_answers(self, value):
        ids = {key: id_from_text(key) for key in value}
        bad = [key[:40] for key, question_id in ids.items() if question_id is None]
        if bad:
            raise serializers.ValidationError(f"Keys are question ids; not: {', '.join(bad)}.")
        return {ids[k]: v for k, v in value.items()}


class TicketUpdateSerializer(serializers.Serializer):
    """The input of `PATCH /api/tickets/<number>/`, the API's form of the console's edit."""

    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    symptoms = serializers.CharField(required=False, allow_blank=True)
    category = IdField(queryset=Category.objects.all(), required=False, allow_null=True)
    service = IdField(queryset=Service.objects.all(), required=False, allow_null=True)
    configuration_item = IdField(
        queryset=ConfigurationItem.objects.all(), required=False, allow_null=True
    )
    impact = serializers.ChoiceField(choices=Level.choices, required=False)
    urgency = serializers.ChoiceField(choices=Level.choices, required=False)
    is_major = serializers.BooleanField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if not set(attrs) - {"reason"}:
            raise serializers.ValidationError(
                {"non_field_errors": ["Send at least one field to change."]}
            )
        return attrs


class RestrictInput(ActionInput):
    group = IdField(
        queryset=SupportGroup.objects.filter(is_active=True),
        label=_("Group that works it"),
        help_text=_("Its members and manager see the ticket."),
    )
    people = IdField(
        queryset=User.objects.filter(is_active=True),
        many=True,
        required=False,
        label=_("Also seen by"),
    )
    keep_requester = serializers.BooleanField(
        default=True, label=_("The requester keeps access"), required=False
    )
    reason = serializers.CharField(label=_("Reason"), style=TEXTAREA)

    @classmethod
    def form_choices(cls, ticket: Ticket, user) -> dict:
        return {"group": groups_active(), "people": desk_staff_active()}


class UnrestrictInput(ActionInput):
    reason = serializers.CharField(label=_("Reason"), style=TEXTAREA)


class RateInput(ActionInput):
    rating = serializers.IntegerField(
        min_value=1, max_value=5, label=_("Your rating (1 = poor, 5 = excellent)")
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", label=_("Anything to add?"), style=TEXTAREA
    )

    @classmethod
    def form_choices(cls, ticket: Ticket, user) -> dict:
        return {}
