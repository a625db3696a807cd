"""The console's alerts view. Desk staff only; the rows come from selectors."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.alerts import selectors
from servicedesk.alerts.models import AlertStatus, Severity


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
