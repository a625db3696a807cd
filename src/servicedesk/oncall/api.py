"""The on-call API for desk staff (in the OpenAPI document): who is on call now or at an
instant, schedules and their shifts, escalation policies, pages and their acknowledgement."""

from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.accounts.models import User
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.core.fields import MomentField, TextKeyRelatedField
from servicedesk.core.schema import error_response
from servicedesk.oncall import schedules, selectors, services

MAX_RANGE_DAYS = 92


class IsDeskStaff(BasePermission):
    message = _("The on-call API is for desk staff.")

    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user)


class OnCallPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")


class OnCallAtSerializer(serializers.Serializer):
    schedule = serializers.IntegerField(source="schedule.pk")
    schedule_name = serializers.CharField(source="schedule.name")
    at = serializers.DateTimeField()
    person = OnCallPersonSerializer(allow_null=True)
    source = serializers.CharField()


class OnCallShiftSerializer(serializers.Serializer):
    schedule = serializers.IntegerField(source="schedule.pk")
    person = OnCallPersonSerializer(allow_null=True)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    source = serializers.CharField()


class OnCallLayerSerializer(serializers.Serializer):
    name = serializers.CharField()
    level = serializers.IntegerField()
    rotation = serializers.CharField()
    length_days = serializers.IntegerField(source="days")
    start = serializers.DateField()
    handoff = serializers.TimeField()
    restrictions = serializers.JSONField()
    participants = serializers.SerializerMethodField()

    def get_participants(self, layer) -> list[str]:
        return [p.person.username for p in layer.participants.all()]


class OnCallScheduleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    time_zone = serializers.CharField()
    layers = OnCallLayerSerializer(many=True, source="layers.all")


class OnCallLevelSerializer(serializers.Serializer):
    delay_minutes = serializers.IntegerField()
    people = serializers.SerializerMethodField()
    schedules = serializers.SerializerMethodField()
    groups = serializers.SerializerMethodField()

    def get_people(self, level) -> list[str]:
        return [p.username for p in level.people.all()]

    def get_schedules(self, level) -> list[int]:
        return [s.pk for s in level.schedules.all()]

    def get_groups(self, level) -> list[str]:
        return [g.name for g in level.groups.all()]


class OnCallPolicySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    support_group = serializers.CharField(
        source="support_group.name", allow_null=True, default=None
    )
    service = serializers.CharField(source="service.name", allow_null=True, default=None)
    repeat = serializers.IntegerField()
    priorities = serializers.JSONField()
    is_active = serializers.BooleanField()
    levels = OnCallLevelSerializer(many=True, source="levels.all")


class OnCallPageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ticket = serializers.CharField(source="ticket.number")
    person = serializers.CharField(source="person.username")
    level = serializers.SerializerMethodField()
    repeat = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    escalation_state = serializers.CharField(source="escalation.state")

    def get_level(self, page) -> int:
        return page.level + 1


class OnCallOverrideSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    person = TextKeyRelatedField(slug_field="username", queryset=User.objects.all())
    start = MomentField()
    end = MomentField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AtQuery(serializers.Serializer):
    at = MomentField(required=False)
    schedule = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class RangeQuery(serializers.Serializer):
    start = MomentField(required=False)
    end = MomentField(required=False)

    def validate(self, data):
        start = data.get("start") or timezone.now()
        end = data.get("end") or start + timedelta(days=28)
        if end <= start:
            raise serializers.ValidationError({"end": [_("Give an end after the start.")]})
        if end - start > timedelta(days=MAX_RANGE_DAYS):
            raise serializers.ValidationError(
                {"end": [_("Ask for at most %(days)s days.") % {"days": MAX_RANGE_DAYS}]}
            )
        return {"start": start, "end": end}


class OnCallView(APIView):
    permission_classes = [IsDeskStaff]

    @extend_schema(
        operation_id="oncall_who",
        summary="Who is on call, now or at an instant",
        parameters=[
            OpenApiParameter("at", str, description="ISO 8601 instant; now when left out."),
            OpenApiParameter("schedule", int, description="Only this schedule."),
        ],
        responses={200: OnCallAtSerializer(many=True), 400: error_response("A bad `at`.")},
    )
    def get(self, request):
        query = AtQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        at = query.validated_data.get("at") or timezone.now()
        found = selectors.schedules_for(request.user)
        if "schedule" in query.validated_data:
            found = found.filter(pk=query.validated_data["schedule"])
        rows = []
        people = {}
        for schedule in found:
            person_id, source = schedules.on_call_at(selectors.schedule_plan(schedule), at)
            rows.append({"schedule": schedule, "at": at, "person": person_id, "source": source})
            people[person_id] = None
        people = User.objects.in_bulk([p for p in people if p])
        for row in rows:
            row["person"] = people.get(row["person"])
        return Response(OnCallAtSerializer(rows, many=True).data)


