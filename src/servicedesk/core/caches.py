"""Reference data that every ticket logged or listed reads, cached across requests.

The priority matrix, support groups, categories, SLA policies and business calendars change
rarely (an admin edits them) and are read on every create and every ticket list. Any change to
one of them drops every key below, through the models' save() and delete() and their querysets'
update() and delete(), when it happens and again when it commits; the timeout bounds how long
another process keeps a copy when the cache is per process (LocMemCache without REDIS_URL).
"""

from django.core.cache import cache
from django.db import models, transaction

TIMEOUT = 300
PRIORITY_MATRIX_KEY = "tickets:priority-matrix"
SLA_POLICIES_KEY = "sla:active-policies"
DEFAULT_GROUP_KEY = "tickets:default-group"
GROUP_LABELS_KEY = "accounts:group-labels"
CATEGORY_PATHS_KEY = "catalog:category-paths"
# Cached API token owners (accounts/authentication.py) are valid only under this version.
PEOPLE_VERSION_KEY = "accounts:people-version"


def _drop(keys: list[str]) -> None:
    cache.delete_many(keys)
    # Again once the change is committed: until then another process still reads the old rows,
    # and may have cached them again in between.
    transaction.on_commit(lambda: cache.delete_many(keys))


def reference_data_changed() -> None:
    _drop(
        [
            PRIORITY_MATRIX_KEY,
            SLA_POLICIES_KEY,
            DEFAULT_GROUP_KEY,
            GROUP_LABELS_KEY,
            CATEGORY_PATHS_KEY,
            PEOPLE_VERSION_KEY,  # a group's manager or tier may have changed
        ]
    )


def people_changed() -> None:
    """A person, a token or a group's members changed: cached token owners are stale."""
    _drop([PEOPLE_VERSION_KEY])


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
