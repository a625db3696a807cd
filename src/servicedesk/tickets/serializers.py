"""API shapes of tickets, and the input of logging one. The inputs of the actions on a ticket are
in `inputs.py`; serializers validate types, services validate the rules."""

from django.conf import settings
from rest_framework import serializers

from servicedesk.accounts.models import SupportGroup, User
from servicedesk.catalog.models import Category, ConfigurationItem, Service
from servicedesk.core.fields import IdField, MomentField, TextKeyRelatedField
from servicedesk.tickets.actions import action_names_available
from servicedesk.tickets.models import Attachment, Channel, Kind, Ticket, TicketEvent
from servicedesk.tickets.priority import Level
from servicedesk.tickets.selectors import linked_number, ticket_children_numbers


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class GroupRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    tier = serializers.IntegerField()


class TicketListSerializer(serializers.ModelSerializer):
    requester = PersonSerializer(read_only=True)
    assignment_group = GroupRefSerializer(read_only=True, allow_null=True)
    assignee = PersonSerializer(read_only=True, allow_null=True)
    category = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "number",
            "url",
            "kind",
            "status",
            "hold_reason",
            "title",
            "priority",
            "impact",
            "urgency",
            "tier",
            "requester",
            "requester_name",
            "category",
            "assignment_group",
            "assignee",
            "channel",
            "reported_at",
            "created_at",
            "updated_at",
        ]

    def get_category(self, ticket) -> dict | None:
        if ticket.category is None:
            return None
        return {"id": ticket.category_id, "path": ticket.category.path}

    def get_url(self, ticket) -> str:
        return f"/api/tickets/{ticket.number}/"


class SatisfactionSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField()
    rated_at = serializers.DateTimeField()


class TicketDetailSerializer(TicketListSerializer):
    service = serializers.SerializerMethodField()
    configuration_item = serializers.SerializerMethodField()
    parent = serializers.SerializerMethodField()
    duplicate_of = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    etag = serializers.CharField(read_only=True)
    restricted_group = GroupRefSerializer(read_only=True, allow_null=True)
    resolved_by = PersonSerializer(read_only=True, allow_null=True)
    satisfaction = SatisfactionSerializer(read_only=True, allow_null=True)

    class Meta(TicketListSerializer.Meta):
        fields = [
            *TicketListSerializer.Meta.fields,
            "description",
            "symptoms",
            "requester_email",
            "requester_phone",
            "service",
            "configuration_item",
            "cancel_reason",
            "resolution_code",
            "resolution_notes",
            "service_restored",
            "parent",
            "children",
            "duplicate_of",
            "reassignment_count",
            "escalation_count",
            "reopen_count",
            "manager_escalated_at",
            "is_major",
            "is_restricted",
            "restricted_group",
            "first_response_at",
            "assigned_at",
            "resolved_at",
            "resolved_by",
            "satisfaction",
            "closed_at",
            "cancelled_at",
            "version",
            "etag",
            "actions",
        ]

    def get_service(self, ticket) -> dict | None:
        return {"id": ticket.service_id, "name": ticket.service.name} if ticket.service else None

    def get_configuration_item(self, ticket) -> dict | None:
        ci = ticket.configuration_item
        return {"id": ci.pk, "name": ci.name} if ci else None

    def get_children(self, ticket) -> list[str]:
        if self.context.get("created"):
            return []  # logged by this very request: nothing can hang under it yet
        return ticket_children_numbers(ticket=ticket, user=self.context["request"].user)

    def get_parent(self, ticket) -> str | None:
        return linked_number(other=ticket.parent, user=self.context["request"].user)

    def get_duplicate_of(self, ticket) -> str | None:
        return linked_number(other=ticket.duplicate_of, user=self.context["request"].user)

    def get_actions(self, ticket) -> list[str]:
        return action_names_available(ticket=ticket, user=self.context["request"].user)


class TicketCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.INCIDENT)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    symptoms = serializers.CharField(required=False, allow_blank=True, default="")
    category = IdField(queryset=Category.objects.all(), required=False)
    service = IdField(queryset=Service.objects.all(), required=False)
    configuration_item = IdField(queryset=ConfigurationItem.objects.all(), required=False)
    impact = serializers.ChoiceField(choices=Level.choices, default=Level.MEDIUM)
    urgency = serializers.ChoiceField(choices=Level.choices, default=Level.MEDIUM)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    reported_at = MomentField(required=False)
    requester = IdField(queryset=User.objects.filter(is_active=True), required=False)
    assignment_group = IdField(queryset=SupportGroup.objects.all(), required=False)
    parent = TextKeyRelatedField(slug_field="number", queryset=Ticket.objects.all(), required=False)


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="safe_name")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "is_public", "created_at", "download_url"]

    def get_download_url(self, attachment) -> str:
        number = self.context.get("ticket_number") or attachment.ticket.number
        return f"/api/tickets/{number}/attachments/{attachment.pk}/download/"


class TimelineEventSerializer(serializers.ModelSerializer):
    actor = PersonSerializer(read_only=True, allow_null=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = TicketEvent
        fields = ["id", "type", "created_at", "actor", "is_public", "body", "data", "attachments"]


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, default="")
    public = serializers.BooleanField(default=True)
    files = serializers.ListField(
        child=serializers.FileField(max_length=255, allow_empty_file=False),
        required=False,
        default=list,
        help_text=f"Each at most {settings.SERVICEDESK_MAX_ATTACHMENT_BYTES // 1024 // 1024} MB.",
    )


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField(max_length=255, allow_empty_file=False)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    public = serializers.BooleanField(default=True)
