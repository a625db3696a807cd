"""The one registry of what can be done to a ticket.

Each action is declared once here — its name, label, the transition it takes, who may take it,
its input and its service — and everything else is derived from the registry: the API's action
endpoints and their OpenAPI description (`api.action_view`, `urls_api`), the `actions` of a
ticket's detail, the console's buttons, forms and POST handler (`views_desk.ticket_action`), and
what the portal offers a requester. Names are the URL slugs, the same everywhere.

An action is offered when the transition table allows it from the ticket's status, the person
has the permission (`permissions.ACTION_POLICIES`) and its `available` guard (if any) says it
can succeed now. The services check the same permission and the same table again when called.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from servicedesk.accounts.selectors import group_tiers_active
from servicedesk.catalog.models import DiagnosticQuestion
from servicedesk.core.errors import NotPermitted
from servicedesk.tickets import forms, inputs, services
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.permissions import ACTION_POLICIES, Policy
from servicedesk.tickets.states import TRANSITIONS, Action


@dataclass(frozen=True)
class ActionSpec:
    """One action on a ticket.

    `input` is a serializer whose field names are the service's keyword arguments; the service is
    called as `service(ticket=, actor=, **validated_data)` and returns the ticket. `transition`
    is the entry of the transition table that offers it (None: offered in any status, subject to
    `available`). `form` is the console's own form class when one cannot be made from `input`.
    `endpoint=False` keeps it out of the API's action endpoints and `actions` (the edit, whose
    API form is PATCH on the ticket).
    """

    name: str
    label: Promise | str
    summary: str
    input: type[serializers.Serializer]
    service: Callable[..., Ticket]
    transition: Action | None
    permission: Policy
    form: type | None = None
    style: str = "secondary"
    endpoint: bool = True
    available: Callable[[Ticket, object], bool] | None = None

    @property
    def needs_input(self) -> bool:
        """Whether the button opens a form (or posts at once)."""
        return self.form is not None or bool(self.input._declared_fields)

    def offered(self, ticket: Ticket, user) -> bool:
        """Allowed from the status, permitted to `user`, and able to succeed now."""
        if self.transition is not None and (ticket.status, self.transition) not in TRANSITIONS:
            return False
        if not self.permission(user, ticket):
            return False
        return self.available is None or self.available(ticket, user)

    def make_form(self, ticket: Ticket, user, data=None, files=None):
        """The console's form for this action on `ticket`."""
        form_class = self.form or forms.input_form(self.input)
        return form_class(data, files, ticket=ticket, user=user)

    def make_input(self, ticket: Ticket, user, data) -> serializers.Serializer:
        """The API's input serializer, bound to the person (ticket numbers are looked up among
        the tickets they may see)."""
        return self.input(data=data, context={"user": user, "ticket": ticket})

    def perform(self, ticket: Ticket, actor, data: dict) -> Ticket:
        return self.service(ticket=ticket, actor=actor, **data)


# In registration order: the console shows its buttons in this order.
REGISTRY: dict[str, ActionSpec] = {}


def action_register(spec: ActionSpec) -> ActionSpec:
    """Add an action to the registry (a name is registered once)."""
    if spec.name in REGISTRY:
        raise ValueError(f"The action {spec.name!r} is already registered.")
    REGISTRY[spec.name] = spec
    return spec


def action_unregister(name: str) -> None:
    """Take an action out of the registry (for tests that register their own)."""
    del REGISTRY[name]


def action_get(name: str) -> ActionSpec | None:
    return REGISTRY.get(name)


def actions_all() -> list[ActionSpec]:
    return list(REGISTRY.values())


def actions_available(*, ticket: Ticket, user) -> list[ActionSpec]:
    """The actions `user` may take on `ticket` now, in registry order: the console's buttons."""
    return [spec for spec in REGISTRY.values() if spec.offered(ticket, user)]


def action_names_available(*, ticket: Ticket, user) -> list[str]:
    """The names of the API's action endpoints open to `user` on `ticket` now (its `actions`)."""
    return [spec.name for spec in actions_available(ticket=ticket, user=user) if spec.endpoint]


