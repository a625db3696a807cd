from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "servicedesk.notifications"
    label = "notifications"
