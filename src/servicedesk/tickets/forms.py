"""Forms of the console and the portal. They check types and shapes; services check the rules.

`service_errors_apply()` puts a service's {field: [reasons]} beside the matching form fields.
"""

import html
from datetime import datetime, time

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import SupportGroup, User
from servicedesk.accounts.selectors import (
    desk_staff_active,
    desk_staff_choices,
    group_choices,
    groups_active,
    people_search,
)
from servicedesk.catalog.models import Category, ConfigurationItem, DiagnosticQuestion, Service
from servicedesk.catalog.selectors import category_choices, service_choices
from servicedesk.core.errors import ServiceError
from servicedesk.core.i18n import localized
from servicedesk.tickets.models import Kind
from servicedesk.tickets.priority import Level, Priority
from servicedesk.tickets.selectors import QUEUE_SORTS, QUEUES_BY_KEY
from servicedesk.tickets.services import EDITABLE_FIELDS, BulkAction
from servicedesk.tickets.states import CancelReason, HoldReason, ResolutionCode, Status

LEVELS = [(value, label) for value, label in Level.choices]
MAX_UPLOAD_MB = settings.SERVICEDESK_MAX_ATTACHMENT_BYTES // (1024 * 1024)


def service_errors_apply(form: forms.Form, error: ServiceError, aliases: dict | None = None):
    """Show each reason of a service error beside its field, or above the form when the field is
    not one of the form's (e.g. the ticket's status)."""
    aliases = aliases or {}
    for name, messages in error.errors.items():
        target = aliases.get(name, name)
        if target.startswith("answers.") and f"q_{target.split('.', 1)[1]}" in form.fields:
            target = f"q_{target.split('.', 1)[1]}"
        for message in messages:
            form.add_error(target if target in form.fields else None, message)


class FastSelect(forms.Select):
    """A <select> built in Python. Django renders each option through its own template, which on
    the queue's option-heavy filters costs more than the queries that fill them."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        escape = html.escape
        options = []
        for option, label in self.choices:
            option = "" if option is None else str(option)
            selected = " selected" if option in chosen else ""
            options.append(
                f'<option value="{escape(option)}"{selected}>{escape(str(label))}</option>'
            )
        final = self.build_attrs(self.attrs, attrs)
        return mark_safe(
            f'<select name="{escape(name)}"{flatatt(final)}>{"".join(options)}</select>'
        )


class Form(forms.Form):
    """The forms of the interface: plain selects are FastSelect."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                fast = FastSelect(attrs=field.widget.attrs)
                fast.choices = field.widget.choices
                fast.is_required = field.widget.is_required
                field.widget = fast


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, group):
        return f"{group.name} (L{group.tier})"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return person.display_name


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, category):
        return category.path


class TicketNumberField(forms.CharField):
    """A ticket number as typed (any case, spaces around); the view looks it up."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 16)
        super().__init__(**kwargs)

    def clean(self, value):
        return super().clean(value).strip().upper()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type=file multiple>."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _categories():
    """Active categories by their names in the reader's language (English where none)."""
    return (
        Category.objects.filter(is_active=True)
        .select_related("parent")
        .order_by(localized("parent__name"), localized("name"))
    )


def _services():
    return Service.objects.filter(is_active=True).order_by(localized("name"))


# ---------------------------------------------------------------------------------------------
# The queue


