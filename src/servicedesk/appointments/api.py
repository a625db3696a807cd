"""The sessions' API (in the OpenAPI document): list, propose, move, cancel, the requester's
answer, the outcome. Desk staff see the sessions of the tickets they may see; a requester sees
and answers only their own."""

from datetime import timedelta

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.appointments import selectors, services
from servicedesk.appointments.models import Session
from servicedesk.appointments.states import Answer, Kind, Outcome, Status
from servicedesk.core.errors import Moved
from servicedesk.core.fields import MomentField
from servicedesk.core.schema import error_response
from servicedesk.tickets import selectors as ticket_selectors

MAX_ROWS = 200


class _Text(serializers.CharField):
    """Text without a NUL character (PostgreSQL cannot store one)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if "\x00" in value:
            raise serializers.ValidationError(_("Remove the NUL character."))
        return value


class SessionPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    time_zone = serializers.CharField()


class SessionSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.number")
    organizer = SessionPersonSerializer()
    requester = SessionPersonSerializer()

    class Meta:
        model = Session
        fields = [
            "id",
            "ticket",
            "kind",
            "status",
            "starts_at",
            "ends_at",
            "phone",
            "link",
            "note",
            "organizer",
            "requester",
            "uid",
            "sequence",
            "response_note",
            "proposed_starts_at",
            "responded_at",
            "outcome_notes",
            "reminded_at",
            "cancelled_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class _SessionTimesInput(serializers.Serializer):
    starts_at = MomentField()
    ends_at = MomentField(required=False, help_text=_("The end; or give duration_minutes."))
    duration_minutes = serializers.IntegerField(
        required=False, min_value=services.MIN_MINUTES, max_value=services.MAX_MINUTES
    )

    def validate(self, attrs):
        if "ends_at" not in attrs and "duration_minutes" not in attrs:
            raise serializers.ValidationError(
                {"ends_at": [_("Give the end time or the duration.")]}
            )
        if "ends_at" not in attrs:
            attrs["ends_at"] = attrs["starts_at"] + timedelta(minutes=attrs["duration_minutes"])
        attrs.pop("duration_minutes", None)
        return attrs


class SessionProposeInput(_SessionTimesInput):
    ticket = _Text(max_length=40, help_text=_("The ticket's number."))
    kind = serializers.ChoiceField(choices=Kind.choices)
    phone = _Text(max_length=40, required=False, allow_blank=True, default="")
    link = _Text(max_length=500, required=False, allow_blank=True, default="")
    note = _Text(max_length=services.NOTE_MAX, required=False, allow_blank=True, default="")


class SessionRescheduleInput(_SessionTimesInput):
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    phone = _Text(max_length=40, required=False, allow_blank=True)
    link = _Text(max_length=500, required=False, allow_blank=True)
    note = _Text(max_length=services.NOTE_MAX, required=False, allow_blank=True)


class SessionCancelInput(serializers.Serializer):
    reason = _Text(max_length=services.NOTE_MAX, required=False, allow_blank=True, default="")


class SessionRespondInput(serializers.Serializer):
    answer = serializers.ChoiceField(choices=Answer.choices)
    note = _Text(max_length=services.NOTE_MAX, required=False, allow_blank=True, default="")
    proposed_starts_at = MomentField(required=False, allow_null=True, default=None)


class SessionOutcomeInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    notes = _Text(max_length=services.NOTE_MAX, required=False, allow_blank=True, default="")


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


def _shown(request, session: Session, status: int = 200) -> Response:
    fresh = selectors.session_get(user=request.user, pk=session.pk)
    return Response(SessionSerializer(fresh).data, status=status)


class SessionListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("when", enum=[selectors.UPCOMING, selectors.PAST, selectors.ALL]),
            OpenApiParameter("status", enum=Status.values),
            OpenApiParameter("ticket", str, description="A ticket's number."),
            OpenApiParameter("mine", bool, description="Only the sessions I arranged."),
        ],
        responses=SessionSerializer(many=True),
        summary="Sessions with requesters (at most 200)",
    )
    def get(self, request):
        when = request.query_params.get("when", selectors.UPCOMING)
        if when not in (selectors.UPCOMING, selectors.PAST, selectors.ALL):
            raise serializers.ValidationError({"when": [_("Choose upcoming, past or all.")]})
        status = request.query_params.get("status", "")
        if status and status not in Status.values:
            raise serializers.ValidationError({"status": [_("Not a session status.")]})
        mine = request.query_params.get("mine", "") in ("1", "true")
        rows = selectors.sessions_list(
            user=request.user,
            now=timezone.now(),
            when=when,
            status=status,
            organizer=request.user if mine else None,
            ticket_number=request.query_params.get("ticket", "")[:40],
        )
        return Response(SessionSerializer(rows[:MAX_ROWS], many=True).data)

    @extend_schema(
        request=SessionProposeInput,
        responses={201: SessionSerializer, 403: error_response("Only desk staff propose.")},
        summary="Propose a session to a ticket's requester (sends the invitation)",
    )
    def post(self, request):
        services.staff_check(request.user)
        data = SessionProposeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        ticket = _ticket(request.user, values.pop("ticket"))
        session = services.session_propose(ticket=ticket, actor=request.user, **values)
        return _shown(request, session, status=201)


class SessionDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SessionSerializer, summary="A session")
    def get(self, request, pk: int):
        return Response(SessionSerializer(selectors.session_get(user=request.user, pk=pk)).data)


def _action(input_class, service, summary: str, conflict: str):
    """One POST action on a session: validate the body, call the service, show the session."""

    class ActionView(APIView):
        permission_classes = [IsAuthenticated]

        @extend_schema(
            request=input_class,
            responses={
                200: SessionSerializer,
                403: error_response("Not yours to do."),
                409: error_response(conflict),
            },
            summary=summary,
        )
        def post(self, request, pk: int):
            session = selectors.session_get(user=request.user, pk=pk)
            data = input_class(data=request.data)
            data.is_valid(raise_exception=True)
            session = service(session=session, actor=request.user, **data.validated_data)
            return _shown(request, session)

    ActionView.__name__ = input_class.__name__.replace("Input", "View")
    return ActionView


SessionRescheduleView = _action(
    SessionRescheduleInput,
    services.session_reschedule,
    "Move a session (a new invitation, SEQUENCE raised)",
    "The session is over or cancelled.",
)
SessionCancelView = _action(
    SessionCancelInput,
    services.session_cancel,
    "Cancel a session (METHOD:CANCEL to the requester)",
    "The session is over or cancelled.",
)
SessionRespondView = _action(
    SessionRespondInput,
    services.session_respond,
    "The requester's answer: accept, decline or ask for another time",
    "The session is over or cancelled.",
)
SessionOutcomeView = _action(
    SessionOutcomeInput,
    services.session_outcome_record,
    "Record whether a session was held, with notes",
    "The session is not one that could have taken place.",
)
