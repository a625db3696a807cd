"""What a ticket can be about, in every language of the site (django-modeltranslation).

Each translated field gets a column per language (`name_en`, `name_ro`); the plain attribute
reads the active language's, falling back to English, the source. A choice question's choices
are a list per language, in the same order: the answer is kept as the person picked it.
"""

from modeltranslation.translator import TranslationOptions, register

from servicedesk.catalog.models import Category, DiagnosticQuestion, Service


@register(Service)
class ServiceTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)
    empty_values = {"name": None}


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)
    empty_values = {"name": None}


@register(DiagnosticQuestion)
class DiagnosticQuestionTranslation(TranslationOptions):
    fields = ("text", "help_text", "choices")
    required_languages = {"en": ("text",)}
