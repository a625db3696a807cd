"""The self-service portal: report a problem or ask for a service, follow one's own tickets,
reply, confirm a resolution or reopen it.

The portal's own pages call the services of confirm, reopen and withdraw directly; whether each
is offered comes from the action registry (`actions.action_names_available`), as in the API.

Every ticket comes through `selectors.ticket_get`, so another person's ticket is a 404, and every
timeline through `selectors.timeline_for`, so a requester never reads an internal note.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.core.errors import ServiceError
from servicedesk.tickets import actions, forms, selectors, services
from servicedesk.tickets.downloads import attachment_response
from servicedesk.tickets.panels import portal_panels_for
from servicedesk.tickets.states import CancelReason

PORTAL_LIST_SIZE = 50
# Finished tickets shown under the open ones.
PORTAL_FINISHED_SIZE = 10


def requester_page(view):
    """A portal page; desk staff following a requester's link land on the console's page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if is_staff_member(request.user):
            if "number" in kwargs:
                return redirect("desk-ticket", number=kwargs["number"])
            return redirect("desk-queue")
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@requester_page
def home(request):
    tickets = selectors.tickets_visible(user=request.user).order_by("-created_at", "-id")
    rows = list(tickets[: PORTAL_LIST_SIZE + 1])
    current = [t for t in rows[:PORTAL_LIST_SIZE] if t.is_open or t.status == "resolved"]
    done = [t for t in rows[:PORTAL_LIST_SIZE] if not (t.is_open or t.status == "resolved")]
    context = {
        "open_tickets": current,
        "done_tickets": done[:PORTAL_FINISHED_SIZE],
        "more": len(rows) > PORTAL_LIST_SIZE or len(done) > PORTAL_FINISHED_SIZE,
        "nav": "home",
    }
    return render(request, "tickets/portal/home.html", context)


@requester_page
def report(request):
    kind = request.GET.get("kind")
    if request.method == "POST":
        form = forms.ReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                ticket = services.ticket_report(actor=request.user, **form.cleaned_data)
            except ServiceError as error:
                forms.service_errors_apply(form, error)
            else:
                messages.success(
                    request,
                    _("Thank you. We logged it as %(number)s and will keep you informed.")
                    % {"number": ticket.number},
                )
                return redirect("portal-ticket", number=ticket.number)
        status = 400
    else:
        form = forms.ReportForm(initial={"kind": kind} if kind in ("incident", "request") else {})
        status = 200
    return render(
        request,
        "tickets/portal/report.html",
        {
            "form": form,
            "max_upload_mb": forms.MAX_UPLOAD_MB,
            "nav": "request" if form["kind"].value() == "request" else "incident",
        },
        status=status,
    )


def _ticket_context(request, ticket, **extra) -> dict:
    user = request.user
    allowed = set(actions.action_names_available(ticket=ticket, user=user))
    return {
        "ticket": ticket,
        "timeline": selectors.timeline_for(ticket=ticket, user=user),
        "links": selectors.links_for(ticket=ticket, user=user),
        "can_confirm": "confirm" in allowed,
        "can_reopen": "reopen" in allowed,
        "can_rate": "rate" in allowed,
        "can_withdraw": "cancel" in allowed,
        "can_reply": ticket.is_open or ticket.status == "resolved",
        "reply_form": extra.pop("reply_form", None) or forms.ReplyForm(),
        "max_upload_mb": forms.MAX_UPLOAD_MB,
        "panels": portal_panels_for(ticket, user),
        **extra,
    }


@require_GET
@requester_page
def ticket_detail(request, number: str):
    ticket = selectors.ticket_get(user=request.user, number=number)
    return render(request, "tickets/portal/ticket.html", _ticket_context(request, ticket))


@require_POST
@requester_page
def reply(request, number: str):
    ticket = selectors.ticket_get(user=request.user, number=number)
    form = forms.ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.ticket_comment(
                ticket=ticket,
                actor=request.user,
                body=form.cleaned_data["body"],
                public=True,
                files=form.cleaned_data["files"],
            )
        except ServiceError as error:
            forms.service_errors_apply(form, error)
        else:
            messages.success(request, _("Your message was sent to the service desk."))
            return redirect(reverse("portal-ticket", args=[ticket.number]) + "#history")
    context = _ticket_context(request, ticket, reply_form=form)
    return render(request, "tickets/portal/ticket.html", context, status=400)


@requester_page
def confirm(request, number: str):
    """The link of the "resolved" email: a page that asks, and a POST that closes the ticket."""
    ticket = selectors.ticket_get(user=request.user, number=number)
    error = ""
    if request.method == "POST":
        try:
            services.ticket_confirm(ticket=ticket, actor=request.user)
        except ServiceError as problem:
            error = " ".join(m for reasons in problem.errors.values() for m in reasons)
        else:
            messages.success(request, _("Thank you for confirming. The ticket is now closed."))
            return redirect("portal-rate", number=ticket.number)
    return render(
        request,
        "tickets/portal/confirm.html",
        {"ticket": ticket, "error": error},
        status=409 if error else 200,
    )


@requester_page
def rate(request, number: str):
    """Asked once the ticket is closed (after confirming, and from the closed email's link):
    a rating from 1 to 5 and an optional comment, once."""
    ticket = selectors.ticket_get(user=request.user, number=number)
    spec = actions.action_get("rate")
    if not spec.offered(ticket, request.user):
        return redirect("portal-ticket", number=ticket.number)
    form = spec.make_form(ticket, request.user, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.ticket_rate(ticket=ticket, actor=request.user, **form.service_kwargs())
            except ServiceError as error:
                forms.service_errors_apply(form, error)
            else:
                messages.success(request, _("Thank you for telling us how we did."))
                return redirect("portal-ticket", number=ticket.number)
        status = 400
    return render(
        request, "tickets/portal/rate.html", {"ticket": ticket, "form": form}, status=status
    )


@requester_page
def reopen(request, number: str):
    ticket = selectors.ticket_get(user=request.user, number=number)
    form = forms.ReopenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.ticket_reopen(
                    ticket=ticket, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except ServiceError as error:
                forms.service_errors_apply(form, error)
            else:
                messages.success(request, _("The ticket is open again; we are on it."))
                return redirect("portal-ticket", number=ticket.number)
        status = 400
    return render(
        request, "tickets/portal/reopen.html", {"ticket": ticket, "form": form}, status=status
    )


@require_POST
@requester_page
def withdraw(request, number: str):
    ticket = selectors.ticket_get(user=request.user, number=number)
    try:
        services.ticket_cancel(
            ticket=ticket,
            actor=request.user,
            reason=CancelReason.WITHDRAWN,
            note=request.POST.get("note", ""),
        )
    except ServiceError as error:
        for reasons in error.errors.values():
            for message in reasons:
                messages.error(request, message)
    else:
        messages.success(request, _("You withdrew the ticket."))
    return redirect("portal-ticket", number=ticket.number)


@require_GET
@login_required
def attachment_download(request, number: str, attachment_id: int):
    """A file of a ticket, to whoever may see both; always a download, never shown inline."""
    return attachment_response(user=request.user, number=number, attachment_id=attachment_id)
