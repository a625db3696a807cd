"""Reads of people and support groups."""

from django.core.cache import cache
from django.db.models import Q, QuerySet

from servicedesk.accounts.models import STAFF_ROLES, SupportGroup, User
from servicedesk.core.caches import TIMEOUT, LocalizedKey, reference_key
from servicedesk.core.i18n import localized, sort_key

# Group names are read in the active language, so what is cached of them is kept per language.
GROUP_LABELS_KEY = LocalizedKey("accounts:group-labels")


def people_search(*, query: str, limit: int = 10) -> list[User]:
    """People whose name, email, phone or username contains every word of `query`."""
    words = query.split()
    if not words:
        return []
    queryset = User.objects.filter(is_active=True)
    for word in words[:4]:
        queryset = queryset.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(phone__icontains=word)
            | Q(username__icontains=word)
        )
    return list(queryset.order_by("first_name", "last_name", "id")[:limit])


def desk_staff_active() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=sorted(STAFF_ROLES)) | Q(is_superuser=True))
        .order_by("first_name", "last_name", "username")
    )


def group_labels(ids: set[int]) -> dict[int, dict]:
    """{id: {"id", "name", "tier"}} of the support groups, covering at least `ids`, named in the
    active language."""

    def read():
        rows = SupportGroup.objects.order_by().values_list("id", "name", "tier")
        return {pk: {"id": pk, "name": name, "tier": tier} for pk, name, tier in rows}

    key = GROUP_LABELS_KEY.current()
    labels = cache.get_or_set(key, read, TIMEOUT)
    if not ids <= labels.keys():  # a group made since, in another process
        labels = read()
        cache.set(key, labels, TIMEOUT)
    return labels


def groups_active() -> QuerySet[SupportGroup]:
    """Active groups by tier, then by name in the active language (English where none)."""
    return SupportGroup.objects.filter(is_active=True).order_by("tier", localized("name"))


GROUP_TIERS_KEY = reference_key("accounts:group-tiers")


def group_tiers_active() -> frozenset[int]:
    """The tiers that have an active group: whether a ticket can go up or down from its tier is
    asked for every ticket shown, so it is read from the cache."""

    def read():
        return frozenset(groups_active().order_by().values_list("tier", flat=True).distinct())

    return cache.get_or_set(GROUP_TIERS_KEY, read, TIMEOUT)


# Choice lists of the console's forms are read on every queue page; they change rarely, so
# they are kept this many seconds in the cache (a new colleague shows up within a minute).
CHOICES_TTL = 60
DESK_STAFF_CHOICES_KEY = reference_key("accounts:desk-staff-choices", people=True)
GROUP_CHOICES_KEY = LocalizedKey("accounts:group-choices")


def desk_staff_choices() -> list[tuple[int, str]]:
    """(id, name) of active desk staff, for a select (no model instances built)."""

    def read():
        rows = desk_staff_active().values_list("id", "first_name", "last_name", "username")
        return [(pk, f"{first} {last}".strip() or username) for pk, first, last, username in rows]

    return cache.get_or_set(DESK_STAFF_CHOICES_KEY, read, CHOICES_TTL)


def group_choices() -> list[tuple[int, str]]:
    """(id, "Name (Ln)") of active support groups by tier then name, for a select."""

    def read():
        rows = (
            SupportGroup.objects.filter(is_active=True).order_by().values_list("id", "name", "tier")
        )
        rows = sorted(rows, key=lambda row: (row[2], sort_key(row[1])))
        return [(pk, f"{name} (L{tier})") for pk, name, tier in rows]

    return cache.get_or_set(GROUP_CHOICES_KEY.current(), read, CHOICES_TTL)
