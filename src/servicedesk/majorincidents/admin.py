from django.contrib import admin

from servicedesk.majorincidents.models import ActionItem, MajorIncident, Review


@admin.register(MajorIncident)
class MajorIncidentAdmin(admin.ModelAdmin):
    list_display = ["ticket", "status", "declared_at", "last_update_at", "resolved_at"]
    list_filter = ["status"]
    raw_id_fields = ["ticket", "declared_by", "resolved_by"]
    readonly_fields = ["next_check_at"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["major", "created_at", "resolved_at"]
    raw_id_fields = ["major"]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "due_date", "done_at"]
    raw_id_fields = ["review", "owner", "created_by", "done_by"]
