"""Who may see which rows: one rule per model, declared once, evaluated in SQL everywhere.

A model that reaches a person declares its rule as a classmethod,

    @classmethod
    def visibility_rule(cls, user, action: str = "view") -> Q: ...

and its queryset derives from `VisibleQuerySet`. Lists, counts, search, exports, reports, the
checks of one object (`is_visible`) and of a few linked ones (`visible_ids`) all filter by that
one `Q`, so there is no second copy of a rule to drift from the first, and a count statement
compiled once carries the rule inside its SQL.

This module names no app: it works on whatever model declares a rule.
"""

from collections.abc import Iterable

from django.db import models
from django.db.models import Q

#: A rule that matches no row (Django answers it without asking the database).
NOTHING = Q(pk__in=[])
#: A rule that matches every row.
EVERYTHING = Q()


class VisibilityRuleMissing(TypeError):
    """The model declares no `visibility_rule`: it must not reach a person until it does."""


class VisibilityActionUnknown(ValueError):
    """The model's rule does not declare this action (e.g. "export" where only "view" exists)."""

    def __init__(self, model: type[models.Model], action: str, declared: Iterable[str]):
        self.model, self.action = model, action
        super().__init__(
            f"{model._meta.label} declares no visibility rule for the action {action!r}; "
            f"it declares: {', '.join(sorted(declared))}."
        )


def action_check(model: type[models.Model], action: str, declared: Iterable[str]) -> None:
    """For a rule to refuse an action it does not declare, rather than answer it as "view"."""
    declared = tuple(declared)
    if action not in declared:
        raise VisibilityActionUnknown(model, action, declared)


def visibility_rule_of(model: type[models.Model], *, user, action: str = "view") -> Q:
    """The model's declared rule for `user` and `action`."""
    rule = getattr(model, "visibility_rule", None)
    if rule is None:
        raise VisibilityRuleMissing(f"{model._meta.label} declares no visibility_rule.")
    return rule(user, action)


def visible_through(path: str, model: type[models.Model], *, user, action: str = "view") -> Q:
    """Rows whose `path` (a foreign key to `model`) points at a row `user` may see.

    For rules built on another model's, e.g. a ticket's timeline on the ticket's: the other rule
    is used as it is declared, as a subquery, never copied.
    """
    return Q(**{f"{path}__in": _visible(model, user, action).values("pk")})


class VisibleQuerySet(models.QuerySet):
    """A queryset of a model that declares `visibility_rule`."""

    def visible_to(self, user, action: str = "view") -> "VisibleQuerySet":
        """The rows `user` may see (for `action`), by the model's one rule."""
        return self.filter(visibility_rule_of(self.model, user=user, action=action))


def is_visible(obj: models.Model, user, action: str = "view") -> bool:
    """Whether `user` may see this one row: the same rule as the lists, asked of the database.

    One query; a loaded object's fields are never judged in Python, so they cannot disagree
    with the lists (e.g. a restriction added since the object was read).
    """
    if obj.pk is None:
        return False
    return _visible(type(obj), user, action).filter(pk=obj.pk).exists()


def visible_ids(model: type[models.Model], user, ids: Iterable, action: str = "view") -> set:
    """Which of `ids` (primary keys of `model`) `user` may see, in one query (none if no ids)."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return set()
    visible = _visible(model, user, action).filter(pk__in=wanted)
    return set(visible.values_list("pk", flat=True))


def _visible(model: type[models.Model], user, action: str) -> models.QuerySet:
    # The default manager, so a model's own queryset (its joins, its defaults) is the base.
    return model._default_manager.filter(visibility_rule_of(model, user=user, action=action))
