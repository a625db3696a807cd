"""The console's session pages (`/desk/sessions/`, the ticket panel's forms) and the
requester's answer in the portal. Views parse, call one selector or service, render."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.appointments import forms, selectors, services
from servicedesk.appointments.states import Status
from servicedesk.core.errors import ServiceError
from servicedesk.tickets import selectors as ticket_selectors

PAGE_SIZE = 50


def desk_staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _ticket_page(ticket) -> str:
    return reverse("desk-ticket", args=[ticket.number]) + "#sessions"


def _refused(request, form, error: ServiceError, *, title: str, ticket, back: str, template: str):
    """The form again, its errors beside the fields, with the error's status."""
    forms.service_errors_apply(form, error.errors)
    return render(
        request,
        template,
        {"form": form, "title": title, "ticket": ticket, "back": back, "nav": "sessions"},
        status=error.status_code,
    )


def _invalid(request, form, *, title: str, ticket, back: str, template: str):
    return render(
        request,
        template,
        {"form": form, "title": title, "ticket": ticket, "back": back, "nav": "sessions"},
        status=400,
    )


@require_GET
@desk_staff_required
def desk_sessions(request):
    """Sessions for the agent: upcoming or past, by status, theirs or everyone's."""
    when = request.GET.get("when", selectors.UPCOMING)
    if when not in (selectors.UPCOMING, selectors.PAST, selectors.ALL):
        when = selectors.UPCOMING
    status = request.GET.get("status", "")
    mine = request.GET.get("mine", "1") == "1"
    rows = selectors.sessions_list(
        user=request.user,
        now=timezone.now(),
        when=when,
        status=status,
        organizer=request.user if mine else None,
        ticket_number=request.GET.get("ticket", "")[:40],
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "appointments/desk/sessions.html",
        {
            "nav": "sessions",
            "page": page,
            "when": when,
            "status": status,
            "mine": mine,
            "ticket_number": request.GET.get("ticket", "")[:40],
            "statuses": Status.choices,
        },
    )


@require_POST
@desk_staff_required
def desk_propose(request, number: str):
    ticket = ticket_selectors.ticket_get(user=request.user, number=number)
    form = forms.ProposeForm(request.POST)
    context = {
        "title": _("Propose a session"),
        "ticket": ticket,
        "back": _ticket_page(ticket),
        "template": "appointments/desk/form.html",
    }
    if not form.is_valid():
        return _invalid(request, form, **context)
    try:
        services.session_propose(
            ticket=ticket,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            starts_at=form.cleaned_data["starts_at"],
            ends_at=form.ends_at(),
            phone=form.cleaned_data["phone"],
            link=form.cleaned_data["link"],
            note=form.cleaned_data["note"],
        )
    except ServiceError as error:
        return _refused(request, form, error, **context)
    messages.success(request, _("Session proposed; the requester was sent the invitation."))
    return redirect(_ticket_page(ticket))


def _session(request, pk: int):
    return selectors.session_get(user=request.user, pk=pk)


@require_POST
@desk_staff_required
def desk_reschedule(request, pk: int):
    session = _session(request, pk)
    form = forms.RescheduleForm(request.POST, prefix=f"s{pk}")
    context = {
        "title": _("Move the session"),
        "ticket": session.ticket,
        "back": _ticket_page(session.ticket),
        "template": "appointments/desk/form.html",
    }
    if not form.is_valid():
        return _invalid(request, form, **context)
    try:
        services.session_reschedule(
            session=session,
            actor=request.user,
            starts_at=form.cleaned_data["starts_at"],
            ends_at=form.ends_at(),
            note=form.cleaned_data["note"] or None,
        )
    except ServiceError as error:
        return _refused(request, form, error, **context)
    messages.success(request, _("Session moved; the requester was sent the new time."))
    return redirect(_ticket_page(session.ticket))


@require_POST
@desk_staff_required
def desk_cancel(request, pk: int):
    session = _session(request, pk)
    form = forms.CancelForm(request.POST)
    context = {
        "title": _("Cancel the session"),
        "ticket": session.ticket,
        "back": _ticket_page(session.ticket),
        "template": "appointments/desk/form.html",
    }
    if not form.is_valid():
        return _invalid(request, form, **context)
    try:
        services.session_cancel(
            session=session, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ServiceError as error:
        return _refused(request, form, error, **context)
    messages.success(request, _("Session cancelled; the requester was told."))
    return redirect(_ticket_page(session.ticket))


@require_POST
@desk_staff_required
def desk_outcome(request, pk: int):
    session = _session(request, pk)
    form = forms.OutcomeForm(request.POST, prefix=f"o{pk}")
    context = {
        "title": _("Record the outcome"),
        "ticket": session.ticket,
        "back": _ticket_page(session.ticket),
        "template": "appointments/desk/form.html",
    }
    if not form.is_valid():
        return _invalid(request, form, **context)
    try:
        services.session_outcome_record(
            session=session,
            actor=request.user,
            outcome=form.cleaned_data["outcome"],
            notes=form.cleaned_data["notes"],
        )
    except ServiceError as error:
        return _refused(request, form, error, **context)
    messages.success(request, _("Outcome recorded."))
    return redirect(_ticket_page(session.ticket))


@require_POST
@login_required
def portal_respond(request, pk: int):
    """The requester's answer, from the panel on their ticket's page."""
    session = _session(request, pk)
    back = reverse("portal-ticket", args=[session.ticket.number]) + "#sessions"
    form = forms.RespondForm(request.POST, prefix=f"r{pk}")
    context = {
        "title": _("Answer the invitation"),
        "ticket": session.ticket,
        "back": back,
        "template": "appointments/portal/form.html",
    }
    if not form.is_valid():
        return _invalid(request, form, **context)
    try:
        services.session_respond(
            session=session,
            actor=request.user,
            answer=form.cleaned_data["answer"],
            note=form.cleaned_data["note"],
            proposed_starts_at=form.cleaned_data["proposed_starts_at"],
        )
    except ServiceError as error:
        return _refused(request, form, error, **context)
    messages.success(request, _("Thank you: your answer was sent to the service desk."))
    return redirect(back)
