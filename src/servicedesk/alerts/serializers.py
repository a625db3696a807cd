"""The schema of the alerts API's payloads."""

import zoneinfo

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from servicedesk.accounts.models import SupportGroup
from servicedesk.alerts.models import (
    Alert,
    Integration,
    MaintenanceWindow,
    Severity,
    Source,
    Surge,
    SurgeMode,
    SurgeRule,
)
from servicedesk.catalog.models import Category, ConfigurationItem, Service
from servicedesk.tickets.priority import Level


class LevelsSerializer(serializers.Serializer):
    impact = serializers.ChoiceField(choices=Level.choices)
    urgency = serializers.ChoiceField(choices=Level.choices)


class SeverityMapSerializer(serializers.Serializer):
    critical = LevelsSerializer()
    error = LevelsSerializer()
    warning = LevelsSerializer()
    info = LevelsSerializer()


class IntegrationSerializer(serializers.ModelSerializer):
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    assignment_group = serializers.PrimaryKeyRelatedField(
        queryset=SupportGroup.objects.all(), required=False, allow_null=True
    )
    severity_map = SeverityMapSerializer(required=False)
    correlation_labels = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=20
    )
    correlation_window = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False)
    rate_limit = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)
    flap_changes = serializers.IntegerField(min_value=2, max_value=1000, required=False)
    flap_window = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False)
    flap_hold = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False)
    source = serializers.ChoiceField(choices=Source.choices)
    key_hint = serializers.CharField(read_only=True, help_text="The last 4 characters of the key.")
    intake_url = serializers.SerializerMethodField()

    class Meta:
        model = Integration
        fields = [
            "id",
            "name",
            "source",
            "service",
            "assignment_group",
            "severity_map",
            "auto_resolve",
            "page_on_call",
            "correlation_window",
            "correlation_labels",
            "rate_limit",
            "flap_changes",
            "flap_window",
            "flap_hold",
            "is_active",
            "key_hint",
            "intake_url",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    def get_intake_url(self, obj) -> str:
        """The path to POST events to; `{routing_key}` stands for the key."""
        if obj.source == Source.PAGERDUTY:
            return "/v2/enqueue"
        if obj.source == Source.EMAIL:
            return ""  # mailed to an alerts mailbox that names this integration
        return f"/api/alerts/{obj.source}/{{routing_key}}/"


class IntegrationUpdateSerializer(IntegrationSerializer):
    source = serializers.ChoiceField(choices=Source.choices, read_only=True)


class IntegrationCreatedSerializer(IntegrationSerializer):
    routing_key = serializers.CharField(
        read_only=True, help_text="Shown this once: only its hash is kept."
    )

    class Meta(IntegrationSerializer.Meta):
        fields = [*IntegrationSerializer.Meta.fields, "routing_key"]


class RoutingKeySerializer(serializers.Serializer):
    routing_key = serializers.CharField(help_text="Shown this once: only its hash is kept.")


class AlertSerializer(serializers.ModelSerializer):
    integration = serializers.CharField(source="integration.name")
    incident = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "integration",
            "dedup_key",
            "status",
            "severity",
            "summary",
            "source",
            "labels",
            "details",
            "links",
            "count",
            "first_seen_at",
            "last_seen_at",
            "acknowledged_at",
            "resolved_at",
            "flapping",
            "in_maintenance",
            "maintenance_window",
            "incident",
        ]

    def get_incident(self, obj) -> str | None:
        return obj.incident.number if obj.incident_id else None


# The intake bodies, for the schema; the source modules validate them.
class AlertmanagerAlertSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["firing", "resolved"])
    labels = serializers.DictField(child=serializers.CharField())
    annotations = serializers.DictField(child=serializers.CharField(), required=False)
    startsAt = serializers.DateTimeField()  # noqa: N815 - Alertmanager's name
    endsAt = serializers.DateTimeField(required=False)  # noqa: N815
    generatorURL = serializers.CharField(required=False)  # noqa: N815
    fingerprint = serializers.CharField(required=False)


class AlertmanagerSerializer(serializers.Serializer):
    version = serializers.CharField(required=False)
    groupKey = serializers.CharField(required=False)  # noqa: N815
    status = serializers.ChoiceField(choices=["firing", "resolved"])
    alerts = AlertmanagerAlertSerializer(many=True)


class PagerDutyPayloadSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=1024)
    source = serializers.CharField(max_length=255)
    severity = serializers.ChoiceField(choices=Severity.choices)
    timestamp = serializers.DateTimeField(required=False)
    component = serializers.CharField(required=False)
    group = serializers.CharField(required=False)
    custom_details = serializers.JSONField(required=False)


PagerDutyPayloadSerializer._declared_fields["class"] = serializers.CharField(required=False)


