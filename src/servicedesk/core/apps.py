from django.apps import AppConfig
from django.conf import settings
from django.urls import register_converter

from servicedesk.core.converters import IdConverter


class CoreConfig(AppConfig):
    name = "servicedesk.core"
    label = "core"

    # Before any URLconf is read: every app's routes name their ids `<id:…>`.
    register_converter(IdConverter, "id")

    def ready(self):
        # Imported here, once the apps are loaded: the tasks module needs the models.
        from servicedesk.core import tasks
        from servicedesk.core.scheduler import periodic_register

        periodic_register(tasks.due_sweep, every=lambda: settings.SERVICEDESK_SWEEP_SECONDS)
