from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from servicedesk.notifications.chat_check import chat_channel_test_send
from servicedesk.notifications.http import DeliveryFailed, TargetRefused, target_check
from servicedesk.notifications.models import (
    ChatChannel,
    NotificationPreference,
    OutboxMessage,
    WebhookEndpoint,
)
from servicedesk.notifications.services import outbox_messages_retry
from servicedesk.notifications.signing import webhook_secret_check, webhook_secret_new
from servicedesk.notifications.topics import fact_choices, topic_choices


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


class ChatChannelForm(forms.ModelForm):
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The events posted to this channel."),
    )
    priorities = forms.MultipleChoiceField(
        label=_("Priorities"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only events of these priorities; none selected means all priorities."),
    )

    class Meta:
        model = ChatChannel
        fields = [
            "name",
            "kind",
            "webhook_url",
            "topics",
            "groups",
            "priorities",
            "language",
            "is_active",
        ]
        widgets = {"groups": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = topic_choices()
        self.fields["priorities"].choices = fact_choices("priority")

    def clean_webhook_url(self):
        url = self.cleaned_data["webhook_url"]
        try:
            target_check(url, allowed=settings.SERVICEDESK_WEBHOOK_ALLOWED_TARGETS)
        except TargetRefused as error:
            raise forms.ValidationError(
                _("The desk may not post to this address: %(reason)s") % {"reason": error}
            ) from error
        except DeliveryFailed:
            pass  # a host that does not resolve now may later; delivery reports it
        return url


@admin.register(ChatChannel)
class ChatChannelAdmin(admin.ModelAdmin):
    form = ChatChannelForm
    list_display = ["name", "kind", "masked_url", "language", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    actions = ["send_test"]

    @admin.display(description=_("incoming webhook URL"))
    def masked_url(self, channel):
        """Whoever has the URL can post to the channel: the list shows only its host."""
        return f"{urlsplit(channel.webhook_url).hostname or ''}/…"

    @admin.action(description=_("Send a test message to the selected channels"))
    def send_test(self, request, queryset):
        for channel in queryset:
            message = chat_channel_test_send(channel=channel)
            if message.status == OutboxMessage.Status.SENT:
                self.message_user(
                    request,
                    _("%(channel)s: the test message was sent.") % {"channel": channel},
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    _("%(channel)s: the test message was not sent: %(error)s")
                    % {"channel": channel, "error": message.last_error},
                    messages.ERROR,
                )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """What people turned off, for an administrator answering "why did I get no email?"."""

    list_display = ["person", "topic", "channel", "enabled", "updated_at"]
    list_filter = ["channel", "topic", "enabled"]
    search_fields = ["person__username", "person__email"]
    raw_id_fields = ["person"]
