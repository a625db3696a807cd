"""The reports dashboard and its CSV export. Desk staff only; the figures come from selectors."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.reports.charts import dashboard_charts
from servicedesk.reports.exports import report_csv
from servicedesk.reports.formatting import promise_statement
from servicedesk.reports.forms import ReportForm
from servicedesk.reports.selectors import BREAKDOWN_CHOICES, report_build

# Slicings the dashboard always shows, besides the one chosen in the form.
DASHBOARD_BREAKDOWNS = ("day", "priority", "group", "tier", "category", "agent")
TABLE_BREAKDOWNS = ("group", "agent", "tier", "category")


def _staff_only(user) -> None:
    if not is_staff_member(user):
        raise PermissionDenied(_("Reports are for desk staff."))


@require_safe
@login_required
def dashboard(request):
    _staff_only(request.user)
    form = ReportForm(request.GET)
    if not form.is_valid():
        return render(
            request, "reports/dashboard.html", {"form": form, "nav": "reports"}, status=400
        )
    params = form.params
    report = report_build(
        user=request.user,
        start=params.start,
        end=params.end,
        breakdown=params.breakdown,
        also=DASHBOARD_BREAKDOWNS,
    )
    names = dict(BREAKDOWN_CHOICES)
    tables = [
        {"breakdown": name, "title": names[name], "rows": report.breakdowns[name]}
        for name in (params.breakdown, *TABLE_BREAKDOWNS)
    ]
    # The chosen breakdown comes first; the standing tables follow unless it is one of them.
    tables = [tables[0], *(t for t in tables[1:] if t["breakdown"] != params.breakdown)]
    return render(
        request,
        "reports/dashboard.html",
        {
            "nav": "reports",
            "form": ReportForm(initial=params.as_query()),
            "params": params,
            "report": report,
            "charts": dashboard_charts(report),
            "tables": tables,
            "export_query": urlencode(params.as_query()),
            "promise": promise_statement(
                mean=report.totals.resolution_business.mean, promise=report.resolution_promise
            ),
        },
    )


@require_safe
@login_required
def export_csv(request):
    _staff_only(request.user)
    form = ReportForm(request.GET)
    if not form.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in form.field_errors().items()
        )
        return HttpResponseBadRequest(problems, content_type="text/plain; charset=utf-8")
    params = form.params
    report = report_build(
        user=request.user, start=params.start, end=params.end, breakdown=params.breakdown
    )
    response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    filename = f"servicedesk-report-{params.breakdown}-{params.start}-{params.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
