"""The console's on-call pages (/desk/oncall/), the acknowledge link of a page (no session),
and each person's iCalendar feed (a secret URL). Views parse, call a selector or a service,
render."""

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicedesk.accounts.models import User
from servicedesk.accounts.permissions import is_admin, is_staff_member
from servicedesk.core.errors import ServiceError
from servicedesk.oncall import forms, ical, schedules, selectors, services
from servicedesk.oncall.models import ContactMethod, NotificationRule
from servicedesk.tickets.forms import service_errors_apply

TIMELINE_DAYS = 28


def desk_staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _errors_message(request, error: ServiceError) -> None:
    messages.error(request, error.message)


def _window():
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=TIMELINE_DAYS)


def _bars(shifts, start, end):
    """Each shift with its place on a bar from `start` to `end` (percentages)."""
    span = (end - start).total_seconds()
    for shift in shifts:
        shift["left"] = round((shift["start"] - start).total_seconds() * 100 / span, 3)
        shift["width"] = round((shift["end"] - shift["start"]).total_seconds() * 100 / span, 3)
    return shifts


@require_GET
@desk_staff_required
def schedules_page(request):
    now = timezone.now()
    rows = [
        (s, schedules.on_call_at(selectors.schedule_plan(s), now)[0])
        for s in selectors.schedules_for(request.user)
    ]
    people = User.objects.in_bulk([p for _s, p in rows if p])
    return render(
        request,
        "oncall/desk/schedules.html",
        {
            "nav": "oncall",
            "rows": [(s, people.get(p)) for s, p in rows],
            "may_edit": is_admin(request.user),
        },
    )


def _schedule_page(request, schedule, form=None, status=200):
    start, end = _window()
    shifts = selectors.schedule_shifts(schedule=schedule, start=start, end=end)
    may_change = services.may_change_schedule(request.user, schedule)
    layers = list(schedule.layers.all())
    people = User.objects.in_bulk({p.person_id for la in layers for p in la.participants.all()})
    return render(
        request,
        "oncall/desk/schedule.html",
        {
            "nav": "oncall",
            "schedule": schedule,
            "layers": [
                (
                    layer,
                    _windows_text(layer),
                    [people[p.person_id] for p in layer.participants.all()],
                )
                for layer in layers
            ],
            "shifts": _bars(shifts, start, end),
            "start": start,
            "end": end,
            "days": [start + timedelta(days=n) for n in range(0, TIMELINE_DAYS, 7)],
            "overrides": selectors.overrides_ahead(schedule=schedule, now=timezone.now()),
            "may_change": may_change,
            "may_edit": is_admin(request.user),
            "form": form or (forms.OverrideForm() if may_change else None),
        },
        status=status,
    )


@require_GET
@desk_staff_required
def schedule_page(request, pk: int):
    schedule = get_object_or_404(selectors.schedules_for(request.user), pk=pk)
    return _schedule_page(request, schedule)


@require_POST
@desk_staff_required
def override_add(request, pk: int):
    schedule = get_object_or_404(selectors.schedules_for(request.user), pk=pk)
    form = forms.OverrideForm(request.POST)
    if not form.is_valid():
        return _schedule_page(request, schedule, form, status=400)
    try:
        override = services.override_add(actor=request.user, schedule=schedule, **form.cleaned_data)
    except ServiceError as error:
        service_errors_apply(form, error)
        return _schedule_page(request, schedule, form, status=error.status_code)
    messages.success(
        request,
        _("%(person)s is on call for %(schedule)s for that stretch.")
        % {"person": override.person.display_name, "schedule": schedule.name},
    )
    return redirect(reverse("desk-oncall-schedule", args=[schedule.pk]) + "#overrides")


@require_POST
@desk_staff_required
def override_remove(request, pk: int, override_pk: int):
    schedule = get_object_or_404(selectors.schedules_for(request.user), pk=pk)
    override = get_object_or_404(schedule.overrides, pk=override_pk)
    try:
        services.override_remove(actor=request.user, override=override)
    except ServiceError as error:
        _errors_message(request, error)
    else:
        messages.success(request, _("Override removed: the rotation applies again."))
    return redirect(reverse("desk-oncall-schedule", args=[schedule.pk]) + "#overrides")


def _windows_text(layer) -> str:
    """A layer's restrictions in words: "Mon, Tue 18:00–09:00; Sat, Sun", or "" when none."""
    parts = []
    for window in layer.restrictions or []:
        days = window.get("weekdays", list(range(7)))
        text = ", ".join(str(WEEKDAYS_ABBR[d]) for d in days)
        start, end = window.get("start", "00:00"), window.get("end", "00:00")
        if not start == end == "00:00":
            text += f" {start}–{end}"
        parts.append(text)
    return "; ".join(parts)


