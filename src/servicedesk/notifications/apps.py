from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "servicedesk.notifications"
    label = "notifications"

    def ready(self):
        # Imported here, once the apps are loaded: the tasks module needs the models.
        from servicedesk.core.scheduler import periodic_register
        from servicedesk.notifications import tasks

        periodic_register(tasks.outbox_sweep, every=lambda: 60)
