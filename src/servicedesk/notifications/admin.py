from django.contrib import admin

from servicedesk.notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["recipient", "subject", "dedup_key"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