def action_permit(spec: ActionSpec, *, ticket: Ticket, user) -> None:
    """Refuse (403) a person who may see the ticket but not take this action on it; asked
    before the input is read, so they learn nothing about what the input should be."""
    if not spec.permission(user, ticket):
        raise NotPermitted(
            _("You may not do this to this ticket: %(action)s.") % {"action": spec.label}
        )


def permission_of(name: str) -> Policy:
    """The policy of `name` in permissions.ACTION_POLICIES, which the services also ask."""
    return ACTION_POLICIES[name]


# ---------------------------------------------------------------------------------------------
# Guards: an action that cannot succeed now is not offered.


def _is_open(ticket: Ticket, user) -> bool:
    return ticket.is_open


def _higher_tier_exists(ticket: Ticket, user) -> bool:
    return any(tier > ticket.tier for tier in group_tiers_active())


def _lower_tier_exists(ticket: Ticket, user) -> bool:
    return any(tier < ticket.tier for tier in group_tiers_active())


def _group_has_manager(ticket: Ticket, user) -> bool:
    group = ticket.assignment_group
    return ticket.is_open and group is not None and group.manager_id is not None


def _has_questions(ticket: Ticket, user) -> bool:
    return (
        ticket.is_open
        and ticket.category_id is not None
        and DiagnosticQuestion.objects.filter(category_id=ticket.category_id).exists()
    )


# ---------------------------------------------------------------------------------------------
# The actions

