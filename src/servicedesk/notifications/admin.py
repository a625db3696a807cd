from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from servicedesk.notifications.models import OutboxMessage
from servicedesk.notifications.services import outbox_messages_retry


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["recipient", "subject", "dedup_key"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["send_now"]

    @admin.action(description=_("Send the selected unsent messages now"))
    def send_now(self, request, queryset):
        ids = list(queryset.exclude(status=OutboxMessage.Status.SENT).values_list("pk", flat=True))
        sent = outbox_messages_retry(message_ids=ids)
        level = messages.SUCCESS if sent == len(ids) else messages.WARNING
        self.message_user(
            request,
            ngettext(
                "%(sent)d of %(count)d message sent.",
                "%(sent)d of %(count)d messages sent.",
                len(ids),
            )
            % {"sent": sent, "count": len(ids)},
            level,
        )
