from rest_framework import serializers

from servicedesk.accounts.models import SupportGroup
from servicedesk.catalog.models import Category, ConfigurationItem, DiagnosticQuestion, Service


class SupportGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupportGroup
        fields = ["id", "name", "tier", "email", "description"]


class ServiceSerializer(serializers.ModelSerializer):
    owner_group = SupportGroupSerializer(read_only=True)

    class Meta:
        model = Service
        fields = ["id", "name", "description", "owner_group"]


class ConfigurationItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConfigurationItem
        fields = ["id", "name", "ci_type", "service"]


class DiagnosticQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DiagnosticQuestion
        fields = ["id", "text", "help_text", "answer_type", "choices", "required", "position"]


class CategorySerializer(serializers.ModelSerializer):
    questions = DiagnosticQuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Category
        fields = ["id", "name", "path", "parent", "description", "default_group", "questions"]
