"""The console's alerts view and maintenance windows. Desk staff only (administrators manage
the windows); the rows come from selectors, the writes go through the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.accounts.permissions import is_admin, is_staff_member
from servicedesk.alerts import selectors, services
from servicedesk.alerts.forms import MaintenanceWindowForm
from servicedesk.alerts.models import AlertStatus, Severity, SurgeStatus
from servicedesk.core.errors import ServiceError


@login_required
def alert_list(request):
    if not is_staff_member(request.user):
        raise PermissionDenied(_("Alerts are for desk staff."))
    filters, errors = selectors.alert_filters_parse(request.GET)
    integrations = list(selectors.integrations_list(user=request.user))
    services = {i.service for i in integrations if i.service_id}
    return render(
        request,
        "alerts/list.html",
        {
            "nav": "alerts",
            "alerts": selectors.alerts_list(user=request.user, filters=filters),
            "counts": selectors.alert_counts(user=request.user),
            "filters": filters,
            "errors": errors,
            "integrations": integrations,
            "services": sorted(services, key=lambda s: str(s)),
            "statuses": AlertStatus.choices,
            "severities": Severity.choices,
            "states": [("flapping", _("Flapping")), ("maintenance", _("In maintenance"))],
            "limit": selectors.LIST_LIMIT,
        },
    )


@login_required
def surge_list(request):
    """Possible outages found in user tickets: the proposals to confirm or dismiss first."""
    if not is_staff_member(request.user):
        raise PermissionDenied(_("Alerts are for desk staff."))
    surges = selectors.surges_list(user=request.user)
    return render(
        request,
        "alerts/surges.html",
        {
            "nav": "alerts",
            "proposed": [s for s in surges if s.status == SurgeStatus.PROPOSED],
            "decided": [s for s in surges if s.status != SurgeStatus.PROPOSED],
        },
    )


def _staff(request):
    if not is_staff_member(request.user):
        raise PermissionDenied(_("Alerts are for desk staff."))


def _admin(request):
    if not is_admin(request.user):
        raise PermissionDenied(_("Only administrators manage maintenance windows."))


def _windows_page(request, form=None, status=200, editing=None):
    return render(
        request,
        "alerts/maintenance.html",
        {
            "nav": "alerts",
            "rows": selectors.maintenance_window_rows(user=request.user),
            "form": form if form is not None else MaintenanceWindowForm(instance=editing),
            "editing": editing,
            "can_manage": is_admin(request.user),
        },
        status=status,
    )


@login_required
def maintenance_list(request):
    """Maintenance windows with their occurrence in progress and their next ones; an
    administrator adds one here."""
    _staff(request)
    if request.method != "POST":
        return _windows_page(request)
    _admin(request)
    form = MaintenanceWindowForm(request.POST)
    if not form.is_valid():
        return _windows_page(request, form, 400)
    try:
        services.maintenance_window_create(actor=request.user, **form.values())
    except ServiceError as error:
        _errors_apply(form, error)
        return _windows_page(request, form, error.status_code)
    messages.success(request, _("Maintenance window saved."))
    return redirect("alerts-maintenance")


@login_required
def maintenance_edit(request, pk: int):
    _staff(request)
    _admin(request)
    window = get_object_or_404(selectors.maintenance_windows_list(user=request.user), pk=pk)
    if request.method != "POST":
        return _windows_page(request, editing=window)
    form = MaintenanceWindowForm(request.POST, instance=window)
    if not form.is_valid():
        return _windows_page(request, form, 400, editing=window)
    try:
        services.maintenance_window_update(window=window, **form.values())
    except ServiceError as error:
        _errors_apply(form, error)
        return _windows_page(request, form, error.status_code, editing=window)
    messages.success(request, _("Maintenance window saved."))
    return redirect("alerts-maintenance")


@require_POST
@login_required
def surge_decide(request, pk: int):
    """Confirm (open the incident) or dismiss a proposed surge; back to where the agent was."""
    if not is_staff_member(request.user):
        raise PermissionDenied(_("Alerts are for desk staff."))
    surge = selectors.surge_get(user=request.user, pk=pk)
    if surge is None:
        raise Http404
    decision = request.POST.get("decision", "")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    try:
        if decision == "confirm":
            surge = services.surge_confirm(surge=surge, actor=request.user)
            messages.success(
                request,
                _("Incident %(number)s opened for the possible outage.")
                % {"number": surge.incident.number},
            )
            return redirect("desk-ticket", surge.incident.number)
        if decision == "dismiss":
            services.surge_dismiss(
                surge=surge, actor=request.user, note=request.POST.get("note", "")
            )
            messages.success(request, _("Possible outage dismissed."))
        else:
            messages.error(request, _("decision: Must be one of: confirm, dismiss."))
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect(back or "alerts-surges-page")


def maintenance_delete(request, pk: int):
    _staff(request)
    _admin(request)
    window = get_object_or_404(selectors.maintenance_windows_list(user=request.user), pk=pk)
    services.maintenance_window_delete(window=window)
    messages.success(request, _("Maintenance window removed; its alerts still firing are open."))
    return redirect("alerts-maintenance")


def _errors_apply(form, error: ServiceError) -> None:
    for name, reasons in error.errors.items():
        form.add_error(name if name in form.fields else None, reasons)
