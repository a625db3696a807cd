from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from modeltranslation.admin import TranslationAdmin

from servicedesk.accounts.models import SupportGroup, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active", "language"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Service desk", {"fields": ("role", "phone", "language", "time_zone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Service desk", {"fields": ("email", "first_name", "last_name", "role")}),
    )


@admin.register(SupportGroup)
class SupportGroupAdmin(TranslationAdmin):
    """Names and descriptions are entered in each language (translation.py)."""

    list_display = ["name", "tier", "manager", "email", "language", "is_active"]
    list_filter = ["tier", "is_active"]
    filter_horizontal = ["members"]
    search_fields = ["name_en", "name_ro"]
