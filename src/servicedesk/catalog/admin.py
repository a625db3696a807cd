"""The catalogue in the admin: each translated field is entered once per language."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from servicedesk.catalog.models import Category, ConfigurationItem, DiagnosticQuestion, Service


@admin.register(Service)
class ServiceAdmin(TranslationAdmin):
    list_display = ["name", "owner_group", "is_active"]
    list_filter = ["is_active", "owner_group"]
    search_fields = ["name_en", "name_ro"]


@admin.register(ConfigurationItem)
class ConfigurationItemAdmin(admin.ModelAdmin):
    list_display = ["name", "ci_type", "service", "is_active"]
    list_filter = ["ci_type", "is_active"]
    search_fields = ["name"]


class DiagnosticQuestionInline(TranslationTabularInline):
    model = DiagnosticQuestion
    extra = 1


@admin.register(Category)
class CategoryAdmin(TranslationAdmin):
    list_display = ["path", "default_group", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["name_en", "name_ro"]
    inlines = [DiagnosticQuestionInline]