for _spec in [
    ActionSpec(
        name="assign",
        label=gettext_lazy("Assign"),
        summary="Assign to a group of the same tier and/or a person.",
        input=inputs.AssignInput,
        service=services.ticket_assign,
        transition=Action.ASSIGN,
        permission=permission_of("assign"),
    ),
    ActionSpec(
        name="start",
        label=gettext_lazy("Start work"),
        summary="Begin work (takes the ticket if it has no assignee).",
        input=inputs.NoInput,
        service=services.ticket_start,
        transition=Action.START,
        permission=permission_of("start"),
        style="primary",
    ),
    ActionSpec(
        name="hold",
        label=gettext_lazy("Put on hold"),
        summary="Put on hold awaiting the caller, a vendor or a change.",
        input=inputs.HoldInput,
        service=services.ticket_hold,
        transition=Action.HOLD,
        permission=permission_of("hold"),
    ),
    ActionSpec(
        name="resume",
        label=gettext_lazy("Resume"),
        summary="Resume work on a ticket on hold.",
        input=inputs.NoInput,
        service=services.ticket_resume,
        transition=Action.RESUME,
        permission=permission_of("resume"),
        style="primary",
    ),
    ActionSpec(
        name="escalate",
        label=gettext_lazy("Escalate"),
        summary="Functional escalation to a group of a higher tier, with a reason.",
        input=inputs.EscalateInput,
        service=services.ticket_escalate,
        transition=Action.ESCALATE,
        permission=permission_of("escalate"),
        available=_higher_tier_exists,
    ),
    ActionSpec(
        name="de-escalate",
        label=gettext_lazy("De-escalate"),
        summary="Send back to a group of a lower tier, with a reason.",
        input=inputs.DeEscalateInput,
        service=services.ticket_de_escalate,
        transition=Action.DE_ESCALATE,
        permission=permission_of("de-escalate"),
        available=_lower_tier_exists,
    ),
    ActionSpec(
        name="escalate-to-manager",
        label=gettext_lazy("Escalate to the manager"),
        summary="Hierarchical escalation: flag the ticket and notify the group manager.",
        input=inputs.ReasonInput,
        service=services.ticket_escalate_to_manager,
        transition=None,
        permission=permission_of("escalate-to-manager"),
        available=_group_has_manager,
    ),
    ActionSpec(
        name="resolve",
        label=gettext_lazy("Resolve"),
        summary="Resolve with a code of the ticket's kind (incidents need service_restored=true).",
        input=inputs.ResolveInput,
        service=services.ticket_resolve,
        transition=Action.RESOLVE,
        permission=permission_of("resolve"),
        style="primary",
    ),
    ActionSpec(
        name="confirm",
        label=gettext_lazy("Confirm resolution"),
        summary="The requester confirms the resolution; the ticket closes.",
        input=inputs.NoInput,
        service=services.ticket_confirm,
        transition=Action.CONFIRM,
        permission=permission_of("confirm"),
    ),
    ActionSpec(
        name="reopen",
        label=gettext_lazy("Reopen"),
        summary="Reject the resolution within the reopen window.",
        input=inputs.ReasonInput,
        service=services.ticket_reopen,
        transition=Action.REOPEN,
        permission=permission_of("reopen"),
    ),
    ActionSpec(
        name="close",
        label=gettext_lazy("Close"),
        summary="Close a resolved ticket.",
        input=inputs.OptionalReasonInput,
        service=services.ticket_close,
        transition=Action.CLOSE,
        permission=permission_of("close"),
    ),
    ActionSpec(
        name="cancel",
        label=gettext_lazy("Cancel"),
        summary="Cancel as duplicate, not an incident, or withdrawn (a requester: withdrawn).",
        input=inputs.CancelInput,
        service=services.ticket_cancel,
        transition=Action.CANCEL,
        permission=permission_of("cancel"),
        style="danger",
    ),
    ActionSpec(
        name="reclassify",
        label=gettext_lazy("Reclassify"),
        summary="Incident ⇄ service request, with a reason (the ticket gets a new number).",
        input=inputs.ReclassifyInput,
        service=services.ticket_reclassify,
        transition=None,
        permission=permission_of("reclassify"),
        available=_is_open,
    ),
    ActionSpec(
        name="mark-duplicate",
        label=gettext_lazy("Mark as duplicate"),
        summary="Cancel as a duplicate of another ticket.",
        input=inputs.MarkDuplicateInput,
        service=services.ticket_mark_duplicate,
        transition=Action.CANCEL,
        permission=permission_of("mark-duplicate"),
    ),
    ActionSpec(
        name="set-parent",
        label=gettext_lazy("Set parent"),
        summary="Make this ticket a child of another (or null to detach).",
        input=inputs.SetParentInput,
        service=services.ticket_set_parent,
        transition=None,
        permission=permission_of("set-parent"),
        available=_is_open,
    ),
    ActionSpec(
        name="diagnosis",
        label=gettext_lazy("Diagnosis"),
        summary="Record answers to the category's diagnostic questions: {question id: answer}.",
        input=inputs.DiagnosisInput,
        service=services.ticket_diagnosis_record,
        transition=None,
        permission=permission_of("diagnosis"),
        form=forms.DiagnosisForm,
        available=_has_questions,
    ),
    ActionSpec(
        name="rate",
        label=gettext_lazy("Rate how we did"),
        summary="The requester rates a closed ticket from 1 to 5, once, with an optional comment.",
        input=inputs.RateInput,
        service=services.ticket_rate,
        transition=None,
        permission=permission_of("rate"),
        available=lambda ticket, user: ticket.status == "closed" and not ticket.is_rated,
    ),
    ActionSpec(
        name="restrict",
        label=gettext_lazy("Restrict access"),
        summary="Let only a group and the people listed see the ticket (security officers).",
        input=inputs.RestrictInput,
        service=services.ticket_restrict,
        transition=None,
        permission=permission_of("restrict"),
        available=_is_open,
    ),
    ActionSpec(
        name="unrestrict",
        label=gettext_lazy("Lift the restriction"),
        summary="Open a restricted ticket to the desk again (security officers).",
        input=inputs.UnrestrictInput,
        service=services.ticket_unrestrict,
        transition=None,
        permission=permission_of("unrestrict"),
        available=lambda ticket, user: ticket.is_restricted,
    ),
    ActionSpec(
        name="edit",
        label=gettext_lazy("Edit details"),
        summary="Change the ticket's fields (the API's form: PATCH /api/tickets/{number}/).",
        input=inputs.TicketUpdateSerializer,
        service=services.ticket_update,
        transition=None,
        permission=permission_of("edit"),
        form=forms.EditForm,
        endpoint=False,
        available=_is_open,
    ),
]:
    action_register(_spec)
