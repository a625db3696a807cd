"""Support groups' names and descriptions in every language of the site (django-modeltranslation).

`group.name` reads the active language's column, falling back to English, the source.
"""

from modeltranslation.translator import TranslationOptions, register

from servicedesk.accounts.models import SupportGroup


@register(SupportGroup)
class SupportGroupTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)
    # A name left empty is NULL, not "": the unique Romanian column then holds only real names.
    empty_values = {"name": None}
