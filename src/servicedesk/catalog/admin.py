from django.contrib import admin

from servicedesk.catalog.models import Category, ConfigurationItem, DiagnosticQuestion, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "owner_group", "is_active"]
    list_filter = ["is_active", "owner_group"]
    search_fields = ["name"]


@admin.register(ConfigurationItem)
class ConfigurationItemAdmin(admin.ModelAdmin):
    list_display = ["name", "ci_type", "service", "is_active"]
    list_filter = ["ci_type", "is_active"]
    search_fields = ["name"]


class DiagnosticQuestionInline(admin.TabularInline):
    model = DiagnosticQuestion
    extra = 1


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["path", "default_group", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["name"]
    inlines = [DiagnosticQuestionInline]
