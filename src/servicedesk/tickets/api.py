"""The tickets REST API. Thin: parse, call one selector or service, render."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.core.api import (
    IDEMPOTENCY_KEY_MAX_LENGTH,
    AnyAcceptNegotiation,
    RequestTooLarge,
    idempotent_create,
    require_if_match,
)
from servicedesk.core.pagination import KeysetPagination
from servicedesk.core.schema import error_response
from servicedesk.tickets import actions, inputs, payloads, selectors, services
from servicedesk.tickets import serializers as s
from servicedesk.tickets.downloads import attachment_response
from servicedesk.tickets.filters import MAX_QUERY_LENGTH, ticket_filter
from servicedesk.tickets.models import Channel


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
        actions=actions.action_names_available(ticket=ticket, user=request.user),
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
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": MAX_QUERY_LENGTH},
                description=f"Number or words of the title, at most {MAX_QUERY_LENGTH} characters.",
            ),
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
                {"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH},
                OpenApiParameter.HEADER,
                description="Retrying with the same key and body returns the first result. At "
                f"most {IDEMPOTENCY_KEY_MAX_LENGTH} printable characters.",
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

    @extend_schema(
        responses={
            200: s.TicketDetailSerializer,
            304: OpenApiResponse(description="If-None-Match holds the ticket's current ETag."),
        },
        parameters=[OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER)],
    )
    def get(self, request, number):
        ticket = selectors.ticket_get(user=request.user, number=number)
        response = _detail_response(request, ticket)
        if request.headers.get("If-None-Match") == ticket.etag:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": ticket.etag})
        return response

    @extend_schema(
        request=inputs.TicketUpdateSerializer,
        responses={
            200: s.TicketDetailSerializer,
            409: error_response("The ticket is no longer open: it cannot be edited."),
        },
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
    )
    def patch(self, request, number):
        ticket = selectors.ticket_get(user=request.user, number=number)
        expected = require_if_match(request, ticket.pk)
        serializer = inputs.TicketUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        ticket = services.ticket_update(
            ticket=ticket, actor=request.user, expected_version=expected, reason=reason, **data
        )
        return _detail_response(request, ticket)


def _action_conflict(spec: actions.ActionSpec) -> dict:
    """The 409 of an action that moves the ticket through the transition table; the others
    (a note, a link, a flag) are refused on a closed ticket with a 400 naming the status."""
    if spec.transition is None:
        return {}
    return {409: error_response("The action is not allowed from the ticket's current status.")}


def action_view(spec: actions.ActionSpec) -> type[APIView]:
    """The endpoint of one action of the registry, documented from it.

    Order of refusals: an invisible ticket is 404, an action the person may not take 403 (before
    the input is read), bad input 400 naming the fields, then whatever the service refuses.
    """

    class TicketActionView(APIView):
        @extend_schema(
            request=spec.input,
            responses={200: s.TicketDetailSerializer, **_action_conflict(spec)},
            summary=spec.summary,
            operation_id=f"tickets_{spec.name.replace('-', '_')}",
            tags=["ticket actions"],
        )
        def post(self, request, number):
            ticket = selectors.ticket_get(user=request.user, number=number)
            actions.action_permit(spec, ticket=ticket, user=request.user)
            serializer = spec.make_input(ticket, request.user, request.data)
            serializer.is_valid(raise_exception=True)
            ticket = spec.perform(ticket, request.user, dict(serializer.validated_data))
            return _detail_response(request, ticket)

    TicketActionView.__name__ = f"Ticket{spec.name.title().replace('-', '')}View"
    TicketActionView.__doc__ = spec.summary
    return TicketActionView


def _too_large(field: str) -> RequestTooLarge:
    limit = settings.SERVICEDESK_MAX_ATTACHMENT_BYTES // (1024 * 1024)
    return RequestTooLarge({field: [f"The upload is larger than the limit of {limit} MB."]})


def _reject_oversized(request, *, field: str) -> None:
    """Refuse an upload by its declared length before reading it (413 naming the endpoint's
    own file field, nothing written)."""
    limit = settings.SERVICEDESK_MAX_ATTACHMENT_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:  # "²", or thousands of digits: Django too reads it as no length
        length = 0
    if length > limit + 64 * 1024:
        raise _too_large(field)


_CLOSED = error_response("The ticket is closed or cancelled: log a new one.")


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

    @extend_schema(
        request=s.CommentInputSerializer,
        responses={201: s.TimelineEventSerializer, 409: _CLOSED},
    )
    def post(self, request, number):
        _reject_oversized(request, field="files")
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

    @extend_schema(
        request=s.AttachmentInputSerializer, responses={201: s.AttachmentSerializer, 409: _CLOSED}
    )
    def post(self, request, number):
        _reject_oversized(request, field="file")
        ticket = selectors.ticket_get(user=request.user, number=number)
        serializer = s.AttachmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["file"].size > settings.SERVICEDESK_MAX_ATTACHMENT_BYTES:
            raise _too_large("file")
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
    """The file itself: a download whatever the Accept header says (errors are JSON)."""

    content_negotiation_class = AnyAcceptNegotiation

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
