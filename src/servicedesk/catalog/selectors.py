"""Reads of the catalog."""

from django.db.models import Prefetch, QuerySet

from servicedesk.catalog.models import Category, ConfigurationItem, DiagnosticQuestion, Service


def services_active() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True).select_related("owner_group")


def configuration_items_active() -> QuerySet[ConfigurationItem]:
    return ConfigurationItem.objects.filter(is_active=True).select_related("service")


def categories_active() -> QuerySet[Category]:
    return (
        Category.objects.filter(is_active=True)
        .select_related("parent", "default_group")
        .prefetch_related(Prefetch("questions", queryset=DiagnosticQuestion.objects.all()))
    )
