from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatuspageConfig(AppConfig):
    name = "servicedesk.statuspage"
    label = "statuspage"
    verbose_name = _("Status page")

    def ready(self):
        # Imported here, once the apps are loaded: these modules need the models.
        from servicedesk.core.maintenance import maintenance_listener_register
        from servicedesk.core.scheduler import periodic_register
        from servicedesk.notifications.topics import (
            SUBSCRIBERS,
            Topic,
            payload_register,
            topic_register,
        )
        from servicedesk.statuspage import panel, tasks
        from servicedesk.statuspage.cache import page_changed
        from servicedesk.statuspage.models import PublicIncident
        from servicedesk.tickets.panels import panel_register

        for name, label in (
            ("confirm", _("Status page: confirm a subscription")),
            ("incident_update", _("Status page: incident update")),
            ("maintenance", _("Status page: scheduled maintenance")),
        ):
            topic_register(
                Topic(
                    f"statuspage.{name}",
                    label,
                    f"statuspage/email/{name}.txt",
                    audience=SUBSCRIBERS,
                )
            )
        payload_register(PublicIncident, panel.incident_payload)
        panel_register("statuspage/desk/ticket_panel.html", panel.ticket_panel_context)
        periodic_register(tasks.subscribers_expire, every=lambda: 60 * 60)
        # Maintenance planned elsewhere (core.maintenance) changed: the cached page is stale.
        maintenance_listener_register(page_changed)
