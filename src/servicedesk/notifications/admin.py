from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from servicedesk.notifications.models import OutboxMessage, WebhookEndpoint
from servicedesk.notifications.services import outbox_messages_retry
from servicedesk.notifications.signing import webhook_secret_check, webhook_secret_new
from servicedesk.notifications.topics import topic_choices


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "destination",
        "title",
        "status",
        "attempts",
        "sent_at",
        # Why a message is still pending or dead, seen without opening each one.
        "last_error",
    ]
    list_filter = ["status", "channel", "topic"]
    search_fields = ["destination", "title", "dedup_key", "message_id"]
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


class WebhookEndpointForm(forms.ModelForm):
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The events sent to this endpoint."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=100,
        help_text=_("Left empty, a new secret is made. The receiver verifies signatures with it."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "topics", "secret", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = topic_choices()

    def clean_secret(self):
        secret = self.cleaned_data["secret"].strip()
        if secret and not secret.startswith("whsec_"):
            raise forms.ValidationError(_("A signing secret starts with whsec_."))
        if secret:
            try:
                webhook_secret_check(secret)
            except ValueError as error:
                raise forms.ValidationError(
                    _("A signing secret is whsec_ followed by base64.")
                ) from error
        return secret or (self.instance.secret if self.instance.pk else "") or webhook_secret_new()


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "is_active", "created_at"]
