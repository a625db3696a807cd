"""The tickets REST API. Thin: parse, call one selector or service, render."""

from dataclasses import dataclass

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.core.api import idempotent_create, require_if_match
from servicedesk.core.pagination import KeysetPagination
from servicedesk.tickets import payloads, selectors, services
from servicedesk.tickets import serializers as s
from servicedesk.tickets.downloads import attachment_response
from servicedesk.tickets.filters import ticket_filter
from servicedesk.tickets.models import Channel


class PayloadTooLarge(APIException):
    status_code = 413
    default_code = "too_large"


class TicketPagination(KeysetPagination):
    ordering_fields = {
        "priority": "priority",
        "created_at": "created_at",
        "updated_at": "updated_at",
        "reported_at": "reported_at",
        "number": "number",
    }
    default_ordering = ("-created_at",)


def _detail_response(request, ticket, status_code=status.HTTP_200_OK) -> Response:
    created = status_code == status.HTTP_201_CREATED
    data = payloads.ticket_detail_data(
        ticket,
        actions=selectors.actions_available(ticket=ticket, user=request.user),
        # Logged by this very request: nothing can hang under it yet.
        children=[]
        if created
        else selectors.ticket_children_numbers(ticket=ticket, user=request.user),
        viewer=request.user,
    )
    response = Response(data, status=status_code)
    response["ETag"] = ticket.etag
    if created:
        response["Location"] = f"/api/tickets/{ticket.number}/"
    return response


class TicketListCreateView(APIView):
    """List the tickets you may see, or log a new one."""

    pagination_class = TicketPagination

    @extend_schema(
        responses=s.TicketListSerializer(many=True),
        parameters=[
            OpenApiParameter("status", str, description="Comma-separated statuses, or 'open'."),
            OpenApiParameter("kind", str),
            OpenApiParameter("priority", str, description="Comma-separated, e.g. 1,2."),
            OpenApiParameter("assignment_group", int),
            OpenApiParameter("assignee", str, description="A user id, 'me' or 'none'."),
            OpenApiParameter("requester", int),
            OpenApiParameter("category", int),
            OpenApiParameter("service", int),
            OpenApiParameter("tier", int),
            OpenApiParameter("created_after", OpenApiTypes.DATETIME),
            OpenApiParameter("created_before", OpenApiTypes.DATETIME),
            OpenApiParameter("updated_after", OpenApiTypes.DATETIME),
            OpenApiParameter("q", str, description="Number or words of the title."),
            OpenApiParameter(
                "sla",
                str,
                enum=["breaching_soon", "breached"],
                description="SLA queues, ordered by time left (ordering=sla_due_at).",
            ),
        ],
    )
    def get(self, request):
        queryset = ticket_filter(selectors.ticket_rows_visible(user=request.user), request)
        paginator = self.pagination_class()
        if request.query_params.get("sla"):
            # The SLA queues are ordered by time left; their rows carry `sla_due_at`.
            paginator.ordering_fields = {**paginator.ordering_fields, "sla_due_at": "sla_due_at"}
            paginator.default_ordering = ("sla_due_at",)
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(payloads.ticket_list_data(page))

    @extend_schema(
        request=s.TicketCreateSerializer,
        responses={201: s.TicketDetailSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Retrying with the same key and body returns the first result.",
            )
        ],
    )
    def post(self, request):
        def create():
            serializer = s.TicketCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            data.setdefault("channel", Channel.API)
            ticket = services.ticket_log(actor=request.user, **data)
            return _detail_response(request, ticket, status.HTTP_201_CREATED)

        response = idempotent_create(request, create)
        if response.has_header("Idempotent-Replayed"):
            # The stored replay keeps the body only; give back the first response's headers too.
            response["Location"] = response.data["url"]
            response["ETag"] = response.data["etag"]
        return response


class TicketDetailView(APIView):
    """Read a ticket, or change its editable fields (If-Match with its ETag required)."""

    @extend_schema(responses=s.TicketDetailSerializer)
    def get(self, request, number):
        ticket = selectors.ticket_get(user=request.user, number=number)
        response = _detail_response(request, ticket)
        if request.headers.get("If-None-Match") == ticket.etag:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": ticket.etag})
        return response

    @extend_schema(
        request=s.TicketUpdateSerializer,
        responses=s.TicketDetailSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
    )
    def patch(self, request, number):
        ticket = selectors.ticket_get(user=request.user, number=number)
        expected = require_if_match(request, ticket.pk)
        serializer = s.TicketUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        ticket = services.ticket_update(
            ticket=ticket, actor=request.user, expected_version=expected, reason=reason, **data
        )
        return _detail_response(request, ticket)


