"""Who may do what. One place for role checks; the visibility rule lives in tickets.selectors."""

from servicedesk.accounts.models import Role


def is_staff_member(user) -> bool:
    return bool(user.is_authenticated and user.is_desk_staff)


def is_admin(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


def group_ids_of(user) -> set[int]:
    """The support groups a person works in or manages (cached on the user object)."""
    if not hasattr(user, "_group_ids_cache"):
        ids = set(user.support_groups.values_list("id", flat=True))
        ids |= set(user.managed_groups.values_list("id", flat=True))
        user._group_ids_cache = ids
    return user._group_ids_cache
