"""The console's major incident pages (`/desk/major/…`), for desk staff. Views parse, call one
selector or service, render; a refused input is shown beside its field with the error's status."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicedesk.accounts.models import User
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.core.errors import ServiceError
from servicedesk.majorincidents import forms, selectors, services
from servicedesk.majorincidents.models import MajorStatus
from servicedesk.tickets import selectors as ticket_selectors
from servicedesk.tickets.forms import service_errors_apply


def desk_staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _major(request, pk: int):
    major = selectors.major_get(user=request.user, pk=pk)
    if major is None:
        raise Http404(_("No such major incident."))
    return major


def _person(pk) -> User | None:
    return User.objects.filter(pk=pk).first() if pk else None


@require_GET
@desk_staff_required
def major_list(request):
    status = request.GET.get("status", "")
    return render(
        request,
        "majorincidents/desk/list.html",
        {
            "nav": "major",
            "majors": selectors.majors_for(user=request.user, status=status)[:100],
            "status": status,
            "statuses": MajorStatus.choices,
        },
    )


def _detail(request, major, status: int = 200, **bound):
    linked, counts = selectors.linked_of(major=major, user=request.user)
    context = {
        "nav": "major",
        "major": major,
        "ticket": major.ticket,
        "roles": major.current_roles,
        "role_history": selectors.role_history(major=major),
        "updates": selectors.updates_of(major=major),
        "linked": linked,
        "counts": counts,
        "role_form": forms.RoleForm(),
        "bridge_form": forms.BridgeForm(
            initial={
                "bridge_phone": major.bridge_phone,
                "bridge_url": major.bridge_url,
                "update_minutes": major.update_minutes,
            }
        ),
        "link_form": forms.LinkForm(),
        "update_form": forms.UpdateForm(),
        "resolve_form": forms.ResolveForm(),
    }
    context.update(bound)
    return render(request, "majorincidents/desk/detail.html", context, status=status)


@require_GET
@desk_staff_required
def major_detail(request, pk: int):
    return _detail(request, _major(request, pk))


def _post(request, major, name: str, form, call, done: str):
    """Validate `form`, call the service with its data, redirect or show the refusal."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ServiceError as error:
            service_errors_apply(form, error)
            return _detail(request, _major(request, major.pk), error.status_code, **{name: form})
        messages.success(request, done)
        return redirect("desk-major", major.pk)
    return _detail(request, major, 400, **{name: form})


@require_POST
@desk_staff_required
def major_declare(request, number: str):
    ticket = ticket_selectors.ticket_get(user=request.user, number=number)
    form = forms.DeclareForm(request.POST)
    if form.is_valid():
        try:
            major = services.major_declare(ticket=ticket, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Declared a major incident."))
            return redirect("desk-major", major.pk)
    else:
        messages.error(request, " ".join(f"{f}: {' '.join(e)}" for f, e in form.errors.items()))
    return redirect("desk-ticket", ticket.number)


@require_POST
@desk_staff_required
def major_role(request, pk: int):
    major = _major(request, pk)
    return _post(
        request,
        major,
        "role_form",
        forms.RoleForm(request.POST),
        lambda data: services.major_role_assign(
            major=major, actor=request.user, role=data["role"], person=_person(data["person"])
        ),
        _("Role recorded."),
    )


@require_POST
@desk_staff_required
def major_bridge(request, pk: int):
    major = _major(request, pk)
    return _post(
        request,
        major,
        "bridge_form",
        forms.BridgeForm(request.POST),
        lambda data: services.major_bridge_set(major=major, actor=request.user, **data),
        _("Bridge saved."),
    )


@require_POST
@desk_staff_required
def major_link(request, pk: int):
    major = _major(request, pk)
    return _post(
        request,
        major,
        "link_form",
        forms.LinkForm(request.POST),
        lambda data: services.major_tickets_link(
            major=major, actor=request.user, numbers=data["tickets"]
        ),
        _("Tickets linked."),
    )


@require_POST
@desk_staff_required
def major_unlink(request, pk: int, number: str):
    major = _major(request, pk)
    ticket = ticket_selectors.ticket_get(user=request.user, number=number)
    try:
        services.major_ticket_unlink(major=major, actor=request.user, ticket=ticket)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Ticket unlinked."))
    return redirect("desk-major", major.pk)


@require_POST
@desk_staff_required
def major_update(request, pk: int):
    major = _major(request, pk)
    return _post(
        request,
        major,
        "update_form",
        forms.UpdateForm(request.POST),
        lambda data: services.major_update_post(major=major, actor=request.user, **data),
        _("Public update sent."),
    )


@require_POST
@desk_staff_required
def major_resolve(request, pk: int):
    major = _major(request, pk)
    form = forms.ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.major_resolve(major=major, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            service_errors_apply(form, error)
            return _detail(request, major, error.status_code, resolve_form=form)
        messages.success(request, _("Resolved; the post-incident review is open."))
        return redirect("desk-major-review", major.pk)
    return _detail(request, major, 400, resolve_form=form)


@require_GET
@desk_staff_required
def review_list(request):
    open_only = request.GET.get("open") == "1"
    return render(
        request,
        "majorincidents/desk/reviews.html",
        {
            "nav": "major",
            "reviews": selectors.reviews_for(user=request.user, open_only=open_only)[:100],
            "open_only": open_only,
        },
    )


def _review(request, pk: int):
    review = selectors.review_get(user=request.user, major_pk=pk)
    if review is None:
        raise Http404(_("No such review."))
    return review


def _review_page(request, review, status: int = 200, **bound):
    context = {
        "nav": "major",
        "review": review,
        "major": review.major,
        "ticket": review.major.ticket,
        "items": list(review.action_items.all()),
        "summary": selectors.summary_lines(review),
        "review_form": forms.ReviewForm(
            initial={
                "root_cause": review.root_cause,
                "contributing_factors": review.contributing_factors,
            }
        ),
        "item_form": forms.ActionItemForm(),
    }
    context.update(bound)
    return render(request, "majorincidents/desk/review.html", context, status=status)


@require_http_methods(["GET", "POST"])
@desk_staff_required
def review_detail(request, pk: int):
    review = _review(request, pk)
    if request.method == "GET":
        return _review_page(request, review)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_edit(review=review, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            service_errors_apply(form, error)
            return _review_page(request, review, error.status_code, review_form=form)
        messages.success(request, _("Review saved."))
        return redirect("desk-major-review", pk)
    return _review_page(request, review, 400, review_form=form)


@require_POST
@desk_staff_required
def review_item_add(request, pk: int):
    review = _review(request, pk)
    form = forms.ActionItemForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.action_item_add(
                review=review,
                actor=request.user,
                title=data["title"],
                owner=_person(data["owner"]),
                due_date=data["due_date"],
            )
        except ServiceError as error:
            service_errors_apply(form, error)
            return _review_page(request, review, error.status_code, item_form=form)
        messages.success(request, _("Action item added."))
        return redirect("desk-major-review", pk)
    return _review_page(request, review, 400, item_form=form)


@require_POST
@desk_staff_required
def review_item_done(request, item_pk: int):
    item = selectors.action_item_get(user=request.user, pk=item_pk)
    if item is None:
        raise Http404(_("No such action item."))
    services.action_item_done(item=item, actor=request.user, done=request.POST.get("done") != "0")
    messages.success(request, _("Action item updated."))
    return redirect("desk-major-review", item.review.major_id)
