from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "servicedesk.alerts"
    label = "alerts"
    verbose_name = _("Monitoring alerts")

    def ready(self):
        # Imported here, once the apps are loaded: these modules need the models.
        from servicedesk.alerts import tasks
        from servicedesk.alerts.models import AlertFlap, MaintenanceWindow
        from servicedesk.alerts.selectors import (
            public_maintenance,
            surge_ticket_panel,
            ticket_alerts_panel,
        )
        from servicedesk.alerts.services import flapping, maintenance
        from servicedesk.alerts.services.email import PURPOSE, email_alert_receive
        from servicedesk.alerts.services.surge import TOPIC as SURGE_TOPIC
        from servicedesk.alerts.services.surge import surge_ticket_created
        from servicedesk.core.due import due_register
        from servicedesk.core.mailboxes import mailbox_handler_register
        from servicedesk.core.maintenance import maintenance_source_register
        from servicedesk.core.scheduler import periodic_register
        from servicedesk.notifications.topics import Topic, topic_register
        from servicedesk.tickets.events import event_observer_register
        from servicedesk.tickets.models import TicketEvent
        from servicedesk.tickets.panels import panel_register

        topic_register(
            Topic(
                "alerts.cleared", _("All alerts of an incident cleared"), "alerts/email/cleared.txt"
            )
        )
        topic_register(
            Topic(
                "alerts.settled",
                _("A flapping alert is stable again"),
                "alerts/email/settled.txt",
            )
        )
        panel_register("alerts/ticket_panel.html", ticket_alerts_panel)
        # Surge detection: every ticket logged is weighed, inside the transaction that logs it.
        topic_register(
            Topic(SURGE_TOPIC, _("Possible outage (surge of tickets)"), "alerts/email/surge.txt")
        )
        event_observer_register([TicketEvent.Type.CREATED], surge_ticket_created)
        panel_register("alerts/surge_panel.html", surge_ticket_panel)
        # The email integration: mail of alerts mailboxes (mail intake stores it raw first).
        mailbox_handler_register(PURPOSE, email_alert_receive)
        # A flapping key is stable again after its hold-down: the catch-up.
        due_register(
            AlertFlap, handler=flapping.flap_settle, select_related=flapping.FLAP_DUE_RELATED
        )
        # An occurrence of a maintenance window ends: the alerts still firing are released.
        due_register(MaintenanceWindow, handler=maintenance.maintenance_window_check)
        # Public windows show on the status page (which reads them through core.maintenance).
        maintenance_source_register(public_maintenance)
        # After-commit runs do the work; the sweep picks up what a dead worker left.
        periodic_register(tasks.alerts_process, every=lambda: 60)
