"""Reads of the catalog.

Names are read in the active language (falling back to English), and what is cached of them is
cached per language (`LocalizedKey`).
"""

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet

from servicedesk.catalog.models import Category, ConfigurationItem, DiagnosticQuestion, Service
from servicedesk.core.caches import TIMEOUT, LocalizedKey
from servicedesk.core.i18n import sort_key

CATEGORY_PATHS_KEY = LocalizedKey("catalog:category-paths")


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
CATEGORY_CHOICES_KEY = LocalizedKey("catalog:category-choices")
SERVICE_CHOICES_KEY = LocalizedKey("catalog:service-choices")


def category_choices() -> list[tuple[int, str]]:
    """(id, "Parent › Name") of active categories, for a select (no model instances built)."""

    def read():
        paths = _all_paths(active_only=True).items()
        return sorted(paths, key=lambda item: sort_key(item[1]))

    return cache.get_or_set(CATEGORY_CHOICES_KEY.current(), read, CHOICES_TTL)


def service_choices() -> list[tuple[int, str]]:
    """(id, name) of active services in the active language, for a select."""

    def read():
        rows = Service.objects.filter(is_active=True).order_by().values_list("id", "name")
        return sorted(rows, key=lambda item: sort_key(item[1]))

    return cache.get_or_set(SERVICE_CHOICES_KEY.current(), read, CHOICES_TTL)


def _all_paths(*, active_only: bool = False) -> dict[int, str]:
    """{id: "Parent › Name"} of the categories in the active language, from one query.

    The parent's name comes from its own row, not from a join: modeltranslation reads
    `values("name")` in the active language, but not `parent__name`.
    """
    rows = list(Category.objects.order_by().values_list("id", "name", "parent_id", "is_active"))
    names = {row[0]: row[1] for row in rows}
    return {
        pk: f"{names[parent]} › {name}" if parent is not None else name
        for pk, name, parent, is_active in rows
        if is_active or not active_only
    }


def category_paths(ids: set[int]) -> dict[int, str]:
    """{id: "Parent › Child"} of the categories, active or not, covering at least `ids`, in the
    active language."""
    key = CATEGORY_PATHS_KEY.current()
    paths = cache.get_or_set(key, _all_paths, TIMEOUT)
    if not ids <= paths.keys():  # a category made since, in another process
        paths = _all_paths()
        cache.set(key, paths, TIMEOUT)
    return paths
