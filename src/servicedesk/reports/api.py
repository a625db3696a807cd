"""The reports REST API: the same figures as the dashboard, as JSON. Desk staff only."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.core.errors import ValidationFailed
from servicedesk.core.fields import EARLIEST_YEAR, LATEST_YEAR
from servicedesk.reports.forms import ReportForm
from servicedesk.reports.selectors import BREAKDOWNS, MAX_PERIOD_DAYS, report_build


class IsDeskStaff(BasePermission):
    message = _("Reports are for desk staff.")

    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user)


@extend_schema_field({"type": ["number", "null"], "description": "Minutes."})
class MinutesField(serializers.Field):
    """A duration as a number of minutes (fractional; exact to the microsecond)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: timedelta) -> float:
        return value / timedelta(minutes=1)


class DistributionSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many durations were measured.")
    mean_minutes = MinutesField(source="mean")
    median_minutes = MinutesField(source="median")
    p90_minutes = MinutesField(
        source="p90", help_text="90th percentile, nearest rank: the ⌈0.9·n⌉-th smallest value."
    )


class RateSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)


class ComplianceSerializer(serializers.Serializer):
    met = serializers.IntegerField()
    breached = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Running or paused, not breached: not counted.")
    percent = serializers.FloatField(allow_null=True, help_text="met / (met + breached) × 100")


class ResponseTimesSerializer(serializers.Serializer):
    business = DistributionSerializer(
        source="response_business", help_text="Business time counted by the stopped SLA clocks."
    )
    wall_clock = DistributionSerializer(
        source="response_wall", help_text="reported_at → first_response_at."
    )


class ResolutionTimesSerializer(serializers.Serializer):
    business = DistributionSerializer(
        source="resolution_business", help_text="Business time counted by the stopped SLA clocks."
    )
    wall_clock = DistributionSerializer(
        source="resolution_wall", help_text="reported_at → resolved_at."
    )


class SlaSerializer(serializers.Serializer):
    response = ComplianceSerializer(source="sla_response")
    resolution = ComplianceSerializer(source="sla_resolution")


class ReassignmentSerializer(serializers.Serializer):
    mean = serializers.FloatField(source="reassignment_mean", allow_null=True)
    reassigned = RateSerializer()


class AgeBucketSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class BacklogSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    age_buckets = AgeBucketSerializer(source="buckets", many=True)
    mean_age_minutes = MinutesField(source="mean_age")
    median_age_minutes = MinutesField(source="median_age")


class RatingsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    spread = serializers.ListField(
        child=serializers.IntegerField(), help_text="How many gave each rating, 1 to 5."
    )


class FiguresSerializer(serializers.Serializer):
    logged = serializers.IntegerField(help_text="Tickets logged in the period (created_at).")
    cancelled = serializers.IntegerField(help_text="Of those, cancelled.")
    resolved = serializers.IntegerField(help_text="Tickets resolved in the period (resolved_at).")
    first_response = ResponseTimesSerializer(source="*")
    resolution = ResolutionTimesSerializer(source="*")
    sla = SlaSerializer(source="*")
    first_level_resolution = RateSerializer()
    reopened = RateSerializer()
    reassignment = ReassignmentSerializer(source="*")
    satisfaction = RatingsSerializer(
        help_text="The requesters' ratings (1–5) of the tickets resolved in the period."
    )
    backlog = BacklogSerializer(
        allow_null=True, help_text="Open tickets now; null in a breakdown by period."
    )


class RowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True, help_text="null for 'none' (no category, …).")
    label = serializers.CharField()
    figures = FiguresSerializer()


class ReportSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    breakdown = serializers.ChoiceField(choices=BREAKDOWNS)
    time_zone = serializers.CharField(help_text="The zone of the period's days.")
    generated_at = serializers.DateTimeField()
    resolution_promise_minutes = MinutesField(source="resolution_promise")
    within_promise = serializers.BooleanField(
        allow_null=True,
        help_text="Whether the mean business time to resolution is within the promise.",
    )
    totals = FiguresSerializer()
    rows = RowSerializer(many=True)


def report_params(query) -> ReportForm:
    """The validated form of a query string, or a 400 naming each wrong field.

    A parameter named but left empty is refused, as the ticket list's filters are: the form
    reads it as "the default", which a client that sent `start=` did not ask for. (The dashboard
    submits its empty fields, and keeps reading them as defaults.)
    """
    empty = {
        name: [_("Give a value, or leave the parameter out.")]
        for name in ReportForm.base_fields
        if name in query and not query.get(name, "").strip()
    }
    if empty:
        raise ValidationFailed(empty)
    form = ReportForm(query)
    if not form.is_valid():
        raise ValidationFailed(form.field_errors())
    return form


class ReportSummaryView(APIView):
    """Service-desk metrics for a period, in total and by one breakdown."""

    permission_classes = [IsDeskStaff]

    @extend_schema(
        summary="Service-desk metrics",
        description=(
            "Time to first response and to resolution (business and wall-clock time: mean, "
            "median, 90th percentile), SLA compliance, first-level resolution, reopen rate, "
            "reassignments and the backlog, in total and for each value of `breakdown`. "
            "Durations are in minutes. Desk staff only. See docs/reports.md for the definitions. "
            f"A period covers at most {MAX_PERIOD_DAYS} days, from {EARLIEST_YEAR} to "
            f"{LATEST_YEAR}; a longer one, or an end before the start, is a 400 naming `end`."
        ),
        parameters=[
            OpenApiParameter(
                "start",
                OpenApiTypes.DATE,
                description="First day (inclusive, desk time zone). Default: 29 days before end.",
            ),
            OpenApiParameter(
                "end", OpenApiTypes.DATE, description="Last day (inclusive). Default: today."
            ),
            OpenApiParameter(
                "breakdown", str, enum=list(BREAKDOWNS), description="Default: priority."
            ),
        ],
        responses={200: ReportSerializer},
    )
    def get(self, request):
        params = report_params(request.query_params).params
        report = report_build(
            user=request.user, start=params.start, end=params.end, breakdown=params.breakdown
        )
        return Response(ReportSerializer(report).data)
