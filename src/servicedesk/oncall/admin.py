from django.contrib import admin

from servicedesk.oncall.models import (
    ContactMethod,
    Escalation,
    EscalationLevel,
    EscalationPolicy,
    LayerParticipant,
    NotificationRule,
    Page,
    Schedule,
    ScheduleLayer,
    ScheduleOverride,
)


class LayerInline(admin.StackedInline):
    model = ScheduleLayer
    extra = 0


class OverrideInline(admin.TabularInline):
    model = ScheduleOverride
    extra = 0


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone"]
    inlines = [LayerInline, OverrideInline]


class ParticipantInline(admin.TabularInline):
    model = LayerParticipant
    extra = 0


@admin.register(ScheduleLayer)
class ScheduleLayerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "level", "rotation", "start", "handoff"]
    inlines = [ParticipantInline]


class LevelInline(admin.StackedInline):
    model = EscalationLevel
    extra = 0
    filter_horizontal = ["people", "schedules", "groups"]


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "support_group", "service", "repeat", "is_active"]
    inlines = [LevelInline]


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["ticket", "state", "level", "repeat", "started_at", "next_check_at"]
    list_filter = ["state"]
    raw_id_fields = ["ticket", "acknowledged_by"]


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["ticket", "person", "level", "repeat", "created_at", "acknowledged_at"]
    raw_id_fields = ["ticket", "person", "escalation"]
    exclude = ["token"]


class RuleInline(admin.TabularInline):
    model = NotificationRule
    extra = 0


@admin.register(ContactMethod)
class ContactMethodAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "address", "endpoint"]
    inlines = [RuleInline]