@dataclass(frozen=True)
class ActionSpec:
    """One lifecycle endpoint: its input and how it calls its service."""

    name: str
    serializer: type[serializers.Serializer]
    call: callable
    summary: str


ACTIONS = [
    ActionSpec(
        "assign",
        s.AssignSerializer,
        lambda t, u, d: services.ticket_assign(ticket=t, actor=u, **d),
        "Assign to a group of the same tier and/or a person.",
    ),
    ActionSpec(
        "start",
        s.NoInputSerializer,
        lambda t, u, d: services.ticket_start(ticket=t, actor=u),
        "Begin work (takes the ticket if it has no assignee).",
    ),
    ActionSpec(
        "hold",
        s.HoldSerializer,
        lambda t, u, d: services.ticket_hold(ticket=t, actor=u, **d),
        "Put on hold awaiting the caller, a vendor or a change.",
    ),
    ActionSpec(
        "resume",
        s.NoInputSerializer,
        lambda t, u, d: services.ticket_resume(ticket=t, actor=u),
        "Resume work on a ticket on hold.",
    ),
    ActionSpec(
        "escalate",
        s.EscalateSerializer,
        lambda t, u, d: services.ticket_escalate(ticket=t, actor=u, **d),
        "Functional escalation to a group of a higher tier, with a reason.",
    ),
    ActionSpec(
        "de-escalate",
        s.EscalateSerializer,
        lambda t, u, d: services.ticket_de_escalate(ticket=t, actor=u, **d),
        "Send back to a group of a lower tier, with a reason.",
    ),
    ActionSpec(
        "escalate-to-manager",
        s.ReasonSerializer,
        lambda t, u, d: services.ticket_escalate_to_manager(ticket=t, actor=u, **d),
        "Hierarchical escalation: flag the ticket and notify the group manager.",
    ),
    ActionSpec(
        "resolve",
        s.ResolveSerializer,
        lambda t, u, d: services.ticket_resolve(ticket=t, actor=u, **d),
        "Resolve (incidents need service_restored=true).",
    ),
    ActionSpec(
        "confirm",
        s.NoInputSerializer,
        lambda t, u, d: services.ticket_confirm(ticket=t, actor=u),
        "The requester confirms the resolution; the ticket closes.",
    ),
    ActionSpec(
        "reopen",
        s.ReasonSerializer,
        lambda t, u, d: services.ticket_reopen(ticket=t, actor=u, **d),
        "Reject the resolution within the reopen window.",
    ),
    ActionSpec(
        "close",
        s.OptionalReasonSerializer,
        lambda t, u, d: services.ticket_close(ticket=t, actor=u, **d),
        "Close a resolved ticket.",
    ),
    ActionSpec(
        "cancel",
        s.CancelSerializer,
        lambda t, u, d: services.ticket_cancel(ticket=t, actor=u, **d),
        "Cancel as duplicate, not an incident, or withdrawn.",
    ),
    ActionSpec(
        "reclassify",
        s.ReclassifySerializer,
        lambda t, u, d: services.ticket_reclassify(ticket=t, actor=u, **d),
        "Incident ⇄ service request, with a reason (the ticket gets a new number).",
    ),
    ActionSpec(
        "mark-duplicate",
        s.DuplicateSerializer,
        lambda t, u, d: services.ticket_mark_duplicate(ticket=t, actor=u, **d),
        "Cancel as a duplicate of another ticket.",
    ),
    ActionSpec(
        "set-parent",
        s.ParentSerializer,
        lambda t, u, d: services.ticket_set_parent(ticket=t, actor=u, **d),
        "Make this ticket a child of another (or null to detach).",
    ),
    ActionSpec(
        "diagnosis",
        s.DiagnosisSerializer,
        lambda t, u, d: services.ticket_diagnosis_record(ticket=t, actor=u, **d),
        "Record answers to the category's diagnostic questions: {question id: answer}.",
    ),
]


def _action_view(spec: ActionSpec) -> type[APIView]:
    class TicketActionView(APIView):
        @extend_schema(
            request=spec.serializer,
            responses=s.TicketDetailSerializer,
            summary=spec.summary,
            operation_id=f"tickets_{spec.name.replace('-', '_')}",
            tags=["ticket actions"],
        )
        def post(self, request, number):
            ticket = selectors.ticket_get(user=request.user, number=number)
            serializer = spec.serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            ticket = spec.call(ticket, request.user, dict(serializer.validated_data))
            return _detail_response(request, ticket)

    TicketActionView.__name__ = f"Ticket{spec.name.title().replace('-', '')}View"
    TicketActionView.__doc__ = spec.summary
    return TicketActionView


