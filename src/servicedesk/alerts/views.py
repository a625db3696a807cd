"""The console's alerts view and maintenance windows. Desk staff only (administrators manage
the windows); the rows come from selectors, the writes go through the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.accounts.permissions import is_admin, is_staff_member
from servicedesk.alerts import selectors, services
from servicedesk.alerts.forms import MaintenanceWindowForm
from servicedesk.alerts.models import AlertStatus, Severity
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
