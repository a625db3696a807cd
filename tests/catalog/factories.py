import factory

from servicedesk.catalog.models import Category, ConfigurationItem, DiagnosticQuestion, Service


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")


class ConfigurationItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConfigurationItem

    name = factory.Sequence(lambda n: f"ci-{n}")
    ci_type = "server"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


class DiagnosticQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiagnosticQuestion

    category = factory.SubFactory(CategoryFactory)
    text = factory.Sequence(lambda n: f"Question {n}?")
    answer_type = "text"
