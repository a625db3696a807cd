"""The major incidents' API for desk staff (in the OpenAPI document): declare, roles, bridge,
linked tickets, public updates, resolution, the post-incident review and its action items."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.accounts.models import User
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.core.errors import Moved
from servicedesk.core.fields import IdField
from servicedesk.core.schema import error_response
from servicedesk.majorincidents import selectors, services
from servicedesk.majorincidents.models import MajorRole, MajorStatus
from servicedesk.tickets import selectors as ticket_selectors

RESOLVED_409 = error_response("The major incident is already resolved.")


class IsDeskStaff(BasePermission):
    message = _("The major incidents' API is for desk staff.")

    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user)


class _Text(serializers.CharField):
    """Text without a NUL character (PostgreSQL cannot store one)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if "\x00" in value:
            raise serializers.ValidationError(_("Remove the NUL character."))
        return value


def _name(user) -> str | None:
    return user.display_name if user else None


class MajorRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=MajorRole.choices)
    person = serializers.CharField(source="person.username")
    person_name = serializers.SerializerMethodField()
    assigned_by = serializers.CharField(
        source="assigned_by.username", default=None, allow_null=True
    )
    assigned_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)

    def get_person_name(self, obj) -> str:
        return obj.person.display_name


class MajorPublicUpdateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField()
    mitigated = serializers.BooleanField()
    author = serializers.CharField(source="author.username", default=None, allow_null=True)
    created_at = serializers.DateTimeField()
    tickets_count = serializers.IntegerField()
    recipients_count = serializers.IntegerField()
    on_status_page = serializers.BooleanField()


class MajorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ticket = serializers.CharField(source="ticket.number")
    title = serializers.CharField(source="ticket.title")
    priority = serializers.IntegerField(source="ticket.priority")
    status = serializers.ChoiceField(choices=MajorStatus.choices)
    declared_by = serializers.CharField(
        source="declared_by.username", default=None, allow_null=True
    )
    declared_at = serializers.DateTimeField()
    reason = serializers.CharField()
    bridge_phone = serializers.CharField()
    bridge_url = serializers.CharField()
    update_minutes = serializers.IntegerField()
    last_update_at = serializers.DateTimeField(allow_null=True)
    next_reminder_at = serializers.DateTimeField(source="next_check_at", allow_null=True)
    mitigated_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    roles = MajorRoleSerializer(source="current_roles", many=True)


class MajorDetailSerializer(MajorSerializer):
    linked_tickets = serializers.SerializerMethodField()
    updates = serializers.SerializerMethodField()

    def get_linked_tickets(self, obj) -> list[str]:
        rows, _counts = selectors.linked_of(major=obj, user=self.context["user"])
        return [ticket.number for ticket in rows]

    @extend_schema_field(MajorPublicUpdateSerializer(many=True))
    def get_updates(self, obj) -> list[dict]:
        return MajorPublicUpdateSerializer(selectors.updates_of(major=obj)[:50], many=True).data


class MajorActionItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    owner = serializers.CharField(source="owner.username")
    due_date = serializers.DateField()
    created_at = serializers.DateTimeField()
    done_at = serializers.DateTimeField(allow_null=True)
    done_by = serializers.CharField(source="done_by.username", default=None, allow_null=True)


class MajorSummaryLineSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    step = serializers.CharField(
        help_text="logged, escalated, declared, role, update, reminder, resolved or linked"
    )
    text = serializers.SerializerMethodField(
        help_text="The milestone in words, in the reader's language."
    )

    def get_text(self, obj) -> str:
        return selectors.summary_text(obj)


class MajorReviewSerializer(serializers.Serializer):
    major = serializers.IntegerField(source="major_id")
    ticket = serializers.CharField(source="major.ticket.number")
    title = serializers.CharField(source="major.ticket.title")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    summary = MajorSummaryLineSerializer(many=True)
    impact_started_at = serializers.DateTimeField()
    detected_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField()
    mitigated_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField()
    time_to_detect_seconds = serializers.SerializerMethodField()
    time_to_acknowledge_seconds = serializers.SerializerMethodField()
    time_to_mitigate_seconds = serializers.SerializerMethodField()
    time_to_resolve_seconds = serializers.SerializerMethodField()
    linked_tickets = serializers.IntegerField()
    requesters = serializers.IntegerField()
    root_cause = serializers.CharField()
    contributing_factors = serializers.CharField()
    action_items = MajorActionItemSerializer(many=True)

    def get_time_to_detect_seconds(self, obj) -> int:
        return int(obj.time_to_detect.total_seconds())

    def get_time_to_acknowledge_seconds(self, obj) -> int:
        return int(obj.time_to_acknowledge.total_seconds())

    def get_time_to_mitigate_seconds(self, obj) -> int:
        return int(obj.time_to_mitigate.total_seconds())

    def get_time_to_resolve_seconds(self, obj) -> int:
        return int(obj.time_to_resolve.total_seconds())


