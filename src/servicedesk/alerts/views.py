"""The console's alerts view. Desk staff only; the rows come from selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.alerts import selectors, services
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
