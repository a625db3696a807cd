"""The agent console: queues, the ticket page with its actions, logging a call.

Views parse the request, call one selector or service and render. One view serves a page and its
htmx partial (`template.html#partial`).
"""

from functools import wraps
from types import SimpleNamespace
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from rest_framework.exceptions import ValidationError as FilterError

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.core.errors import ServiceError
from servicedesk.core.pagination import KeysetPagination
from servicedesk.sla.selectors import clocks_for
from servicedesk.tickets import actions, forms, selectors, services
from servicedesk.tickets.filters import ticket_filter
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.panels import panels_for
from servicedesk.tickets.priority import Priority, priority_for

QUEUE_PAGE_SIZE = 50


def desk_staff_required(view):
    """Signed-in desk staff only; a requester following a console link to a ticket is sent to
    the portal's page of it (which is a 404 unless it is theirs)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_member(request.user):
            if "number" in kwargs:
                return redirect("portal-ticket", number=kwargs["number"])
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


# ---------------------------------------------------------------------------------------------
# Queues


class QueuePagination(KeysetPagination):
    page_size = QUEUE_PAGE_SIZE
    ordering_fields = {
        "priority": "priority",
        "created_at": "created_at",
        "updated_at": "updated_at",
        "sla_due_at": "sla_due_at",
    }


def _queue_page(queryset, *, ordering: str, cursor: str) -> tuple[list[Ticket], str | None]:
    """One bounded page of the queue by keyset, and the cursor of the next one."""
    params = {"ordering": ordering, **({"cursor": cursor} if cursor else {})}
    paginator = QueuePagination()
    rows = paginator.paginate_queryset(queryset, SimpleNamespace(query_params=params))
    return rows, paginator.next_cursor()


@require_GET
@desk_staff_required
def queue(request):
    form = forms.QueueFilterForm(request.GET)
    form.is_valid()
    key = form.queue_key
    if request.htmx and request.htmx.target == "filter-fields":
        # The filters panel, opened for the first time.
        context = {"form": form, "queue": selectors.QUEUES_BY_KEY[key]}
        return render(request, "tickets/desk/queue.html#filter-fields", context)
    error = ""
    now = selectors.queue_now()
    tickets = selectors.queue_tickets(user=request.user, queue=key, now=now)
    rows, next_cursor = [], None
    try:
        filtered = ticket_filter(
            tickets, SimpleNamespace(GET=form.filter_params(), user=request.user)
        )
        rows, next_cursor = _queue_page(
            selectors.queue_rows(filtered),
            ordering=form.ordering,
            cursor=request.GET.get("cursor", ""),
        )
    except FilterError as problem:
        error = " ".join(str(m) for messages_ in problem.detail.values() for m in messages_)
    context = {
        "form": form,
        "queue": selectors.QUEUES_BY_KEY[key],
        "queues": selectors.QUEUES,
        "counts": selectors.queue_counts(user=request.user, now=now),
        "count_cap": selectors.QUEUE_COUNT_CAP,
        "rows": rows,
        "next_cursor": next_cursor,
        "error": error,
        # The queue refreshes itself this often while no row is ticked.
        "poll_seconds": settings.SERVICEDESK_QUEUE_POLL_SECONDS,
        "query": request.GET.urlencode(),
        "nav": "queue",
    }
    if request.htmx and request.htmx.target == "queue-rows":
        return render(request, "tickets/desk/queue.html#queue-refresh", context)
    context["filters_open"] = bool(form.active_filters or form.errors or request.GET.get("filters"))
    if request.htmx and request.htmx.target == "filter-fields":
        return render(request, "tickets/desk/queue.html#filter-fields", context)
    context["saved_views"] = selectors.saved_views_for(user=request.user)
    context["bulk_form"] = forms.BulkForm()
    context["save_form"] = forms.SavedViewForm(initial={"query": _query_to_save(request)})
    return render(request, "tickets/desk/queue.html", context)


def _query_to_save(request) -> str:
    params = request.GET.copy()
    params.pop("cursor", None)
    return params.urlencode()


@require_POST
@desk_staff_required
def saved_view_create(request):
    form = forms.SavedViewForm(request.POST)
    if form.is_valid():
        try:
            view = services.saved_view_save(
                user=request.user, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
            )
        except ServiceError as error:
            messages.error(request, " ".join(error.errors.get("name", [error.message])))
        else:
            messages.success(request, _("Saved the view “%(name)s”.") % {"name": view.name})
            return redirect(reverse("desk-queue") + ("?" + view.query if view.query else ""))
    else:
        messages.error(request, _("Give the view a name."))
    return redirect(_safe_next(request, reverse("desk-queue")))


@require_POST
@desk_staff_required
def saved_view_delete(request, view_id: int):
    services.saved_view_delete(user=request.user, view_id=view_id)
    messages.success(request, _("The saved view was removed."))
    return redirect(_safe_next(request, reverse("desk-queue")))


@require_POST
@desk_staff_required
def bulk(request):
    form = forms.BulkForm(request.POST)
    back = _safe_next(request, reverse("desk-queue"))
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
        return redirect(back)
    data = form.cleaned_data
    try:
        outcomes = services.tickets_bulk_apply(
            actor=request.user,
            numbers=request.POST.getlist("tickets"),
            action=data["action"],
            assignee=data["assignee"],
            group=data["group"],
            impact=data["impact"] or None,
            urgency=data["urgency"] or None,
            reason=data["reason"],
        )
    except ServiceError as error:
        for reasons in error.errors.values():
            for message in reasons:
                messages.error(request, message)
        return redirect(back)
    done = [o.number for o in outcomes if o.ok]
    if done:
        messages.success(
            request,
            _("Done for %(count)d ticket(s): %(numbers)s.")
            % {"count": len(done), "numbers": ", ".join(done)},
        )
    for outcome in outcomes:
        if not outcome.ok:
            messages.error(
                request,
                _("%(number)s was not changed: %(reasons)s")
                % {"number": outcome.number, "reasons": " ".join(outcome.errors)},
            )
    return redirect(back)


# ---------------------------------------------------------------------------------------------
# The ticket page and its actions


def _ticket_context(
    request, ticket: Ticket, *, open_action=None, action_form=None, comment_form=None
):
    user = request.user
    offered = actions.actions_available(ticket=ticket, user=user)
    if open_action is not None and open_action not in offered:
        open_action = None
    if open_action is not None and action_form is None:
        action_form = open_action.make_form(ticket, user)
    return {
        "ticket": ticket,
        "actions": offered,
        "open_action": open_action,
        "action_form": action_form,
        "timeline": selectors.timeline_for(ticket=ticket, user=user),
        "clocks": clocks_for(ticket=ticket),
        "diagnosis": selectors.diagnosis_for(ticket=ticket),
        "tiers": selectors.tier_history(ticket=ticket),
        "links": selectors.links_for(ticket=ticket, user=user),
        "attachments": selectors.attachments_for(ticket=ticket, user=user),
        "comment_form": comment_form or forms.CommentForm(),
        "max_upload_mb": forms.MAX_UPLOAD_MB,
        "panels": panels_for(ticket, user),
    }


@require_GET
@desk_staff_required
def ticket_detail(request, number: str):
    ticket = selectors.ticket_get(user=request.user, number=number)
    open_action = actions.action_get(request.GET.get("do", ""))
    context = _ticket_context(request, ticket, open_action=open_action)
    return render(request, "tickets/desk/ticket.html", context)


@desk_staff_required
def ticket_action(request, number: str, name: str):
    """GET: the action's form (an htmx partial, or the page with it open); POST: do it.

    The same order of refusals as the API: an invisible ticket or an unknown action is 404, an
    action the person may not take 403, then the form's errors (400) and the service's.
    """
    ticket = selectors.ticket_get(user=request.user, number=number)
    action = actions.action_get(name)
    if action is None:
        raise Http404("No such action.")
    if not action.permission(request.user, ticket):
        raise PermissionDenied
    page = reverse("desk-ticket", args=[ticket.number])
    if not action.offered(ticket, request.user):
        messages.error(request, _("That action is not available for this ticket now."))
        return redirect(page)
    if request.method == "GET":
        if request.htmx:
            context = {
                "ticket": ticket,
                "open_action": action,
                "action_form": action.make_form(ticket, request.user),
            }
            return render(request, "tickets/desk/ticket.html#action-form", context)
        return redirect(f"{page}?{urlencode({'do': name})}#action-panel")
    if request.method != "POST":
        return HttpResponse(status=405)
    form = action.make_form(ticket, request.user, request.POST, request.FILES)
    if form.is_valid():
        try:
            ticket = action.perform(ticket, request.user, form.service_kwargs())
        except ServiceError as error:
            forms.service_errors_apply(form, error)
            status = error.status_code
        else:
            messages.success(request, _("%(action)s: done.") % {"action": action.label})
            return redirect("desk-ticket", number=ticket.number)
    else:
        status = 400
    context = _ticket_context(request, ticket, open_action=action, action_form=form)
    return render(request, "tickets/desk/ticket.html", context, status=status)


@require_POST
@desk_staff_required
def ticket_comment(request, number: str):
    ticket = selectors.ticket_get(user=request.user, number=number)
    form = forms.CommentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.ticket_comment(
                ticket=ticket,
                actor=request.user,
                body=form.cleaned_data["body"],
                public=form.public,
                files=form.cleaned_data["files"],
            )
        except ServiceError as error:
            forms.service_errors_apply(form, error)
            status = error.status_code
        else:
            messages.success(
                request, _("Reply sent.") if form.public else _("Internal note added.")
            )
            return redirect(reverse("desk-ticket", args=[ticket.number]) + "#timeline")
    else:
        status = 400
    context = _ticket_context(request, ticket, comment_form=form)
    return render(request, "tickets/desk/ticket.html", context, status=status)


# ---------------------------------------------------------------------------------------------
# Logging a call


LOG_ALIASES = {"name": "caller_name", "email": "caller_email", "phone": "caller_phone"}


@desk_staff_required
def log_call(request):
    if request.method == "POST" and "find" not in request.POST:
        form = forms.LogCallForm(request.POST)
        if form.is_valid():
            try:
                ticket = services.ticket_log_call(actor=request.user, **form.service_kwargs())
            except ServiceError as error:
                forms.service_errors_apply(form, error, LOG_ALIASES)
            else:
                messages.success(
                    request, _("Logged %(number)s for the caller.") % {"number": ticket.number}
                )
                return redirect("desk-ticket", number=ticket.number)
        status = 400
    else:
        form = forms.LogCallForm(request.POST or None)
        status = 200
    context = {"form": form, "priority": _priority_preview(form), "nav": "log"}
    return render(request, "tickets/desk/log.html", context, status=status)


def _priority_preview(form) -> int:
    data = form.data or {}
    impact = data.get("impact") or form.fields["impact"].initial
    urgency = data.get("urgency") or form.fields["urgency"].initial
    try:
        return priority_for(impact, urgency)
    except KeyError:
        return Priority.P3


@require_GET
@desk_staff_required
def log_callers(request):
    form = forms.LogCallForm(request.GET)
    return render(request, "tickets/desk/log.html#callers", {"form": form})


@require_GET
@desk_staff_required
def log_questions(request):
    form = forms.LogCallForm(request.GET)
    return render(request, "tickets/desk/log.html#questions", {"form": form})


@require_GET
@desk_staff_required
def log_priority(request):
    form = forms.LogCallForm(request.GET)
    return render(request, "tickets/desk/log.html#priority", {"priority": _priority_preview(form)})