class QueueFilterForm(Form):
    """The queue, its filters, search and sort, from the query string."""

    queue = forms.ChoiceField(choices=[(k, k) for k in QUEUES_BY_KEY], required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("open", _("Open")), *Status.choices],
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any priority")), *Priority.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *Kind.choices]
    )
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int)
    service = forms.TypedChoiceField(label=_("Service"), required=False, coerce=int)
    assignment_group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    requester = forms.CharField(label=_("Requester"), required=False, max_length=100)
    created_after = forms.DateField(
        label=_("Logged from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_before = forms.DateField(
        label=_("Logged until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("priority", _("Priority, then oldest")),
            ("oldest", _("Oldest first")),
            ("newest", _("Newest first")),
            ("updated", _("Last updated")),
            ("due", _("Due soonest")),
        ],
    )
    FILTERS = (
        "status",
        "priority",
        "kind",
        "category",
        "service",
        "assignment_group",
        "assignee",
        "requester",
        "created_after",
        "created_before",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Plain (id, label) choices: the queue renders these on every load.
        self.fields["category"].choices = [("", _("Any category")), *category_choices()]
        self.fields["service"].choices = [("", _("Any service")), *service_choices()]
        self.fields["assignment_group"].choices = [("", _("Any group")), *group_choices()]
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Nobody")),
            *desk_staff_choices(),
        ]

    @property
    def queue_key(self) -> str:
        return (self.cleaned_data.get("queue") if self.is_valid() else None) or "groups"

    @property
    def sort_key(self) -> str:
        sort = self.cleaned_data.get("sort") if self.is_valid() else None
        default = QUEUES_BY_KEY[self.queue_key].sort
        if not sort or (sort == "due" and self.queue_key != "breaching"):
            return default
        return sort

    @property
    def ordering(self) -> str:
        return QUEUE_SORTS[self.sort_key]

    @property
    def active_filters(self) -> int:
        if not self.is_valid():
            return 0
        return sum(1 for name in self.FILTERS if self.cleaned_data.get(name) not in (None, ""))

    def filter_params(self) -> dict[str, str]:
        """The filters as tickets.filters.ticket_filter reads them from a query string."""
        data = self.cleaned_data if self.is_valid() else {}
        params: dict[str, str] = {}
        for name in ("status", "priority", "kind", "assignee"):
            if data.get(name):
                params[name] = str(data[name])
        for name in ("category", "service", "assignment_group"):
            if data.get(name) not in (None, ""):
                params[name] = str(data[name])
        if data.get("q", "").strip():
            params["q"] = data["q"].strip()
        if data.get("requester", "").strip():
            people = people_search(query=data["requester"], limit=50)
            # No one matches: a filter that matches no ticket, rather than no filter.
            params["requester"] = ",".join(str(p.pk) for p in people) or "0"
        zone = timezone.get_current_timezone()
        if data.get("created_after"):
            start = datetime.combine(data["created_after"], time.min, tzinfo=zone)
            params["created_after"] = start.isoformat()
        if data.get("created_before"):
            end = datetime.combine(data["created_before"], time.max, tzinfo=zone)
            params["created_before"] = end.isoformat()
        return params


class SavedViewForm(Form):
    name = forms.CharField(label=_("Name of this view"), max_length=80)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)


class BulkForm(Form):
    """One action for the tickets ticked in the queue."""

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (BulkAction.ASSIGN, _("Assign to a person")),
            (BulkAction.PRIORITY, _("Set impact and urgency")),
            (BulkAction.GROUP, _("Move to another group")),
        ],
    )
    assignee = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int)
    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int)
    impact = forms.ChoiceField(label=_("Impact"), required=False, choices=[("", "—"), *LEVELS])
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=[("", "—"), *LEVELS])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Choose…")), *desk_staff_choices()]
        self.fields["group"].choices = [("", _("Choose…")), *group_choices()]

    def clean_assignee(self):
        pk = self.cleaned_data.get("assignee")
        return User.objects.filter(pk=pk).first() if pk not in (None, "") else None

    def clean_group(self):
        pk = self.cleaned_data.get("group")
        return SupportGroup.objects.filter(pk=pk).first() if pk not in (None, "") else None


# ---------------------------------------------------------------------------------------------
# Actions on a ticket (one form per action; the view maps each onto its service)


class NoInputForm(Form):
    pass


class AssignForm(Form):
    group = GroupChoiceField(
        label=_("Group"), required=False, queryset=None, empty_label=_("Keep the current group")
    )
    assignee = PersonChoiceField(
        label=_("Person"), required=False, queryset=None, empty_label=_("Nobody yet")
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        groups = groups_active()
        if ticket is not None and ticket.assignment_group_id is not None:
            groups = groups.filter(tier=ticket.tier)
        self.fields["group"].queryset = groups
        self.fields["assignee"].queryset = desk_staff_active()


class HoldForm(Form):
    reason = forms.ChoiceField(label=_("Waiting for"), choices=HoldReason.choices)
    note = forms.CharField(
        label=_("Message to the requester"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Public: the requester reads it in the portal and by email."),
    )


class EscalateForm(Form):
    to_group = GroupChoiceField(label=_("To group"), queryset=None, empty_label=_("Choose…"))
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )

    def __init__(self, *args, ticket=None, up=True, **kwargs):
        super().__init__(*args, **kwargs)
        groups = groups_active()
        if ticket is not None:
            groups = (
                groups.filter(tier__gt=ticket.tier) if up else groups.filter(tier__lt=ticket.tier)
            )
        self.fields["to_group"].queryset = groups


class ReasonForm(Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class OptionalReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class ResolveForm(Form):
    resolution_code = forms.ChoiceField(
        label=_("Resolution"), choices=[("", _("Choose…")), *ResolutionCode.CHOICES]
    )
    resolution_notes = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4})
    )
    service_restored = forms.BooleanField(
        label=_("The service is restored for the requester"), required=False
    )

    def clean_service_restored(self):
        return True if self.cleaned_data.get("service_restored") else None


