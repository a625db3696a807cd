from django.urls import path

from servicedesk.oncall import api, views

# The console: /desk/oncall/…
desk_urls = [
    path("", views.schedules_page, name="desk-oncall"),
    path("schedules/new/", views.schedule_edit, name="desk-oncall-schedule-new"),
    path("schedules/<id:pk>/", views.schedule_page, name="desk-oncall-schedule"),
    path("schedules/<id:pk>/edit/", views.schedule_edit, name="desk-oncall-schedule-edit"),
    path("schedules/<id:pk>/layers/new/", views.layer_edit, name="desk-oncall-layer-new"),
    path("schedules/<id:pk>/layers/<id:layer_pk>/", views.layer_edit, name="desk-oncall-layer"),
    path(
        "schedules/<id:pk>/layers/<id:layer_pk>/remove/",
        views.layer_remove,
        name="desk-oncall-layer-remove",
    ),
    path(
        "schedules/<id:pk>/layers/<id:layer_pk>/people/",
        views.participant_add,
        name="desk-oncall-participant-add",
    ),
    path(
        "schedules/<id:pk>/layers/<id:layer_pk>/people/<id:participant_pk>/",
        views.participant_change,
        name="desk-oncall-participant",
    ),
    path("schedules/<id:pk>/overrides/", views.override_add, name="desk-oncall-override-add"),
    path(
        "schedules/<id:pk>/overrides/<id:override_pk>/remove/",
        views.override_remove,
        name="desk-oncall-override-remove",
    ),
    path("people/<str:username>/", views.person_page, name="desk-oncall-person"),
    path("policies/", views.policies_page, name="desk-oncall-policies"),
    path("policies/new/", views.policy_edit, name="desk-oncall-policy-new"),
    path("policies/<id:pk>/", views.policy_edit, name="desk-oncall-policy"),
    path("policies/<id:pk>/levels/", views.policy_level_add, name="desk-oncall-level-add"),
    path(
        "policies/<id:pk>/levels/<id:level_pk>/remove/",
        views.policy_level_remove,
        name="desk-oncall-level-remove",
    ),
    path("pages/", views.pages_page, name="desk-oncall-pages"),
    path("pages/<id:pk>/acknowledge/", views.page_acknowledge, name="desk-oncall-page-ack"),
    path("me/", views.me_page, name="desk-oncall-me"),
    path("me/methods/", views.me_method_add, name="desk-oncall-method-add"),
    path("me/methods/<id:pk>/remove/", views.me_method_remove, name="desk-oncall-method-remove"),
    path("me/rules/", views.me_rule_add, name="desk-oncall-rule-add"),
    path("me/rules/<id:pk>/remove/", views.me_rule_remove, name="desk-oncall-rule-remove"),
    path("me/feed/rotate/", views.me_feed_rotate, name="desk-oncall-feed-rotate"),
]

# No session: /oncall/…
public_urls = [
    path("ack/<str:signed>/", views.acknowledge_link, name="oncall-ack"),
    path("feed/<str:token>.ics", views.calendar_feed, name="oncall-feed"),
]

# The desk's API: /api/oncall/…
api_urls = [
    path("now/", api.OnCallView.as_view(), name="api-oncall-now"),
    path("schedules/", api.ScheduleListView.as_view(), name="api-oncall-schedules"),
    path("schedules/<id:pk>/shifts/", api.ShiftListView.as_view(), name="api-oncall-shifts"),
    path(
        "schedules/<id:pk>/overrides/",
        api.OverrideListView.as_view(),
        name="api-oncall-overrides",
    ),
    path(
        "schedules/<id:pk>/overrides/<id:override_pk>/",
        api.OverrideView.as_view(),
        name="api-oncall-override",
    ),
    path("policies/", api.PolicyListView.as_view(), name="api-oncall-policies"),
    path("pages/", api.PageListView.as_view(), name="api-oncall-pages"),
    path(
        "pages/<id:pk>/acknowledge/",
        api.PageAcknowledgeView.as_view(),
        name="api-oncall-page-ack",
    ),
]
