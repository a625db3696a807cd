"""Reads of the catalog."""

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet

from servicedesk.catalog.models import Category, ConfigurationItem, DiagnosticQuestion, Service
from servicedesk.core.caches import TIMEOUT, reference_key

CATEGORY_PATHS_KEY = reference_key("catalog:category-paths")


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


# Choice lists of the console's filters: read on every queue page, changed rarely, so kept this
# many seconds in the cache.
CHOICES_TTL = 60
CATEGORY_CHOICES_KEY = reference_key("catalog:category-choices")
SERVICE_CHOICES_KEY = reference_key("catalog:service-choices")


def category_choices() -> list[tuple[int, str]]:
    """(id, "Parent › Name") of active categories, for a select (no model instances built)."""

    def read():
        rows = (
            Category.objects.filter(is_active=True)
            .order_by("parent__name", "name")
            .values_list("id", "name", "parent__name")
        )
        return [(pk, f"{parent} › {name}" if parent else name) for pk, name, parent in rows]

    return cache.get_or_set(CATEGORY_CHOICES_KEY, read, CHOICES_TTL)


def service_choices() -> list[tuple[int, str]]:
    def read():
        return list(
            Service.objects.filter(is_active=True).order_by("name").values_list("id", "name")
        )

    return cache.get_or_set(SERVICE_CHOICES_KEY, read, CHOICES_TTL)


def category_paths(ids: set[int]) -> dict[int, str]:
    """{id: "Parent › Child"} of the categories, active or not, covering at least `ids`."""

    def read():
        rows = Category.objects.order_by().values_list("id", "name", "parent__name")
        return {
            pk: f"{parent} › {name}" if parent is not None else name for pk, name, parent in rows
        }

    paths = cache.get_or_set(CATEGORY_PATHS_KEY, read, TIMEOUT)
    if not ids <= paths.keys():  # a category made since, in another process
        paths = read()
        cache.set(CATEGORY_PATHS_KEY, paths, TIMEOUT)
    return paths