class MajorReviewListSerializer(serializers.Serializer):
    major = serializers.IntegerField(source="major_id")
    ticket = serializers.CharField(source="major.ticket.number")
    title = serializers.CharField(source="major.ticket.title")
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField()
    items = serializers.IntegerField()
    items_open = serializers.IntegerField()


class MajorDeclareInput(serializers.Serializer):
    ticket = _Text(max_length=40, help_text=_("The ticket's number."))
    reason = _Text(max_length=2000, required=False, allow_blank=True, default="")
    bridge_phone = _Text(max_length=40, required=False, allow_blank=True, default="")
    bridge_url = _Text(max_length=500, required=False, allow_blank=True, default="")
    update_minutes = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=5, max_value=1440
    )


class MajorBridgeInput(serializers.Serializer):
    bridge_phone = _Text(max_length=40, required=False, allow_blank=True, default="")
    bridge_url = _Text(max_length=500, required=False, allow_blank=True, default="")
    update_minutes = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=5, max_value=1440
    )


class MajorRoleInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=MajorRole.choices)
    person = IdField(
        queryset=User.objects.all(),
        allow_null=True,
        help_text=_("The person's id; null takes the role away."),
    )


class MajorLinkInput(serializers.Serializer):
    tickets = serializers.ListField(
        child=_Text(max_length=40), min_length=1, max_length=services.LINK_MAX
    )


class MajorUpdateInput(serializers.Serializer):
    body = _Text(max_length=services.BODY_MAX)
    mitigated = serializers.BooleanField(required=False, default=False)


class MajorResolveInput(serializers.Serializer):
    resolution_code = _Text(max_length=30, help_text=_("One of the incident resolution codes."))
    resolution_notes = _Text(max_length=services.TEXT_MAX)


class MajorReviewEditInput(serializers.Serializer):
    root_cause = _Text(max_length=services.TEXT_MAX, required=False, allow_blank=True)
    contributing_factors = _Text(max_length=services.TEXT_MAX, required=False, allow_blank=True)


class MajorActionItemInput(serializers.Serializer):
    title = _Text(max_length=services.TITLE_MAX)
    owner = IdField(queryset=User.objects.all())
    due_date = serializers.DateField()


class MajorActionItemEditInput(serializers.Serializer):
    done = serializers.BooleanField()


def _ticket(user, number: str):
    """The ticket a body names: a wrong number is the field's error (400), not the path's 404."""
    try:
        return ticket_selectors.ticket_get(user=user, number=number)
    except Http404:
        raise serializers.ValidationError({"ticket": [_("No ticket with this number.")]}) from None
    except Moved as moved:
        return ticket_selectors.ticket_get(user=user, number=moved.new)


class _StaffView(APIView):
    permission_classes = [IsDeskStaff]

    def major(self, pk: int):
        major = selectors.major_get(user=self.request.user, pk=pk)
        if major is None:
            raise Http404
        return major

    def detail(self, pk: int, status: int = 200) -> Response:
        major = self.major(pk)
        data = MajorDetailSerializer(major, context={"user": self.request.user}).data
        return Response(data, status=status)

    def review(self, pk: int):
        review = selectors.review_get(user=self.request.user, major_pk=pk)
        if review is None:
            raise Http404
        return review


class MajorListView(_StaffView):
    @extend_schema(
        responses=MajorSerializer(many=True), summary="Major incidents, the active first"
    )
    def get(self, request):
        rows = selectors.majors_for(user=request.user)[:100]
        return Response(MajorSerializer(rows, many=True).data)

    @extend_schema(
        request=MajorDeclareInput,
        responses={
            201: MajorDetailSerializer,
            409: error_response("The ticket is already a major incident, or is not open."),
        },
        summary="Declare a major incident from a ticket (a reason unless it is P1)",
    )
    def post(self, request):
        data = MajorDeclareInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        ticket = _ticket(request.user, values.pop("ticket"))
        major = services.major_declare(ticket=ticket, actor=request.user, **values)
        return self.detail(major.pk, 201)


