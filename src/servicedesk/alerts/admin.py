"""The integration admin page: made here, its key shown once, rotated by an action; with a
ready `curl`, the last events received, counts and errors."""

import json

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from servicedesk.alerts import selectors, services
from servicedesk.alerts.forms import MaintenanceWindowForm
from servicedesk.alerts.models import (
    Alert,
    Integration,
    MaintenanceWindow,
    RawEvent,
    Source,
    Surge,
    SurgeRule,
)
from servicedesk.alerts.sources.registry import SOURCES


def curl_example(integration: Integration, *, key: str = "ROUTING_KEY", site: str = "") -> str:
    spec = SOURCES[integration.source]
    if integration.source == Source.EMAIL:
        return _(
            "Mail intake: an Email in mailbox of purpose “alerts” whose integration is “%(name)s”."
        ) % {"name": integration.name}
    body = spec.example.replace("{key}", key)
    url = (
        f"{site}/v2/enqueue"
        if spec.key_in_body
        else f"{site}/api/alerts/{integration.source}/{key}/"
    )
    return f"curl -sS -X POST '{url}' -H 'Content-Type: application/json' \\\n  --data '{body}'"


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "service", "assignment_group", "is_active", "key_hint"]
    list_filter = ["source", "is_active"]
    search_fields = ["name"]
    actions = ["rotate_key"]
    readonly_fields = ["key_hint", "statistics", "curl", "recent_events"]
    fields = [
        "name",
        "source",
        "service",
        "assignment_group",
        "severity_map",
        "auto_resolve",
        "page_on_call",
        "correlation_window",
        "correlation_labels",
        "rate_limit",
        "flap_changes",
        "flap_window",
        "flap_hold",
        "is_active",
        "key_hint",
        "statistics",
        "curl",
        "recent_events",
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        return [*fields, "source"] if obj else fields

    def save_model(self, request, obj, form, change):
        if change:
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            services.integration_update(integration=obj, **changed)
            return
        integration, key = services.integration_create(
            name=obj.name,
            source=obj.source,
            service=obj.service,
            assignment_group=obj.assignment_group,
            auto_resolve=obj.auto_resolve,
            page_on_call=obj.page_on_call,
            severity_map=obj.severity_map,
            correlation_labels=obj.correlation_labels,
            correlation_window=obj.correlation_window,
            rate_limit=obj.rate_limit,
            flap_changes=obj.flap_changes,
            flap_window=obj.flap_window,
            flap_hold=obj.flap_hold,
        )
        obj.pk = integration.pk
        messages.warning(
            request,
            _("The routing key of %(name)s is %(key)s. Copy it now: it is not shown again.")
            % {"name": integration.name, "key": key},
        )

    @admin.action(description=_("Rotate the routing key (the old one stops working)"))
    def rotate_key(self, request, queryset):
        for integration in queryset:
            key = services.integration_rotate_key(integration=integration)
            messages.warning(
                request,
                _("The new routing key of %(name)s is %(key)s. Copy it now: it is not shown again.")
                % {"name": integration.name, "key": key},
            )

    @admin.display(description=_("Counts"))
    def statistics(self, obj):
        if not obj.pk:
            return "—"
        stats = selectors.integration_stats(integration=obj)
        return format_html(
            "{}: {} · {}: {} · {}: {} · {}: {} / {} · {}: {}",
            _("events"),
            stats.events,
            _("waiting"),
            stats.pending,
            _("failed"),
            stats.failed,
            _("alerts open"),
            stats.alerts_open,
            stats.alerts_total,
            _("last event"),
            timezone.localtime(stats.last_event_at) if stats.last_event_at else "—",
        )

    @admin.display(description=_("Try it"))
    def curl(self, obj):
        if not obj.pk:
            return "—"
        return format_html("<pre>{}</pre>", curl_example(obj))

    @admin.display(description=_("Last events"))
    def recent_events(self, obj):
        if not obj.pk:
            return "—"
        events = selectors.integration_recent_events(integration=obj)
        if not events:
            return _("None yet.")
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("received"),
            _("state"),
            _("changes"),
            _("error"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                (
                    (
                        timezone.localtime(e.received_at),
                        _("failed")
                        if e.failed_at
                        else (_("processed") if e.processed_at else _("waiting")),
                        json.dumps([(i["action"], i["key"]) for i in e.items])[:300],
                        e.error[:300],
                    )
                    for e in events
                ),
            ),
        )


@admin.register(RawEvent)
class RawEventAdmin(admin.ModelAdmin):
    list_display = ["id", "integration", "received_at", "processed_at", "failed_at"]
    list_filter = ["integration"]
    readonly_fields = ["integration", "received_at", "body", "items", "processed_at", "error"]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Process the failed events again"))
    def retry(self, request, queryset):
        count = services.raw_events_retry(event_ids=list(queryset.values_list("pk", flat=True)))
        messages.info(request, _("%(n)d events will be processed again.") % {"n": count})


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["dedup_key", "integration", "status", "severity", "count", "last_seen_at"]
    list_filter = ["status", "severity", "integration"]
    search_fields = ["dedup_key", "summary"]
    readonly_fields = [f.name for f in Alert._meta.fields]

    def has_add_permission(self, request):
        return False


# ---------------------------------------------------------------------------------------------
# Surge detection


@admin.register(SurgeRule)
class SurgeRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "service", "category", "threshold", "window_minutes", "mode"]
    list_filter = ["mode", "is_active"]

    def save_model(self, request, obj, form, change):
        # The form checked the scope (the model's constraints); the service checks it again.
        services.surge_rule_save(rule=obj)


@admin.register(Surge)
class SurgeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "detected_at", "incident", "decided_by"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Surge._meta.fields] + ["tickets"]

    def has_add_permission(self, request):
        return False


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    """Windows are made, changed and removed through the services (alerts they no longer cover
    are released; the status page hears of public ones)."""

    form = MaintenanceWindowForm
    list_display = ["title", "service", "configuration_item", "starts_at", "rrule", "is_public"]
    list_filter = ["is_active", "is_public"]
    search_fields = ["title"]

    def save_model(self, request, obj, form, change):
        values = form.values()
        if change:
            saved = services.maintenance_window_update(window=obj, **values)
        else:
            saved = services.maintenance_window_create(actor=request.user, **values)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.maintenance_window_delete(window=obj)

    def delete_queryset(self, request, queryset):
        for window in queryset:
            services.maintenance_window_delete(window=window)
