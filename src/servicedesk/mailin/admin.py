from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from servicedesk.mailin.models import InboundMessage, Mailbox
from servicedesk.mailin.services import inbound_retry, mailbox_poll


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Stored in the database. Prefer a password variable; left empty, the stored "
            "password is kept."
        ),
    )
    clear_password = forms.BooleanField(label=_("Forget the stored password"), required=False)

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "address",
            "kind",
            "purpose",
            "integration_ref",
            "is_active",
            "accept_new_requesters",
            "group",
            "category",
            "host",
            "port",
            "use_tls",
            "username",
            "password_env",
            "password",
            "folder",
            "done_folder",
            "path",
            "poll_seconds",
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Mailbox.Kind.IMAP:
            for field in ("host", "username"):
                if not data.get(field):
                    self.add_error(field, _("An IMAP mailbox needs this."))
        if kind == Mailbox.Kind.MAILDIR and not data.get("path"):
            self.add_error("path", _("A Maildir mailbox needs its path."))
        return data

    def save(self, commit=True):
        mailbox = super().save(commit=False)
        if self.cleaned_data.get("clear_password"):
            mailbox.password = ""
        elif not self.cleaned_data.get("password") and self.instance.pk:
            mailbox.password = Mailbox.objects.get(pk=self.instance.pk).password
        if commit:
            mailbox.save()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["name", "address", "kind", "is_active", "group", "last_polled_at", "last_error"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "address"]
    readonly_fields = ["last_polled_at", "last_error"]
    actions = ["poll_now"]

    @admin.action(description=_("Poll the selected mailboxes now"))
    def poll_now(self, request, queryset):
        for mailbox in queryset.exclude(kind=Mailbox.Kind.PIPE):
            result = mailbox_poll(mailbox_id=mailbox.pk, force=True)
            if result is None:
                continue
            if result.error:
                self.message_user(request, f"{result.mailbox}: {result.error}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(mailbox)s: %(stored)d new of %(seen)d taken.")
                    % {"mailbox": result.mailbox, "stored": result.stored, "seen": result.seen},
                )


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "mailbox",
        "from_address",
        "subject",
        "status",
        "outcome",
        "ticket",
        # Why it failed or was ignored, seen without opening each one.
        "reason",
    ]
    list_filter = ["status", "outcome", "mailbox"]
    search_fields = ["from_address", "subject", "message_id"]
    list_select_related = ["mailbox", "ticket"]
    exclude = ["raw"]
    readonly_fields = [
        f.name for f in InboundMessage._meta.fields if f.name not in {"raw", "id"}
    ] + ["raw_download"]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("raw", "full_text")

    def get_urls(self):
        return [
            path(
                "<id:pk>/raw/",
                self.admin_site.admin_view(self.raw_view),
                name="mailin_inboundmessage_raw",
            ),
            *super().get_urls(),
        ]

    def raw_view(self, request, pk):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        message = get_object_or_404(InboundMessage, pk=pk)
        response = HttpResponse(bytes(message.raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
        return response

    @admin.display(description=_("Raw message"))
    def raw_download(self, obj):
        url = reverse("admin:mailin_inboundmessage_raw", args=[obj.pk])
        return format_html('<a href="{}">{}</a> ({} B)', url, _("Download (.eml)"), obj.size)

    @admin.action(description=_("Process the selected messages again"))
    def retry(self, request, queryset):
        ids = list(
            queryset.exclude(status=InboundMessage.Status.PROCESSED).values_list("pk", flat=True)
        )
        done = inbound_retry(message_ids=ids)
        level = messages.SUCCESS if done == len(ids) else messages.WARNING
        self.message_user(
            request,
            ngettext(
                "%(done)d of %(count)d message processed.",
                "%(done)d of %(count)d messages processed.",
                len(ids),
            )
            % {"done": done, "count": len(ids)},
            level,
        )
