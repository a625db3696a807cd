"""The alerts API: intake endpoints (a routing key, no session) and the desk's endpoints
(integrations for administrators, alerts for desk staff)."""

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.accounts.permissions import is_admin, is_staff_member
from servicedesk.alerts import selectors, services
from servicedesk.alerts import serializers as s
from servicedesk.alerts.models import SurgeRule, SurgeStatus
from servicedesk.alerts.services.intake import body_limit, too_large
from servicedesk.alerts.sources import Reply
from servicedesk.alerts.sources.registry import SOURCES
from servicedesk.core.schema import error_response

# The monitoring intake endpoints: machines with a routing key, no session or token, answered
# in their formats' shapes (PagerDuty's on /v2/enqueue), rate limited (429).
INTAKE_TAG = "alert intake"


class IsDeskStaff(BasePermission):
    def has_permission(self, request, view):
        return is_staff_member(request.user)


class IsAdmin(BasePermission):
    def has_permission(self, request, view):
        return is_admin(request.user)


def _answer(reply: Reply) -> JsonResponse:
    response = JsonResponse(reply.body, status=reply.status)
    for name, value in reply.headers.items():
        response[name] = value
    return response


class _Intake(APIView):
    """Machines post here with a routing key: no session, no CSRF, no DRF parsing (the source
    module reads the raw body)."""

    authentication_classes = ()
    permission_classes = ()
    source = ""

    def _receive(self, request, key):
        spec = SOURCES[self.source]
        try:
            declared = int(request.headers.get("Content-Length") or 0)
        except ValueError:
            declared = 0
        if declared > body_limit():
            return _answer(too_large(spec))
        return _answer(services.event_receive(spec=spec, key=key, body=request.body))


_INTAKE_ERRORS = {
    400: error_response("The body is not valid: each field at fault with its reason."),
    404: error_response("No active integration has this routing key (wrong or unknown)."),
    413: error_response("The body is larger than 512 KB."),
    429: error_response(
        "Past the integration's events per minute; `Retry-After` says when to send again."
    ),
}


class AlertmanagerIntakeView(_Intake):
    source = "alertmanager"

    @extend_schema(
        tags=[INTAKE_TAG],
        auth=[],
        summary="Prometheus Alertmanager webhook (version 4)",
        request=s.AlertmanagerSerializer,
        responses={202: s.AcceptedSerializer, **_INTAKE_ERRORS},
    )
    def post(self, request, key: str):
        return self._receive(request, key)


class GenericIntakeView(_Intake):
    source = "generic"

    @extend_schema(
        tags=[INTAKE_TAG],
        auth=[],
        summary="One alert change in the desk's own JSON",
        request=s.GenericEventSerializer,
        responses={202: s.AcceptedSerializer, **_INTAKE_ERRORS},
    )
    def post(self, request, key: str):
        return self._receive(request, key)


class PagerDutyIntakeView(_Intake):
    source = "pagerduty"

    @extend_schema(
        tags=[INTAKE_TAG],
        auth=[],
        summary="PagerDuty Events API v2 (compatible)",
        description="The routing key is the body's `routing_key`. A wrong key is answered "
        "as an invalid event, like an unknown one.",
        request=s.PagerDutyEventSerializer,
        responses={
            202: s.PagerDutyAcceptedSerializer,
            400: s.PagerDutyInvalidSerializer,
            413: s.PagerDutyInvalidSerializer,
            429: OpenApiResponse(description="Throttled; see `Retry-After`."),
        },
    )
    def post(self, request):
        return self._receive(request, None)


class IntegrationListView(generics.ListCreateAPIView):
    """Integrations (administrators). A create answers the routing key, once."""

    permission_classes = [IsAdmin]
    serializer_class = s.IntegrationSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.integrations_list(user=self.request.user)

    @extend_schema(tags=["alerts"], responses={201: s.IntegrationCreatedSerializer})
    def post(self, request, *args, **kwargs):
        serializer = s.IntegrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        integration, key = services.integration_create(**serializer.validated_data)
        data = s.IntegrationSerializer(integration).data
        return Response({**data, "routing_key": key}, status=201)