ACTION_VIEWS = {spec.name: _action_view(spec) for spec in ACTIONS}


def _reject_oversized(request) -> None:
    """Refuse an upload by its declared length before reading it (413, nothing written)."""
    limit = settings.SERVICEDESK_MAX_ATTACHMENT_BYTES
    length = request.META.get("CONTENT_LENGTH")
    if length and length.isdigit() and int(length) > limit + 64 * 1024:
        raise PayloadTooLarge(
            {"files": [f"The upload is larger than the limit of {limit // (1024 * 1024)} MB."]}
        )


class TicketCommentsView(APIView):
    """Public replies and internal notes (notes only for desk staff)."""

    @extend_schema(responses=s.TimelineEventSerializer(many=True))
    def get(self, request, number):
        ticket = selectors.ticket_get(user=request.user, number=number)
        events = selectors.timeline_for(ticket=ticket, user=request.user).filter(
            type__in=["comment", "note"]
        )
        context = {"ticket_number": ticket.number}
        return Response(s.TimelineEventSerializer(events, many=True, context=context).data)

    @extend_schema(request=s.CommentInputSerializer, responses={201: s.TimelineEventSerializer})
    def post(self, request, number):
        _reject_oversized(request)
        ticket = selectors.ticket_get(user=request.user, number=number)
        if hasattr(request.data, "getlist"):
            # Not request.data.copy(): that deep-copies uploads, and a spooled one cannot be.
            data = {
                "body": request.data.get("body", ""),
                "public": request.data.get("public", True),
                "files": request.FILES.getlist("files"),
            }
        else:
            data = dict(request.data)
        serializer = s.CommentInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        event = services.ticket_comment(
            ticket=ticket, actor=request.user, **serializer.validated_data
        )
        context = {"ticket_number": ticket.number}
        return Response(s.TimelineEventSerializer(event, context=context).data, status=201)


class TicketAttachmentsView(APIView):
    @extend_schema(responses=s.AttachmentSerializer(many=True))
    def get(self, request, number):
        ticket = selectors.ticket_get(user=request.user, number=number)
        attachments = selectors.attachments_for(ticket=ticket, user=request.user)
        context = {"ticket_number": ticket.number}
        return Response(s.AttachmentSerializer(attachments, many=True, context=context).data)

    @extend_schema(request=s.AttachmentInputSerializer, responses={201: s.AttachmentSerializer})
    def post(self, request, number):
        _reject_oversized(request)
        ticket = selectors.ticket_get(user=request.user, number=number)
        serializer = s.AttachmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        event = services.ticket_comment(
            ticket=ticket,
            actor=request.user,
            body=data["body"],
            public=data["public"],
            files=[data["file"]],
        )
        attachment = event.attachments.get()
        context = {"ticket_number": ticket.number}
        return Response(s.AttachmentSerializer(attachment, context=context).data, status=201)


class AttachmentDownloadView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, number, attachment_id):
        return attachment_response(user=request.user, number=number, attachment_id=attachment_id)


class TicketTimelineView(APIView):
    """Every step taken on the ticket, oldest first (public rows only for requesters)."""

    @extend_schema(responses=s.TimelineEventSerializer(many=True))
    def get(self, request, number):
        ticket = selectors.ticket_get(user=request.user, number=number)
        events = selectors.timeline_for(ticket=ticket, user=request.user)
        context = {"ticket_number": ticket.number}
        return Response(s.TimelineEventSerializer(events, many=True, context=context).data)


class TicketTierHistoryView(APIView):
    """Time spent with each group and tier, and the number of reassignments."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, number):
        ticket = selectors.ticket_get(user=request.user, number=number)
        history = selectors.tier_history(ticket=ticket)
        totals = selectors.time_per_tier(ticket=ticket)
        return Response(
            {
                "reassignment_count": ticket.reassignment_count,
                "escalation_count": ticket.escalation_count,
                "seconds_per_tier": {f"L{t}": d.total_seconds() for t, d in sorted(totals.items())},
                "stints": [
                    {
                        "group": h.group,
                        "tier": h.tier,
                        "started_at": h.started_at,
                        "ended_at": h.ended_at,
                        "seconds": h.duration.total_seconds(),
                    }
                    for h in history
                ],
            }
        )