class CancelForm(Form):
    reason = forms.ChoiceField(label=_("Why"), choices=CancelReason.choices)
    duplicate_of = TicketNumberField(
        label=_("Duplicate of (ticket number)"), required=False, max_length=16
    )
    note = forms.CharField(
        label=_("Message to the requester"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EditForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    symptoms = forms.CharField(
        label=_("Symptoms"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    category = CategoryChoiceField(
        label=_("Category"), required=False, queryset=None, empty_label=_("Not categorised")
    )
    service = forms.ModelChoiceField(
        label=_("Service"), required=False, queryset=None, empty_label=_("None")
    )
    configuration_item = forms.ModelChoiceField(
        label=_("Configuration item"), required=False, queryset=None, empty_label=_("None")
    )
    impact = forms.ChoiceField(label=_("Impact"), choices=LEVELS)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=LEVELS)
    is_major = forms.BooleanField(label=_("Major incident"), required=False)
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)
    # The version the agent read: saving over someone else's newer edit is refused.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    FIELDS = EDITABLE_FIELDS

    def __init__(self, data=None, *args, ticket=None, **kwargs):
        if ticket is not None and data is None:
            kwargs["initial"] = {name: getattr(ticket, name) for name in self.FIELDS}
            kwargs["initial"]["version"] = ticket.version
        super().__init__(data, *args, **kwargs)
        self.ticket = ticket
        self.fields["category"].queryset = _categories()
        self.fields["service"].queryset = _services()
        self.fields["configuration_item"].queryset = ConfigurationItem.objects.filter(
            is_active=True
        )

    def changes(self) -> dict:
        """Only the fields that differ from the ticket, as ticket_update takes them."""
        return {
            name: self.cleaned_data[name]
            for name in self.FIELDS
            if self.ticket is None or self.cleaned_data[name] != getattr(self.ticket, name)
        }


class ReclassifyForm(Form):
    kind = forms.ChoiceField(label=_("New kind"), choices=Kind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class DuplicateForm(Form):
    of = TicketNumberField(label=_("Duplicate of (ticket number)"))
    note = forms.CharField(
        label=_("Message to the requester"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ParentForm(Form):
    parent = TicketNumberField(
        label=_("Parent ticket number"),
        required=False,
        help_text=_("Leave empty to detach the ticket from its parent."),
    )


def question_field(question: DiagnosticQuestion, *, required: bool) -> forms.Field:
    """The form field that asks one diagnostic question."""
    options = {"label": question.text, "help_text": question.help_text, "required": required}
    if question.answer_type == DiagnosticQuestion.AnswerType.YES_NO:
        return forms.ChoiceField(choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))], **options)
    if question.answer_type == DiagnosticQuestion.AnswerType.CHOICE:
        return forms.ChoiceField(
            choices=[("", "—"), *[(c, c) for c in question.choices]], **options
        )
    return forms.CharField(max_length=2000, **options)


class DiagnosisForm(Form):
    """The category's diagnostic questions; an empty answer is left as it was."""

    def __init__(self, *args, rows=(), category_id=None, **kwargs):
        rows = [row for row in rows if row.question.category_id == category_id]
        initial = {f"q_{row.question.pk}": row.answer.answer for row in rows if row.answer}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for row in rows:
            self.fields[f"q_{row.question.pk}"] = question_field(row.question, required=False)

    def answers(self) -> dict[int, str]:
        return {
            int(name[2:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("q_") and str(value).strip()
        }


class CommentForm(Form):
    body = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    visibility = forms.ChoiceField(
        label=_("Visible to"),
        choices=[
            ("public", _("Public reply — the requester reads it")),
            ("internal", _("Internal note — desk staff only")),
        ],
        initial="public",
        widget=forms.RadioSelect,
    )
    files = MultipleFileField(label=_("Attach files"))

    @property
    def public(self) -> bool:
        return self.cleaned_data.get("visibility", "public") == "public"


# ---------------------------------------------------------------------------------------------
# Logging a call


class LogCallForm(Form):
    caller_q = forms.CharField(
        label=_("Find the caller"),
        required=False,
        max_length=100,
        help_text=_("Name, email or phone number."),
    )
    requester = forms.ModelChoiceField(
        label=_("Caller"), required=False, queryset=None, widget=forms.RadioSelect
    )
    caller_name = forms.CharField(label=_("Name"), required=False, max_length=150)
    caller_email = forms.EmailField(label=_("Email"), required=False)
    caller_phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.INCIDENT)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    category = CategoryChoiceField(
        label=_("Category"), required=False, queryset=None, empty_label=_("Not categorised")
    )
    service = forms.ModelChoiceField(
        label=_("Service"), required=False, queryset=None, empty_label=_("None")
    )
    impact = forms.ChoiceField(label=_("Impact"), choices=LEVELS, initial=Level.MEDIUM)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=LEVELS, initial=Level.MEDIUM)
    assignment_group = GroupChoiceField(
        label=_("Group"),
        required=False,
        queryset=None,
        empty_label=_("The category's group, or the service desk"),
    )
    reported_at = forms.DateTimeField(
        label=_("Called at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()
        self.fields["service"].queryset = _services()
        self.fields["assignment_group"].queryset = groups_active()
        # The caller chosen from a search: any active person (looked up by id only).
        self.fields["requester"].queryset = User.objects.filter(is_active=True)
        self.fields["requester"].label_from_instance = _person_line
        self.fields["caller_q"].widget.attrs.update(
            {
                "type": "search",
                "autocomplete": "off",
                "hx-get": reverse("desk-log-callers"),
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#caller-results",
                "hx-swap": "outerHTML",
                "hx-include": "[name=requester]",
            }
        )
        self.fields["category"].widget.attrs.update(
            {
                "hx-get": reverse("desk-log-questions"),
                "hx-trigger": "change",
                "hx-target": "#questions",
                "hx-swap": "outerHTML",
            }
        )
        self.questions = self._questions()
        for question in self.questions:
            self.fields[f"q_{question.pk}"] = question_field(question, required=False)

    def _questions(self) -> list[DiagnosticQuestion]:
        raw = (self.data or {}).get("category") or (self.initial or {}).get("category")
        if not str(raw or "").isdigit():
            return []
        return list(
            DiagnosticQuestion.objects.filter(category_id=int(raw), category__is_active=True)
        )

    def question_fields(self):
        return [self[f"q_{q.pk}"] for q in self.questions]

    def callers(self):
        """People matching the search box, offered as the caller."""
        query = (self.data or {}).get("caller_q", "")
        return people_search(query=query, limit=8) if len(query.strip()) >= 2 else []

    def answers(self) -> dict[int, str]:
        return {
            q.pk: self.cleaned_data.get(f"q_{q.pk}", "")
            for q in self.questions
            if self.cleaned_data.get(f"q_{q.pk}")
        }

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        names = (
            "requester",
            "caller_name",
            "caller_email",
            "caller_phone",
            "kind",
            "title",
            "description",
            "category",
            "service",
            "impact",
            "urgency",
            "assignment_group",
            "reported_at",
        )
        return {name: data[name] for name in names} | {"answers": self.answers()}


def _person_line(person) -> str:
    parts = [person.display_name, person.email, person.phone]
    return " · ".join(p for p in parts if p)


# ---------------------------------------------------------------------------------------------
# The portal


class ReportForm(Form):
    kind = forms.ChoiceField(
        label=_("What do you need?"),
        choices=[
            (Kind.INCIDENT, _("Something is broken or not working")),
            (Kind.SERVICE_REQUEST, _("I need something new: access, equipment, software")),
        ],
        widget=forms.RadioSelect,
        initial=Kind.INCIDENT,
    )
    category = CategoryChoiceField(
        label=_("What is it about?"),
        required=False,
        queryset=None,
        empty_label=_("I am not sure"),
    )
    title = forms.CharField(
        label=_("In a few words"),
        max_length=200,
        help_text=_("For example: “I cannot open my email on the laptop”."),
    )
    description = forms.CharField(
        label=_("Tell us more"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happened, since when, and what you have tried."),
    )
    files = MultipleFileField(label=_("Screenshots or files (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()


class ReplyForm(Form):
    body = forms.CharField(
        label=_("Your message"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    files = MultipleFileField(label=_("Attach files"))


class ReopenForm(Form):
    reason = forms.CharField(
        label=_("What is still not working?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )
