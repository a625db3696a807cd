from django.urls import path

from servicedesk.notifications import api, views

portal_urls = [
    path("settings/notifications/", views.portal_settings, name="portal-notification-settings"),
]
desk_urls = [
    path("desk/settings/notifications/", views.desk_settings, name="desk-notification-settings"),
]
api_urls = [
    path(
        "me/notification-preferences/",
        api.NotificationPreferencesView.as_view(),
        name="api-notification-preferences",
    ),
]
