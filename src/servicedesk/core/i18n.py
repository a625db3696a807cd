"""Reference data in the reader's language: the one language rule for rows, keys and joins.

Catalogue, support groups and SLA policies have a column per language for what people read
(`name_en`, `name_ro`, registered in each app's translation.py with django-modeltranslation).
On those models' own instances and querysets the plain name (`category.name`, `values("name")`)
already reads the active language, falling back to English. Two things it cannot do are here:
name the active language the same way for a cache key, and read a translated field through a
join from a model that is not translated itself (a ticket's `category__name`).
"""

import unicodedata

from django.conf import settings
from django.db.models import F, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from modeltranslation.utils import get_language

SOURCE_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def active_language() -> str:
    """The active language as one of settings.LANGUAGES ("ro" for "ro-RO"), else English."""
    return get_language()


def localized(path: str):
    """The translated field at `path` ("category__parent__name") in the active language, else
    English: an expression for values(), values_list() and order_by()."""
    language = active_language()
    source = F(f"{path}_{SOURCE_LANGUAGE}")
    if language == SOURCE_LANGUAGE:
        return source
    # An empty translation reads as none, as on the models themselves.
    return Coalesce(NullIf(F(f"{path}_{language}"), Value("")), source, output_field=TextField())


def sort_key(text: str) -> str:
    """How names sort in a list whatever their language: "Rețea" beside "Retur", not after "Z"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