def _schedule_form_page(request, schedule, form=None, status=200):
    initial = (
        {
            "name": schedule.name,
            "description": schedule.description,
            "time_zone": schedule.time_zone,
        }
        if schedule
        else None
    )
    return render(
        request,
        "oncall/desk/schedule_edit.html",
        {
            "nav": "oncall",
            "schedule": schedule,
            "form": form or forms.ScheduleForm(initial=initial),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@desk_staff_required
def schedule_edit(request, pk: int | None = None):
    """A new schedule (no pk) or one to rename or move to another time zone."""
    _admin_only(request)
    schedule = get_object_or_404(selectors.schedules_for(request.user), pk=pk) if pk else None
    if request.method == "GET":
        return _schedule_form_page(request, schedule)
    form = forms.ScheduleForm(request.POST)
    if not form.is_valid():
        return _schedule_form_page(request, schedule, form, status=400)
    try:
        saved = services.schedule_save(actor=request.user, schedule=schedule, **form.cleaned_data)
    except ServiceError as error:
        service_errors_apply(form, error)
        return _schedule_form_page(request, schedule, form, status=error.status_code)
    messages.success(request, _("Schedule %(name)s saved.") % {"name": saved.name})
    if schedule is None:
        return redirect("desk-oncall-layer-new", pk=saved.pk)
    return redirect("desk-oncall-schedule", pk=saved.pk)


def _layer_page(request, schedule, layer, form=None, person_form=None, status=200):
    windows = max(forms.WINDOWS, len(layer.restrictions) + 1 if layer else 0)
    if form is None:
        initial = forms.LayerForm.initial_from(layer) if layer else {"start": timezone.localdate()}
        form = forms.LayerForm(initial=initial, windows=windows)
    return render(
        request,
        "oncall/desk/layer.html",
        {
            "nav": "oncall",
            "schedule": schedule,
            "layer": layer,
            "form": form,
            "participants": layer.participants.select_related("person") if layer else [],
            "person_form": person_form or (forms.ParticipantForm() if layer else None),
        },
        status=status,
    )


def _layer_get(request, pk: int, layer_pk: int):
    schedule = get_object_or_404(selectors.schedules_for(request.user), pk=pk)
    return schedule, get_object_or_404(schedule.layers, pk=layer_pk)


@require_http_methods(["GET", "POST"])
@desk_staff_required
def layer_edit(request, pk: int, layer_pk: int | None = None):
    """A new layer of a schedule (no layer_pk) or one to change, with its people in order."""
    _admin_only(request)
    if layer_pk is None:
        schedule, layer = get_object_or_404(selectors.schedules_for(request.user), pk=pk), None
    else:
        schedule, layer = _layer_get(request, pk, layer_pk)
    if request.method == "GET":
        return _layer_page(request, schedule, layer)
    windows = max(forms.WINDOWS, len(layer.restrictions) + 1 if layer else 0)
    form = forms.LayerForm(request.POST, windows=windows)
    if not form.is_valid():
        return _layer_page(request, schedule, layer, form, status=400)
    try:
        saved = services.layer_save(
            actor=request.user, schedule=schedule, layer=layer, **form.cleaned_data
        )
    except ServiceError as error:
        service_errors_apply(form, error)
        return _layer_page(request, schedule, layer, form, status=error.status_code)
    messages.success(request, _("Layer %(name)s saved.") % {"name": saved.name})
    if layer is None:
        return redirect(reverse("desk-oncall-layer", args=[schedule.pk, saved.pk]) + "#people")
    return redirect(reverse("desk-oncall-schedule", args=[schedule.pk]) + "#layers")


@require_POST
@desk_staff_required
def layer_remove(request, pk: int, layer_pk: int):
    _admin_only(request)
    schedule, layer = _layer_get(request, pk, layer_pk)
    services.layer_remove(actor=request.user, layer=layer)
    messages.success(request, _("Layer %(name)s removed.") % {"name": layer.name})
    return redirect(reverse("desk-oncall-schedule", args=[schedule.pk]) + "#layers")


@require_POST
@desk_staff_required
def participant_add(request, pk: int, layer_pk: int):
    _admin_only(request)
    schedule, layer = _layer_get(request, pk, layer_pk)
    form = forms.ParticipantForm(request.POST)
    if not form.is_valid():
        return _layer_page(request, schedule, layer, person_form=form, status=400)
    try:
        services.layer_participant_add(actor=request.user, layer=layer, **form.cleaned_data)
    except ServiceError as error:
        service_errors_apply(form, error)
        return _layer_page(request, schedule, layer, person_form=form, status=error.status_code)
    return redirect(reverse("desk-oncall-layer", args=[schedule.pk, layer.pk]) + "#people")


@require_POST
@desk_staff_required
def participant_change(request, pk: int, layer_pk: int, participant_pk: int):
    """Move a person up or down the rotation (`by` -1 or 1), or take them off (`remove`)."""
    _admin_only(request)
    schedule, layer = _layer_get(request, pk, layer_pk)
    participant = get_object_or_404(layer.participants, pk=participant_pk)
    if "remove" in request.POST:
        services.layer_participant_remove(actor=request.user, participant=participant)
    else:
        by = {"-1": -1, "1": 1}.get(request.POST.get("by", ""))
        if by is None:
            messages.error(request, _("by: move by -1 or 1."))
        else:
            services.layer_participant_move(actor=request.user, participant=participant, by=by)
    return redirect(reverse("desk-oncall-layer", args=[schedule.pk, layer.pk]) + "#people")


@require_GET
@desk_staff_required
def person_page(request, username: str):
    person = get_object_or_404(User, username=username, is_active=True)
    start, end = _window()
    shifts = selectors.person_shifts(person=person, start=start, end=end)
    return render(
        request,
        "oncall/desk/person.html",
        {"nav": "oncall", "person": person, "shifts": shifts, "start": start, "end": end},
    )


@require_GET
@desk_staff_required
def policies_page(request):
    return render(
        request,
        "oncall/desk/policies.html",
        {
            "nav": "oncall",
            "policies": selectors.policies_for(request.user),
            "may_change": is_admin(request.user),
        },
    )


def _policy_initial(policy) -> dict:
    return {
        "name": policy.name,
        "description": policy.description,
        "service": policy.service_id,
        "support_group": policy.support_group_id,
        "priorities": policy.priorities,
        "repeat": policy.repeat,
        "is_active": policy.is_active,
    }


def _policy_page(request, policy, form=None, level_form=None, status=200):
    return render(
        request,
        "oncall/desk/policy.html",
        {
            "nav": "oncall",
            "policy": policy,
            "form": form or forms.PolicyForm(initial=_policy_initial(policy) if policy else None),
            "level_form": level_form or (forms.LevelForm() if policy else None),
        },
        status=status,
    )


def _admin_only(request) -> None:
    if not is_admin(request.user):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
@desk_staff_required
def policy_edit(request, pk: int | None = None):
    """A new policy (no pk) or one to change, with its levels."""
    _admin_only(request)
    policy = get_object_or_404(selectors.policies_for(request.user), pk=pk) if pk else None
    if request.method == "GET":
        return _policy_page(request, policy)
    form = forms.PolicyForm(request.POST)
    if not form.is_valid():
        return _policy_page(request, policy, form, status=400)
    try:
        policy = services.policy_save(actor=request.user, policy=policy, **form.cleaned_data)
    except ServiceError as error:
        service_errors_apply(form, error)
        return _policy_page(request, policy, form, status=error.status_code)
    messages.success(request, _("Policy %(name)s saved.") % {"name": policy.name})
    return redirect("desk-oncall-policy", pk=policy.pk)


@require_POST
@desk_staff_required
def policy_level_add(request, pk: int):
    _admin_only(request)
    policy = get_object_or_404(selectors.policies_for(request.user), pk=pk)
    form = forms.LevelForm(request.POST)
    if not form.is_valid():
        return _policy_page(request, policy, level_form=form, status=400)
    try:
        services.policy_level_add(actor=request.user, policy=policy, **form.cleaned_data)
    except ServiceError as error:
        service_errors_apply(form, error)
        return _policy_page(request, policy, level_form=form, status=error.status_code)
    messages.success(request, _("Level added."))
    return redirect(reverse("desk-oncall-policy", args=[policy.pk]) + "#levels")


@require_POST
@desk_staff_required
def policy_level_remove(request, pk: int, level_pk: int):
    _admin_only(request)
    policy = get_object_or_404(selectors.policies_for(request.user), pk=pk)
    level = get_object_or_404(policy.levels, pk=level_pk)
    services.policy_level_remove(actor=request.user, level=level)
    messages.success(request, _("Level removed."))
    return redirect(reverse("desk-oncall-policy", args=[policy.pk]) + "#levels")


@require_GET
@desk_staff_required
def pages_page(request):
    mine = selectors.pages_for(user=request.user, person=request.user)[:50]
    open_pages = selectors.pages_for(user=request.user, open_only=True)[:50]
    return render(
        request,
        "oncall/desk/pages.html",
        {"nav": "oncall", "mine": mine, "open_pages": open_pages},
    )


@require_POST
@desk_staff_required
def page_acknowledge(request, pk: int):
    page = get_object_or_404(selectors.pages_for(user=request.user), pk=pk)
    try:
        services.page_acknowledge(page=page, person=request.user, via="console")
    except ServiceError as error:
        _errors_message(request, error)
    else:
        messages.success(
            request,
            _("Acknowledged: paging for %(number)s stopped.") % {"number": page.ticket.number},
        )
    return redirect(request.POST.get("next") or reverse("desk-oncall-pages"))


def _me_context(request, method_form=None, rule_form=None):
    person = request.user
    feed = services.calendar_feed_get_or_rotate(person=person)
    return {
        "nav": "oncall",
        "methods": ContactMethod.objects.filter(person=person).select_related("endpoint"),
        "rules": NotificationRule.objects.filter(person=person).select_related("method"),
        "method_form": method_form or forms.ContactMethodForm(),
        "rule_form": rule_form or forms.RuleForm(person=person),
        "feed_url": request.build_absolute_uri(reverse("oncall-feed", args=[feed.token])),
    }


@require_GET
@desk_staff_required
def me_page(request):
    return render(request, "oncall/desk/me.html", _me_context(request))


@require_POST
@desk_staff_required
def me_method_add(request):
    form = forms.ContactMethodForm(request.POST)
    if form.is_valid():
        try:
            services.contact_method_add(person=request.user, **form.cleaned_data)
        except ServiceError as error:
            for field, reasons in error.errors.items():
                form.add_error(field if field in form.fields else None, reasons)
        else:
            return redirect("desk-oncall-me")
    return render(
        request, "oncall/desk/me.html", _me_context(request, method_form=form), status=400
    )


@require_POST
@desk_staff_required
def me_method_remove(request, pk: int):
    method = get_object_or_404(ContactMethod, pk=pk, person=request.user)
    services.contact_method_remove(method=method)
    return redirect("desk-oncall-me")


@require_POST
@desk_staff_required
def me_rule_add(request):
    form = forms.RuleForm(request.POST, person=request.user)
    if form.is_valid():
        try:
            services.notification_rule_add(person=request.user, **form.cleaned_data)
        except ServiceError as error:
            for field, reasons in error.errors.items():
                form.add_error(field if field in form.fields else None, reasons)
        else:
            return redirect("desk-oncall-me")
    return render(request, "oncall/desk/me.html", _me_context(request, rule_form=form), status=400)


@require_POST
@desk_staff_required
def me_rule_remove(request, pk: int):
    rule = get_object_or_404(NotificationRule, pk=pk, person=request.user)
    services.notification_rule_remove(rule=rule)
    return redirect("desk-oncall-me")


@require_POST
@desk_staff_required
def me_feed_rotate(request):
    services.calendar_feed_get_or_rotate(person=request.user, rotate=True)
    messages.success(
        request, _("Your calendar feed has a new address; the old one no longer works.")
    )
    return redirect("desk-oncall-me")


# ---------------------------------------------------------------------------------------------
# No session: the acknowledge link and the calendar feed


@csrf_exempt  # the signed, single-use link is the credential; there is no session to protect
@require_http_methods(["GET", "POST"])
def acknowledge_link(request, signed: str):
    """GET shows the incident and one button (mail scanners that open links acknowledge
    nothing); POST acknowledges. A used, expired or forged link gets a page saying so."""
    try:
        page = services.page_from_link(signed)
        if request.method == "POST":
            services.page_acknowledge(page=page)
            return render(request, "oncall/ack.html", {"page": page, "done": True})
        if page.used_at is not None:
            raise services.AcknowledgeRefused(_("This page has already been acknowledged."), 409)
    except services.AcknowledgeRefused as refused:
        return render(
            request, "oncall/ack.html", {"refused": refused.reason}, status=refused.status_code
        )
    return render(request, "oncall/ack.html", {"page": page})


@require_GET
def calendar_feed(request, token: str):
    feed = selectors.feed_by_token(token=token)
    if feed is None or not feed.person.is_active:
        raise Http404
    start, end = ical.feed_range()
    body = ical.shifts_calendar(person=feed.person, start=start, end=end)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
