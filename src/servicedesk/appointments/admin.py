from django.contrib import admin

from servicedesk.appointments.models import Session


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["ticket", "kind", "starts_at", "status", "organizer", "requester", "sequence"]
    list_filter = ["status", "kind"]
    search_fields = ["ticket__number", "uid"]
    raw_id_fields = ["ticket", "organizer", "requester"]
    readonly_fields = ["uid", "sequence", "reminded_at", "next_check_at"]
