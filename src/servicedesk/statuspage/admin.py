from django.contrib import admin

from servicedesk.statuspage.models import (
    Component,
    ComponentGroup,
    ComponentStatusChange,
    Maintenance,
    PublicIncident,
    Subscriber,
)


@admin.register(ComponentGroup)
class ComponentGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "name_ro", "position"]


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    """Components are added and arranged here; their status is published from the console."""

    list_display = ["name", "service", "group", "position", "status", "is_public"]
    list_filter = ["group", "status", "is_public"]
    readonly_fields = ["status", "created_at", "updated_at"]


@admin.register(ComponentStatusChange)
class ComponentStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "component", "previous", "status", "actor", "note"]
    list_filter = ["component", "status"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(PublicIncident)
class PublicIncidentAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "impact", "ticket", "created_at", "resolved_at"]
    list_filter = ["status", "impact"]
    readonly_fields = ["status", "ticket", "created_at", "monitoring_at", "resolved_at"]


@admin.register(Maintenance)
class MaintenanceAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "ends_at", "cancelled_at"]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "language", "all_components", "confirmed_at", "unsubscribed_at"]
    search_fields = ["email"]
    readonly_fields = ["created_at", "confirm_sent_at", "confirmed_at", "unsubscribed_at"]
