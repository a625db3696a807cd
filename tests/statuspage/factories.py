import factory
from django.utils import timezone

from servicedesk.statuspage.models import Component, ComponentGroup, Subscriber
from tests.catalog.factories import ServiceFactory


class ComponentGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComponentGroup

    name = factory.Sequence(lambda n: f"Group {n}")


class ComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Component

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda n: f"Component {n}")


class SubscriberFactory(factory.django.DjangoModelFactory):
    """A confirmed subscriber of every component."""

    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    confirmed_at = factory.LazyFunction(timezone.now)
