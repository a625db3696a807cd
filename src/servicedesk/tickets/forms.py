"""Forms of the console and the portal. They check types and shapes; services check the rules.

`service_errors_apply()` puts a service's {field: [reasons]} beside the matching form fields.
"""

import functools
import html
from datetime import datetime, time

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from servicedesk.accounts.models import SupportGroup, User
from servicedesk.accounts.selectors import (
    desk_staff_choices,
    group_choices,
    groups_active,
    people_search,
)
from servicedesk.catalog.models import Category, ConfigurationItem, DiagnosticQuestion, Service
from servicedesk.catalog.selectors import category_choices, service_choices
from servicedesk.core.errors import ServiceError
from servicedesk.core.fields import id_from_text
from servicedesk.core.i18n import localized
from servicedesk.tickets import inputs
from servicedesk.tickets.models import Kind
from servicedesk.tickets.priority import Level, Priority, priority_for
from servicedesk.tickets.selectors import (
    QUEUE_SORTS,
    QUEUES_BY_KEY,
    diagnosis_for,
    ticket_numbers_visible,
)
from servicedesk.tickets.services import EDITABLE_FIELDS, BulkAction
from servicedesk.tickets.states import Status

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
        self.fast_selects()

    def fast_selects(self) -> None:
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                fast = FastSelect(attrs=field.widget.attrs)
                fast.choices = field.widget.choices
                fast.is_required = field.widget.is_required
                field.widget = fast


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, group):
        return f"{group.name} (L{group.tier})"


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, category):
        return category.path


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
# Actions on a ticket: a form generated from the action's input (`tickets/inputs.py`), or the
# action's own form where one field per input would not do (the edit, the diagnosis). Every form
# is made as Form(data, files, ticket=, user=) and gives its service's keyword arguments.


class TicketNumberField(forms.CharField):
    """A ticket number as typed (any case, spaces around), cleaned to a ticket the person may
    see; any other number is "no such ticket", whether or not it exists."""

    def __init__(self, *, user=None, **kwargs):
        kwargs.setdefault("max_length", 16)
        super().__init__(**kwargs)
        self.user = user

    def clean(self, value):
        number = super().clean(value).strip().upper()
        if not number:
            return None
        found = ticket_numbers_visible(user=self.user, numbers=[number])
        if not found:
            raise forms.ValidationError(_("There is no ticket %(number)s.") % {"number": number})
        return found[0]


class OptionalTrueField(forms.BooleanField):
    """A tick box for a serializer field that is true or left out (None): unticked is None."""

    def clean(self, value):
        return True if super().clean(value) else None


def _field_from_input(field: serializers.Field, *, user) -> forms.Field:
    """The form field that asks for one field of an action's input."""
    style = field.style
    options = {
        "label": field.label,
        "help_text": field.help_text or "",
        "required": field.required and not getattr(field, "allow_null", False),
    }
    if isinstance(field, inputs.TicketNumberField):
        return TicketNumberField(user=user, **options)
    if isinstance(field, serializers.ManyRelatedField):
        return forms.ModelMultipleChoiceField(
            queryset=field.child_relation.queryset, **{**options, "required": False}
        )
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        empty = style.get("empty_label", _("Choose…"))
        return forms.ModelChoiceField(queryset=field.queryset, empty_label=empty, **options)
    if (
        isinstance(field, serializers.IntegerField)
        and field.min_value is not None
        and field.max_value is not None
        and field.max_value - field.min_value <= 10
    ):
        # A small range (a rating) is a row of radio buttons, not a number to type.
        values = range(field.min_value, field.max_value + 1)
        return forms.TypedChoiceField(
            choices=[(n, str(n)) for n in values], coerce=int, widget=forms.RadioSelect, **options
        )
    if isinstance(field, serializers.BooleanField):
        options["required"] = False  # a box left unticked says "no"
        return (OptionalTrueField if field.allow_null else forms.BooleanField)(**options)
    if isinstance(field, serializers.ChoiceField):
        choices = list(field.choices.items())
        return forms.ChoiceField(choices=[("", _("Choose…")), *choices], **options)
    if isinstance(field, serializers.CharField):
        if style.get("base_template") == "textarea.html":
            options["widget"] = forms.Textarea(attrs={"rows": style.get("rows", 3)})
        return forms.CharField(max_length=field.max_length, **options)
    raise TypeError(f"No console form field for {type(field).__name__} {field.field_name!r}.")


class InputForm(Form):
    """The console's form of an action, made from its input serializer by `input_form`."""

    input_class: type[serializers.Serializer]

    def __init__(self, data=None, files=None, *, ticket, user, **kwargs):
        super().__init__(data, files, **kwargs)
        for name, field in self.input_class().fields.items():
            self.fields[name] = _field_from_input(field, user=user)
        for name, offered in self.input_class.form_choices(ticket, user).items():
            target = self.fields[name]
            if isinstance(target, forms.ModelChoiceField):
                target.queryset = offered
            else:
                target.choices = [("", _("Choose…")), *offered]
        self.fast_selects()  # the fields came after Form.__init__

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


@functools.cache
def input_form(input_class: type[serializers.Serializer]) -> type[InputForm]:
    """The console form class of an action's input (one class per input, made once)."""
    return type(f"{input_class.__name__}Form", (InputForm,), {"input_class": input_class})


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

    def __init__(self, data=None, files=None, *, ticket=None, user=None, **kwargs):
        if ticket is not None and data is None:
            kwargs["initial"] = {name: getattr(ticket, name) for name in self.FIELDS}
            kwargs["initial"]["version"] = ticket.version
        super().__init__(data, files, **kwargs)
        self.ticket = ticket
        self.fields["category"].queryset = _categories()
        self.fields["service"].queryset = _services()
        self.fields["configuration_item"].queryset = ConfigurationItem.objects.filter(
            is_active=True
        )

    @property
    def priority_preview(self) -> int:
        """The priority the impact and urgency on the form give (as sent, or the ticket's)."""
        impact = self.data.get("impact") or self.initial.get("impact")
        urgency = self.data.get("urgency") or self.initial.get("urgency")
        if impact in Level.values and urgency in Level.values:
            return priority_for(impact, urgency)
        return self.ticket.priority if self.ticket is not None else Priority.P3

    def changes(self) -> dict:
        """Only the fields that differ from the ticket, as ticket_update takes them."""
        return {
            name: self.cleaned_data[name]
            for name in self.FIELDS
            if self.ticket is None or self.cleaned_data[name] != getattr(self.ticket, name)
        }

    def service_kwargs(self) -> dict:
        """ticket_update's arguments: the changes, the reason, and the version the agent read."""
        return {
            "expected_version": self.cleaned_data.get("version"),
            "reason": self.cleaned_data["reason"],
            **self.changes(),
        }


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

    def __init__(self, data=None, files=None, *, ticket, user=None, **kwargs):
        rows = [
            r for r in diagnosis_for(ticket=ticket) if r.question.category_id == ticket.category_id
        ]
        initial = {f"q_{row.question.pk}": row.answer.answer for row in rows if row.answer}
        kwargs.setdefault("initial", initial)
        super().__init__(data, files, **kwargs)
        for row in rows:
            self.fields[f"q_{row.question.pk}"] = question_field(row.question, required=False)

    def answers(self) -> dict[int, str]:
        return {
            int(name[2:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("q_") and str(value).strip()
        }

    def service_kwargs(self) -> dict:
        return {"answers": self.answers()}


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
        category_id = id_from_text(raw or "")
        if category_id is None:
            return []
        return list(
            DiagnosticQuestion.objects.filter(category_id=category_id, category__is_active=True)
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
