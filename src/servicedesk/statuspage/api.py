"""The status page's API for desk staff (in the OpenAPI document): components and their
status, public incidents and their updates, maintenance. The public JSON is in views.py."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.core.errors import Moved
from servicedesk.core.fields import IdField, MomentField
from servicedesk.core.schema import error_response
from servicedesk.statuspage import selectors, services
from servicedesk.statuspage.models import Component, Maintenance, PublicIncident
from servicedesk.statuspage.states import ComponentStatus, IncidentStatus
from servicedesk.tickets import selectors as ticket_selectors


class IsDeskStaff(BasePermission):
    message = _("The status page's API is for desk staff.")

    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user)


class _Text(serializers.CharField):
    """Text without a NUL character (PostgreSQL cannot store one)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if "\x00" in value:
            raise serializers.ValidationError(_("Remove the NUL character."))
        return value


class ComponentSerializer(serializers.ModelSerializer):
    service = serializers.IntegerField(source="service_id", read_only=True)
    group = serializers.CharField(
        source="group.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Component
        fields = [
            "id",
            "name",
            "name_ro",
            "description",
            "service",
            "group",
            "position",
            "status",
            "is_public",
            "only_show_if_degraded",
            "updated_at",
        ]
        read_only_fields = fields


class ComponentStatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=ComponentStatus.choices)
    note = _Text(max_length=500, required=False, allow_blank=True, default="")


class UpdateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class IncidentSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(
        source="ticket.number", read_only=True, default=None, allow_null=True
    )
    components = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    updates = UpdateSerializer(many=True, read_only=True)

    class Meta:
        model = PublicIncident
        fields = [
            "id",
            "title",
            "status",
            "impact",
            "ticket",
            "components",
            "created_at",
            "updated_at",
            "monitoring_at",
            "resolved_at",
            "updates",
        ]
        read_only_fields = fields


class IncidentCreateInput(serializers.Serializer):
    title = _Text(max_length=200)
    message = _Text(max_length=5000)
    components = serializers.ListField(
        child=IdField(queryset=Component.objects.all()), required=False, default=list
    )
    # The full choice sets (one enum each in the schema); the service refuses a new incident
    # that starts resolved.
    component_status = serializers.ChoiceField(
        choices=ComponentStatus.choices, default=ComponentStatus.PARTIAL
    )
    status = serializers.ChoiceField(
        choices=IncidentStatus.choices, default=IncidentStatus.INVESTIGATING
    )
    ticket = _Text(max_length=40, required=False, help_text=_("The internal ticket's number."))


class IncidentEditInput(serializers.Serializer):
    title = _Text(max_length=200, required=False)
    components = serializers.ListField(
        child=IdField(queryset=Component.objects.all()), required=False
    )


class UpdateInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    message = _Text(max_length=5000)
    component_status = serializers.ChoiceField(
        choices=ComponentStatus.choices, required=False, allow_blank=True, default=""
    )


class MaintenanceSerializer(serializers.ModelSerializer):
    components = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Maintenance
        fields = [
            "id",
            "title",
            "message",
            "components",
            "starts_at",
            "ends_at",
            "cancelled_at",
            "created_at",
        ]
        read_only_fields = fields


class MaintenanceInput(serializers.Serializer):
    title = _Text(max_length=200)
    message = _Text(max_length=5000)
    components = serializers.ListField(child=IdField(queryset=Component.objects.all()))
    starts_at = MomentField()
    ends_at = MomentField()


def _ticket(user, number: str):
    """The ticket a body names: a wrong number is the field's error (400), not the path's 404."""
    try:
        return ticket_selectors.ticket_get(user=user, number=number)
    except Http404:
        raise serializers.ValidationError({"ticket": [_("No ticket with this number.")]}) from None
    except Moved as moved:
        raise serializers.ValidationError(
            {"ticket": [_("This ticket's number is now %(number)s.") % {"number": moved.new}]}
        ) from None


def _incident(pk: int) -> PublicIncident:
    incident = selectors.incident_public_get(pk=pk)
    if incident is None:
        raise Http404
    return incident


class _StaffView(APIView):
    permission_classes = [IsDeskStaff]


class ComponentListView(_StaffView):
    @extend_schema(responses=ComponentSerializer(many=True), summary="Status page components")
    def get(self, request):
        return Response(ComponentSerializer(selectors.components_all(), many=True).data)


class ComponentStatusView(_StaffView):
    @extend_schema(
        request=ComponentStatusInput,
        responses=ComponentSerializer,
        summary="Publish a component's status",
    )
    def post(self, request, pk: int):
        component = selectors.components_all().filter(pk=pk).first()
        if component is None:
            raise Http404
        data = ComponentStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        component = services.component_status_set(
            component=component, actor=request.user, **data.validated_data
        )
        return Response(ComponentSerializer(component).data)


class IncidentListView(_StaffView):
    @extend_schema(
        responses=IncidentSerializer(many=True), summary="Public incidents, newest first"
    )
    def get(self, request):
        return Response(IncidentSerializer(selectors.incidents_history()[:100], many=True).data)

    @extend_schema(
        request=IncidentCreateInput,
        responses={201: IncidentSerializer},
        summary="Publish an incident",
    )
    def post(self, request):
        data = IncidentCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        number = values.pop("ticket", "")
        ticket = _ticket(request.user, number) if number else None
        incident = services.incident_publish(actor=request.user, ticket=ticket, **values)
        return Response(IncidentSerializer(_incident(incident.pk)).data, status=201)


class IncidentDetailView(_StaffView):
    @extend_schema(responses=IncidentSerializer, summary="A public incident")
    def get(self, request, pk: int):
        return Response(IncidentSerializer(_incident(pk)).data)

    @extend_schema(
        request=IncidentEditInput,
        responses=IncidentSerializer,
        summary="Correct an incident's title or components",
    )
    def patch(self, request, pk: int):
        incident = _incident(pk)
        data = IncidentEditInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.incident_edit(incident=incident, actor=request.user, **data.validated_data)
        return Response(IncidentSerializer(_incident(pk)).data)


class IncidentUpdateView(_StaffView):
    @extend_schema(
        request=UpdateInput,
        responses={
            201: IncidentSerializer,
            409: error_response("The incident is resolved, or the status is not a next one."),
        },
        summary="Post an incident's next public update (or resolve it)",
    )
    def post(self, request, pk: int):
        incident = _incident(pk)
        data = UpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.incident_update_post(incident=incident, actor=request.user, **data.validated_data)
        return Response(IncidentSerializer(_incident(pk)).data, status=201)


class MaintenanceListView(_StaffView):
    @extend_schema(responses=MaintenanceSerializer(many=True), summary="Maintenance still ahead")
    def get(self, request):
        return Response(MaintenanceSerializer(selectors.maintenances_upcoming(), many=True).data)

    @extend_schema(
        request=MaintenanceInput,
        responses={201: MaintenanceSerializer},
        summary="Schedule maintenance",
    )
    def post(self, request):
        data = MaintenanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        maintenance = services.maintenance_schedule(actor=request.user, **data.validated_data)
        return Response(MaintenanceSerializer(maintenance).data, status=201)