class ScheduleListView(APIView):
    permission_classes = [IsDeskStaff]

    @extend_schema(operation_id="oncall_schedules", responses=OnCallScheduleSerializer(many=True))
    def get(self, request):
        found = selectors.schedules_for(request.user).prefetch_related(
            "layers__participants__person"
        )
        return Response(OnCallScheduleSerializer(found, many=True).data)


class ShiftListView(APIView):
    permission_classes = [IsDeskStaff]

    @extend_schema(
        operation_id="oncall_schedule_shifts",
        summary="A schedule's shifts in a range (default: the next 28 days)",
        parameters=[OpenApiParameter("start", str), OpenApiParameter("end", str)],
        responses={200: OnCallShiftSerializer(many=True), 400: error_response("A bad range.")},
    )
    def get(self, request, pk: int):
        schedule = get_object_or_404(selectors.schedules_for(request.user), pk=pk)
        query = RangeQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        shifts = selectors.schedule_shifts(schedule=schedule, **query.validated_data)
        return Response(OnCallShiftSerializer(shifts, many=True).data)


class PolicyListView(APIView):
    permission_classes = [IsDeskStaff]

    @extend_schema(operation_id="oncall_policies", responses=OnCallPolicySerializer(many=True))
    def get(self, request):
        return Response(
            OnCallPolicySerializer(selectors.policies_for(request.user), many=True).data
        )


class PageListView(APIView):
    permission_classes = [IsDeskStaff]

    @extend_schema(
        operation_id="oncall_pages",
        summary="My pages, newest first (the last 100)",
        responses=OnCallPageSerializer(many=True),
    )
    def get(self, request):
        pages = selectors.pages_for(user=request.user, person=request.user)[:100]
        return Response(OnCallPageSerializer(pages, many=True).data)


class PageAcknowledgeView(APIView):
    permission_classes = [IsDeskStaff]

    @extend_schema(
        operation_id="oncall_page_acknowledge",
        summary="Acknowledge a page: its escalation stops; the incident's first response",
        request=None,
        responses={
            200: OnCallPageSerializer,
            404: error_response("No such page."),
            409: error_response("Already acknowledged, or paging has ended."),
            410: error_response("The page has expired."),
        },
    )
    def post(self, request, pk: int):
        page = get_object_or_404(selectors.pages_for(user=request.user), pk=pk)
        page = services.page_acknowledge(page=page, person=request.user, via="api")
        page = selectors.pages_for(user=request.user).get(pk=page.pk)
        return Response(OnCallPageSerializer(page).data)


class OverrideListView(APIView):
    permission_classes = [IsDeskStaff]

    @extend_schema(
        operation_id="oncall_schedule_overrides",
        summary="A schedule's overrides that are not over yet",
        responses=OnCallOverrideSerializer(many=True),
    )
    def get(self, request, pk: int):
        schedule = get_object_or_404(selectors.schedules_for(request.user), pk=pk)
        found = selectors.overrides_ahead(schedule=schedule, now=timezone.now())
        return Response(OnCallOverrideSerializer(found, many=True).data)

    @extend_schema(
        operation_id="oncall_schedule_override_add",
        summary="Put someone on call for a stretch (an administrator or someone on the schedule)",
        request=OnCallOverrideSerializer,
        responses={
            201: OnCallOverrideSerializer,
            400: error_response("A field is wrong; each names its reason."),
            403: error_response("Not an administrator nor on this schedule."),
        },
    )
    def post(self, request, pk: int):
        schedule = get_object_or_404(selectors.schedules_for(request.user), pk=pk)
        data = OnCallOverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        override = services.override_add(
            actor=request.user, schedule=schedule, **data.validated_data
        )
        return Response(OnCallOverrideSerializer(override).data, status=201)


class OverrideView(APIView):
    permission_classes = [IsDeskStaff]

    @extend_schema(
        operation_id="oncall_schedule_override_remove",
        summary="Remove an override: the rotation applies again",
        responses={204: None, 403: error_response("Not an administrator nor on this schedule.")},
    )
    def delete(self, request, pk: int, override_pk: int):
        schedule = get_object_or_404(selectors.schedules_for(request.user), pk=pk)
        override = get_object_or_404(schedule.overrides, pk=override_pk)
        services.override_remove(actor=request.user, override=override)
        return Response(status=204)
