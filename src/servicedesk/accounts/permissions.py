"""Who may do what. One place for role checks; visibility is each model's rule (core.visibility)."""

from django.db.models import Q

from servicedesk.accounts.models import Role, SupportGroup


def is_staff_member(user) -> bool:
    return bool(user.is_authenticated and user.is_desk_staff)


def is_admin(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


def group_ids_of(user) -> set[int]:
    """The support groups a person works in or manages (cached on the user object)."""
    if not hasattr(user, "_group_ids_cache"):
        # One query for both relations: this runs on every permission check of a request.
        user._group_ids_cache = set(
            SupportGroup.objects.filter(Q(members=user) | Q(manager=user))
            .order_by()
            .values_list("id", flat=True)
        )
    return user._group_ids_cache
