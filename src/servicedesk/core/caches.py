"""Reference data that every ticket logged or listed reads, cached across requests.

The priority matrix, support groups, categories, services, SLA policies and business calendars
change rarely (an admin edits them) and are read on every create and every ticket list. Each app
names the cache keys it keeps such data under with `reference_key()`; any write to a
`ReferenceDataModel` drops every registered key, when it happens and again when it commits. Keys
registered with `people=True` are also dropped when a person, a token or a group's members change
(`people_changed()`). The timeout bounds how long another process keeps a copy when the cache is
per process (LocMemCache without REDIS_URL). Core knows the mechanism, not the keys.
"""

from django.core.cache import cache
from django.db import models, transaction

TIMEOUT = 300
_reference_keys: set[str] = set()
_people_keys: set[str] = set()


def reference_key(key: str, *, people: bool = False) -> str:
    """Register `key` as cached reference data (also people data when `people`) and return it."""
    (_people_keys if people else _reference_keys).add(key)
    return key


def _drop(keys: list[str]) -> None:
    cache.delete_many(keys)
    # Again once the change is committed: until then another process still reads the old rows,
    # and may have cached them again in between.
    transaction.on_commit(lambda: cache.delete_many(keys))


def reference_data_changed() -> None:
    # People keys too: a group's manager, tier or members may have changed.
    _drop(sorted(_reference_keys | _people_keys))


def people_changed() -> None:
    """A person, a token or a group's members changed: cached people data is stale."""
    _drop(sorted(_people_keys))


class ReferenceDataQuerySet(models.QuerySet):
    # Bulk edits (the admin's "delete selected") bypass the model's save() and delete().
    def update(self, **kwargs):
        result = super().update(**kwargs)
        reference_data_changed()
        return result

    def delete(self):
        result = super().delete()
        reference_data_changed()
        return result


class ReferenceDataModel(models.Model):
    """A model whose rows are cached reference data: any write drops the cached copies."""

    objects = ReferenceDataQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        reference_data_changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        reference_data_changed()
        return result