class MajorDetailView(_StaffView):
    @extend_schema(responses=MajorDetailSerializer, summary="A major incident")
    def get(self, request, pk: int):
        return self.detail(pk)

    @extend_schema(
        request=MajorBridgeInput,
        responses={200: MajorDetailSerializer, 409: RESOLVED_409},
        summary="Change the bridge or the update interval",
    )
    def patch(self, request, pk: int):
        major = self.major(pk)
        data = MajorBridgeInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.major_bridge_set(major=major, actor=request.user, **data.validated_data)
        return self.detail(pk)


class MajorRoleView(_StaffView):
    @extend_schema(
        request=MajorRoleInput,
        responses={200: MajorDetailSerializer, 409: RESOLVED_409},
        summary="Assign a role: incident commander, communications lead or scribe",
    )
    def post(self, request, pk: int):
        major = self.major(pk)
        data = MajorRoleInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.major_role_assign(major=major, actor=request.user, **data.validated_data)
        return self.detail(pk)


class MajorLinkView(_StaffView):
    @extend_schema(
        request=MajorLinkInput,
        responses={200: MajorDetailSerializer, 409: RESOLVED_409},
        summary="Link user tickets about the same outage (all or none)",
    )
    def post(self, request, pk: int):
        major = self.major(pk)
        data = MajorLinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.major_tickets_link(
            major=major, actor=request.user, numbers=data.validated_data["tickets"]
        )
        return self.detail(pk)


class MajorUpdateView(_StaffView):
    @extend_schema(
        request=MajorUpdateInput,
        responses={201: MajorPublicUpdateSerializer, 409: RESOLVED_409},
        summary="Post a public update to everyone affected (one message per person)",
    )
    def post(self, request, pk: int):
        major = self.major(pk)
        data = MajorUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        update = services.major_update_post(major=major, actor=request.user, **data.validated_data)
        return Response(MajorPublicUpdateSerializer(update).data, status=201)


class MajorResolveView(_StaffView):
    @extend_schema(
        request=MajorResolveInput,
        responses={200: MajorReviewSerializer, 409: RESOLVED_409},
        summary="Resolve the major incident and its linked tickets; returns the review",
    )
    def post(self, request, pk: int):
        major = self.major(pk)
        data = MajorResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.major_resolve(major=major, actor=request.user, **data.validated_data)
        return Response(MajorReviewSerializer(self.review(pk)).data)


class ReviewListView(_StaffView):
    @extend_schema(
        responses=MajorReviewListSerializer(many=True),
        summary="Post-incident reviews, newest first",
    )
    def get(self, request):
        rows = selectors.reviews_for(user=request.user)[:100]
        return Response(MajorReviewListSerializer(rows, many=True).data)


class ReviewDetailView(_StaffView):
    @extend_schema(
        responses=MajorReviewSerializer, summary="A major incident's post-incident review"
    )
    def get(self, request, pk: int):
        return Response(MajorReviewSerializer(self.review(pk)).data)

    @extend_schema(
        request=MajorReviewEditInput,
        responses=MajorReviewSerializer,
        summary="Write the root cause and contributing factors",
    )
    def patch(self, request, pk: int):
        review = self.review(pk)
        data = MajorReviewEditInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.review_edit(review=review, actor=request.user, **data.validated_data)
        return Response(MajorReviewSerializer(self.review(pk)).data)


class ActionItemListView(_StaffView):
    @extend_schema(
        request=MajorActionItemInput,
        responses={201: MajorActionItemSerializer},
        summary="Add an action item with its owner and due date",
    )
    def post(self, request, pk: int):
        review = self.review(pk)
        data = MajorActionItemInput(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.action_item_add(review=review, actor=request.user, **data.validated_data)
        return Response(MajorActionItemSerializer(item).data, status=201)


class ActionItemView(_StaffView):
    @extend_schema(
        request=MajorActionItemEditInput,
        responses=MajorActionItemSerializer,
        summary="Mark an action item done (or not)",
    )
    def patch(self, request, item_pk: int):
        item = selectors.action_item_get(user=request.user, pk=item_pk)
        if item is None:
            raise Http404
        data = MajorActionItemEditInput(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.action_item_done(
            item=item, actor=request.user, done=data.validated_data["done"]
        )
        return Response(MajorActionItemSerializer(item).data)
