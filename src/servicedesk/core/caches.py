"""Reference data that every ticket logged or listed reads, cached across requests.

The priority matrix, support groups, categories, services, SLA policies and business calendars
change rarely (an admin edits them) and are read on every create and every ticket list. Each app
names the cache keys it keeps such data under with `reference_key()`; any write to a
`ReferenceDataModel` drops every registered key, when it happens and again when it commits. Keys
registered with `people=True` are also dropped when a person, a token or a group's members change
(`people_changed()`). The timeout bounds how long another process keeps a copy when the cache is
per process (LocMemCache without REDIS_URL). Core knows the mechanism, not the keys.

What names rows (a category's path, a group's name) is cached once per language, under
`LocalizedKey`: all of its keys are registered, so a write drops every language's copy.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.utils import translation

from servicedesk.core.i18n import SOURCE_LANGUAGE, active_language

TIMEOUT = 300
_reference_keys: set[str] = set()
_people_keys: set[str] = set()


def reference_key(key: str, *, people: bool = False) -> str:
    """Register `key` as cached reference data (also people data when `people`) and return it."""
    (_people_keys if people else _reference_keys).add(key)
    return key


class LocalizedKey:
    """A reference-data cache key per language of the site: `key:en`, `key:ro`, each registered."""

    def __init__(self, key: str, *, people: bool = False):
        self.by_language = {
            code: reference_key(f"{key}:{code}", people=people)
            for code, _name in settings.LANGUAGES
        }

    def current(self) -> str:
        """The key of the active language."""
        return self.by_language[active_language()]


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
        # A translated field keeps its plain column too (modeltranslation), written from the
        # active language: saved in the source language it always holds the English, so its
        # unique constraint compares names of one language whoever saves.
        with translation.override(SOURCE_LANGUAGE):
            super().save(*args, **kwargs)
        reference_data_changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        reference_data_changed()
        return result