class PagerDutyEventSerializer(serializers.Serializer):
    routing_key = serializers.CharField()
    event_action = serializers.ChoiceField(choices=["trigger", "acknowledge", "resolve"])
    dedup_key = serializers.CharField(max_length=255, required=False)
    payload = PagerDutyPayloadSerializer(required=False, help_text="Required to trigger.")
    links = serializers.ListField(child=serializers.DictField(), required=False)
    images = serializers.ListField(child=serializers.DictField(), required=False)


class PagerDutyAcceptedSerializer(serializers.Serializer):
    status = serializers.CharField(default="success")
    message = serializers.CharField(default="Event processed")
    dedup_key = serializers.CharField()


class PagerDutyInvalidSerializer(serializers.Serializer):
    status = serializers.CharField(default="invalid event")
    message = serializers.CharField()
    errors = serializers.ListField(child=serializers.CharField())


class GenericEventSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=255)
    status = serializers.ChoiceField(choices=["firing", "acknowledged", "resolved"])
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    summary = serializers.CharField(max_length=1024, required=False, help_text="Required to fire.")
    source = serializers.CharField(max_length=255, required=False)
    labels = serializers.DictField(child=serializers.CharField(), required=False)
    details = serializers.DictField(required=False)
    links = serializers.ListField(child=serializers.CharField(), required=False)
    timestamp = serializers.DateTimeField(required=False)
    acknowledged_by = serializers.CharField(
        required=False, help_text="The email or username of the person who acknowledged."
    )


class AcceptedSerializer(serializers.Serializer):
    status = serializers.CharField(default="accepted")
    alerts = serializers.IntegerField(help_text="How many alert changes the body held.")


# ---------------------------------------------------------------------------------------------
# Surges


class SurgeSerializer(serializers.ModelSerializer):
    service = serializers.StringRelatedField()
    category = serializers.StringRelatedField()
    group = serializers.StringRelatedField()
    incident = serializers.SlugRelatedField(slug_field="number", read_only=True)
    tickets = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Surge
        fields = [
            "id",
            "status",
            "service",
            "service_id",
            "category",
            "category_id",
            "threshold",
            "window_minutes",
            "group",
            "incident",
            "tickets",
            "detected_at",
            "last_ticket_at",
            "decided_by",
            "decided_at",
            "note",
        ]
        read_only_fields = fields


class SurgeDismissSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class SurgeRuleSerializer(serializers.ModelSerializer):
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    assignment_group = serializers.PrimaryKeyRelatedField(
        queryset=SupportGroup.objects.all(), required=False, allow_null=True
    )
    threshold = serializers.IntegerField(min_value=2, max_value=1000, required=False)
    window_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False)
    mode = serializers.ChoiceField(choices=SurgeMode.choices, required=False)

    class Meta:
        model = SurgeRule
        fields = [
            "id",
            "service",
            "category",
            "threshold",
            "window_minutes",
            "mode",
            "assignment_group",
            "is_active",
        ]
        read_only_fields = ["id"]
        # Uniqueness of the scope is the service's to check (named field, 400).
        validators: list = []


class OccurrenceSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class MaintenanceWindowSerializer(serializers.ModelSerializer):
    """A maintenance window. `starts_at` without an offset is a wall-clock time in the
    window's `time_zone`; it is answered in that zone, with its offset."""

    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    configuration_item = serializers.PrimaryKeyRelatedField(
        queryset=ConfigurationItem.objects.all(), required=False, allow_null=True
    )
    # Text, read by the service (an offset, or the window's zone); answered in that zone.
    starts_at = serializers.CharField(max_length=64)
    time_zone = serializers.CharField(max_length=64)
    rrule = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    duration = serializers.IntegerField(help_text="Minutes.")
    current = serializers.SerializerMethodField()
    upcoming = serializers.SerializerMethodField()

    class Meta:
        model = MaintenanceWindow
        fields = [
            "id",
            "title",
            "service",
            "configuration_item",
            "starts_at",
            "duration",
            "time_zone",
            "rrule",
            "is_public",
            "is_active",
            "current",
            "upcoming",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        zone = zoneinfo.ZoneInfo(instance.time_zone)
        data["starts_at"] = instance.starts_at.astimezone(zone).isoformat()
        return data

    def _row(self, obj):
        return (self.context.get("rows") or {}).get(obj.pk)

    @extend_schema_field(OccurrenceSerializer(allow_null=True))
    def get_current(self, obj):
        row = self._row(obj)
        return OccurrenceSerializer(row.current).data if row and row.current else None

    @extend_schema_field(OccurrenceSerializer(many=True))
    def get_upcoming(self, obj):
        row = self._row(obj)
        return OccurrenceSerializer(row.upcoming, many=True).data if row else []
