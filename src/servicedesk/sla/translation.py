"""SLA policies' and business calendars' names in every language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from servicedesk.sla.models import BusinessCalendar, SlaPolicy


@register(SlaPolicy)
class SlaPolicyTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)


@register(BusinessCalendar)
class BusinessCalendarTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)
    empty_values = {"name": None}
