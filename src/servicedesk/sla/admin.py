from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from servicedesk.sla.models import BusinessCalendar, Closure, OpeningInterval, SlaPolicy


class OpeningIntervalInline(admin.TabularInline):
    model = OpeningInterval
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(TranslationAdmin):
    list_display = ["name", "time_zone", "always_open", "holiday_country"]
    inlines = [OpeningIntervalInline, ClosureInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(TranslationAdmin):
    list_display = [
        "name",
        "priority",
        "kind",
        "service",
        "category",
        "response_minutes",
        "resolution_minutes",
        "calendar",
        "breach_action",
        "is_active",
    ]
    list_filter = ["priority", "is_active", "calendar"]
