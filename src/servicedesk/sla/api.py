"""The SLA of one ticket, explained: each clock with its figures and its ledger."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.sla.selectors import clocks_for
from servicedesk.tickets.selectors import ticket_get


class LedgerEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    event = serializers.CharField()
    cause = serializers.CharField()
    elapsed_minutes = serializers.SerializerMethodField()
    target_minutes = serializers.SerializerMethodField()
    due_at = serializers.DateTimeField(allow_null=True)

    def get_elapsed_minutes(self, entry) -> float:
        return entry.elapsed.total_seconds() / 60

    def get_target_minutes(self, entry) -> float:
        return entry.target.total_seconds() / 60


class ClockSerializer(serializers.Serializer):
    metric = serializers.CharField()
    policy = serializers.CharField()
    calendar = serializers.CharField()
    state = serializers.CharField()
    target_minutes = serializers.SerializerMethodField()
    elapsed_minutes = serializers.SerializerMethodField()
    remaining_minutes = serializers.SerializerMethodField()
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)
    breached = serializers.SerializerMethodField()
    warned = serializers.ListField(child=serializers.IntegerField())
    ledger = LedgerEntrySerializer(many=True)

    def get_target_minutes(self, clock) -> float:
        return clock.target.total_seconds() / 60

    def get_elapsed_minutes(self, clock) -> float:
        return clock.elapsed.total_seconds() / 60

    def get_remaining_minutes(self, clock) -> float:
        return clock.remaining.total_seconds() / 60

    def get_breached(self, clock) -> bool:
        return clock.breached_at is not None


class TicketSlaView(APIView):
    """The ticket's first-response and resolution clocks, with the ledger that explains them."""

    @extend_schema(responses=ClockSerializer(many=True))
    def get(self, request, number):
        ticket = ticket_get(user=request.user, number=number)
        return Response(ClockSerializer(clocks_for(ticket=ticket), many=True).data)
