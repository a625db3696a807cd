from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "servicedesk.sla"
    label = "sla"
    verbose_name = "Service levels"

    def ready(self):
        # Imported here, once the apps are loaded: the tasks module needs the models.
        from servicedesk.core.scheduler import periodic_register
        from servicedesk.notifications.topics import Topic, topic_register
        from servicedesk.sla import tasks

        topic_register(Topic("sla.warning", _("Service level warning"), "sla/email/warning.txt"))
        topic_register(Topic("sla.breach", _("Service level breached"), "sla/email/breach.txt"))

        periodic_register(tasks.sla_sweep, every=lambda: settings.SERVICEDESK_SWEEP_SECONDS)
        periodic_register(tasks.tickets_auto_close, every=lambda: 15 * 60)
