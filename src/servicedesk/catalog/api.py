"""Read-only catalog endpoints: what a ticket can be about and who can work it."""

from rest_framework import generics

from servicedesk.accounts.models import SupportGroup
from servicedesk.catalog import selectors
from servicedesk.catalog import serializers as s


class ServiceListView(generics.ListAPIView):
    serializer_class = s.ServiceSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.services_active()


class CategoryListView(generics.ListAPIView):
    """The two-level category tree, each with its diagnostic questions."""

    serializer_class = s.CategorySerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.categories_active()


class ConfigurationItemListView(generics.ListAPIView):
    serializer_class = s.ConfigurationItemSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.configuration_items_active()


class SupportGroupListView(generics.ListAPIView):
    serializer_class = s.SupportGroupSerializer
    pagination_class = None

    def get_queryset(self):
        return SupportGroup.objects.filter(is_active=True)
