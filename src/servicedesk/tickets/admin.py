from django.contrib import admin

from servicedesk.tickets.models import Ticket, TicketEvent
from servicedesk.tickets.priority import PriorityMatrixCell


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "type", "actor", "is_public", "body", "data"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: tickets change only through the lifecycle services (console and API)."""

    list_display = [
        "number",
        "title",
        "kind",
        "status",
        "priority",
        "assignment_group",
        "created_at",
    ]
    list_filter = ["kind", "status", "priority", "channel", "assignment_group"]
    search_fields = ["number", "title", "requester_name", "requester_email"]
    list_select_related = ["assignment_group"]
    inlines = [TicketEventInline]
    show_full_result_count = False

    def get_queryset(self, request):
        # Administrators are not exempt from the visibility rule (restricted tickets).
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(PriorityMatrixCell)
class PriorityMatrixCellAdmin(admin.ModelAdmin):
    list_display = ["impact", "urgency", "priority"]
