from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "servicedesk.sla"
    label = "sla"
    verbose_name = "Service levels"

    def ready(self):
        # Imported here, once the apps are loaded: the topics need the app registry.
        from servicedesk.notifications.topics import Topic, topic_register

        # For the desk's staff (the default audience of a topic).
        topic_register(Topic("sla.warning", _("Service level warning"), "sla/email/warning.txt"))
        topic_register(Topic("sla.breach", _("Service level breached"), "sla/email/breach.txt"))
