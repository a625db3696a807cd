"""The signed-in person's notification preferences: which topics reach them by which channel."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.notifications.preferences import (
    CHANNEL_NAMES,
    notification_preferences_set,
    preferences_for,
)


class PreferenceSerializer(serializers.Serializer):
    topic = serializers.CharField(help_text="The topic's name, e.g. ticket.resolved.")
    label = serializers.CharField(read_only=True, help_text="The topic's name in your language.")
    # A plain string, checked by the service: a choice set named "channel" would clash in the
    # schema with the ticket's intake channel.
    channel = serializers.CharField(
        help_text=f"One of your channels: {', '.join(sorted(CHANNEL_NAMES))}."
    )
    enabled = serializers.BooleanField(help_text="Whether this topic reaches you by this channel.")
    mandatory = serializers.BooleanField(
        read_only=True, help_text="A security or breach topic: always on, cannot be turned off."
    )
    available = serializers.BooleanField(
        read_only=True,
        help_text="Whether you have this channel at all (an email address that is emailed).",
    )


class PreferencesSerializer(serializers.Serializer):
    preferences = PreferenceSerializer(many=True)


class PreferencesUpdateSerializer(serializers.Serializer):
    preferences = PreferenceSerializer(
        many=True,
        help_text="The choices to change; topics and channels not listed keep theirs.",
    )


def _data(rows) -> dict:
    return {
        "preferences": [
            {
                "topic": row.topic.name,
                "label": str(row.topic.label),
                "channel": choice.channel,
                "enabled": choice.enabled,
                "mandatory": row.topic.mandatory,
                "available": choice.available,
            }
            for row in rows
            for choice in row.choices
        ]
    }


class NotificationPreferencesView(APIView):
    """Which of the desk's notification topics reach you, and by which of your channels.

    Every topic meant for you is listed with each channel; with no choice made a topic is on.
    A mandatory topic (security, breaches) is always on: turning it off is a 400.
    """

    @extend_schema(responses=PreferencesSerializer, operation_id="me_notification_preferences")
    def get(self, request):
        return Response(_data(preferences_for(person=request.user)))

    @extend_schema(
        request=PreferencesUpdateSerializer,
        responses=PreferencesSerializer,
        operation_id="me_notification_preferences_update",
        examples=[
            OpenApiExample(
                "Stop the closed emails",
                value={
                    "preferences": [
                        {"topic": "ticket.closed", "channel": "email", "enabled": False}
                    ]
                },
                request_only=True,
            )
        ],
    )
    def put(self, request):
        serializer = PreferencesUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        choices = [
            (p["topic"], p["channel"], p["enabled"])
            for p in serializer.validated_data["preferences"]
        ]
        rows = notification_preferences_set(person=request.user, choices=choices)
        return Response(_data(rows))