class IntegrationDetailView(generics.RetrieveUpdateAPIView):
    permission_classes = [IsAdmin]
    serializer_class = s.IntegrationUpdateSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.integrations_list(user=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = services.integration_update(
            integration=serializer.instance, **serializer.validated_data
        )


class IntegrationRotateKeyView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(tags=["alerts"], request=None, responses={200: s.RoutingKeySerializer})
    def post(self, request, pk: int):
        integration = selectors.integrations_list(user=request.user).filter(pk=pk).first()
        if integration is None:
            raise Http404
        return Response({"routing_key": services.integration_rotate_key(integration=integration)})


class AlertListView(APIView):
    """Alerts, newest first (at most 200), filtered (desk staff)."""

    permission_classes = [IsDeskStaff]

    @extend_schema(
        tags=["alerts"],
        parameters=[
            OpenApiParameter("status", enum=["open", "acknowledged", "resolved"]),
            OpenApiParameter("severity", enum=["critical", "error", "warning", "info"]),
            OpenApiParameter("state", enum=list(selectors.STATES)),
            OpenApiParameter("integration", int),
            OpenApiParameter("service", int),
        ],
        responses={200: s.AlertSerializer(many=True)},
    )
    def get(self, request):
        filters, errors = selectors.alert_filters_parse(request.query_params)
        if errors:
            raise ValidationError({k: [v] for k, v in errors.items()})
        alerts = selectors.alerts_list(user=request.user, filters=filters)
        return Response(s.AlertSerializer(alerts, many=True).data)


# ---------------------------------------------------------------------------------------------
# Surges of user tickets


class SurgeListView(APIView):
    """Possible outages found in user tickets, newest first (desk staff)."""

    permission_classes = [IsDeskStaff]

    @extend_schema(
        tags=["alerts"],
        parameters=[OpenApiParameter("status", enum=list(SurgeStatus.values))],
        responses={200: s.SurgeSerializer(many=True)},
    )
    def get(self, request):
        status = request.query_params.get("status", "")
        if status and status not in SurgeStatus.values:
            raise ValidationError(
                {"status": [_("Must be one of: %s.") % ", ".join(SurgeStatus.values)]}
            )
        rows = selectors.surges_list(user=request.user, status=status)
        return Response(s.SurgeSerializer(rows, many=True).data)


class _SurgeDecision(APIView):
    permission_classes = [IsDeskStaff]

    def _surge(self, request, pk: int):
        surge = selectors.surge_get(user=request.user, pk=pk)
        if surge is None:
            raise Http404
        return surge


class SurgeConfirmView(_SurgeDecision):
    @extend_schema(
        tags=["alerts"],
        request=None,
        summary="Confirm a proposed surge: open its incident with its tickets as children",
        responses={200: s.SurgeSerializer, 400: error_response("Already decided.")},
    )
    def post(self, request, pk: int):
        surge = services.surge_confirm(surge=self._surge(request, pk), actor=request.user)
        return Response(s.SurgeSerializer(surge).data)


class SurgeDismissView(_SurgeDecision):
    @extend_schema(
        tags=["alerts"],
        request=s.SurgeDismissSerializer,
        summary="Dismiss a proposed surge",
        responses={200: s.SurgeSerializer, 400: error_response("Already decided.")},
    )
    def post(self, request, pk: int):
        data = s.SurgeDismissSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        surge = services.surge_dismiss(
            surge=self._surge(request, pk),
            actor=request.user,
            note=data.validated_data.get("note", ""),
        )
        return Response(s.SurgeSerializer(surge).data)


class SurgeRuleListView(generics.ListCreateAPIView):
    """Surge rules (administrators): per service, per category, or global."""

    permission_classes = [IsAdmin]
    serializer_class = s.SurgeRuleSerializer
    pagination_class = None

    def get_queryset(self):
        return SurgeRule.objects.select_related("service", "category").order_by("id")

    def perform_create(self, serializer):
        serializer.instance = services.surge_rule_save(**serializer.validated_data)


class SurgeRuleDetailView(generics.RetrieveUpdateDestroyAPIView):
    permission_classes = [IsAdmin]
    serializer_class = s.SurgeRuleSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return SurgeRule.objects.all()

    def perform_update(self, serializer):
        serializer.instance = services.surge_rule_save(
            rule=serializer.instance, **serializer.validated_data
        )


_ADMINS_ONLY = error_response("Only administrators manage maintenance windows.")


class MaintenanceWindowListView(APIView):
    """Maintenance windows (desk staff read them; administrators make them)."""

    permission_classes = [IsDeskStaff]

    def get_permissions(self):
        return [IsAdmin()] if self.request.method == "POST" else [IsDeskStaff()]

    @extend_schema(tags=["alerts"], responses={200: s.MaintenanceWindowSerializer(many=True)})
    def get(self, request):
        rows = selectors.maintenance_window_rows(user=request.user)
        context = {"rows": {row.window.pk: row for row in rows}}
        return Response(
            s.MaintenanceWindowSerializer([r.window for r in rows], many=True, context=context).data
        )

    @extend_schema(
        tags=["alerts"],
        request=s.MaintenanceWindowSerializer,
        responses={
            201: s.MaintenanceWindowSerializer,
            400: error_response("Invalid fields."),
            403: _ADMINS_ONLY,
        },
    )
    def post(self, request):
        serializer = s.MaintenanceWindowSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items()}
        window = services.maintenance_window_create(actor=request.user, **data)
        return Response(_window_data(request, window), status=201)


def _window_data(request, window) -> dict:
    rows = {
        r.window.pk: r
        for r in selectors.maintenance_window_rows(user=request.user)
        if r.window.pk == window.pk
    }
    return s.MaintenanceWindowSerializer(window, context={"rows": rows}).data


class MaintenanceWindowDetailView(APIView):
    permission_classes = [IsDeskStaff]

    def get_permissions(self):
        return [IsDeskStaff()] if self.request.method == "GET" else [IsAdmin()]

    def _window(self, request, pk):
        window = selectors.maintenance_windows_list(user=request.user).filter(pk=pk).first()
        if window is None:
            raise Http404
        return window

    @extend_schema(tags=["alerts"], responses={200: s.MaintenanceWindowSerializer})
    def get(self, request, pk: int):
        return Response(_window_data(request, self._window(request, pk)))

    @extend_schema(
        tags=["alerts"],
        request=s.MaintenanceWindowSerializer,
        responses={
            200: s.MaintenanceWindowSerializer,
            400: error_response("Invalid fields."),
            403: _ADMINS_ONLY,
        },
    )
    def patch(self, request, pk: int):
        window = self._window(request, pk)
        serializer = s.MaintenanceWindowSerializer(window, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        window = services.maintenance_window_update(window=window, **serializer.validated_data)
        return Response(_window_data(request, window))

    @extend_schema(tags=["alerts"], responses={204: None, 403: _ADMINS_ONLY})
    def delete(self, request, pk: int):
        services.maintenance_window_delete(window=self._window(request, pk))
        return Response(status=204)
