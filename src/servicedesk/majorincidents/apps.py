from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MajorIncidentsConfig(AppConfig):
    name = "servicedesk.majorincidents"
    label = "majorincidents"
    verbose_name = _("Major incidents")

    def ready(self):
        # Imported here, once the apps are loaded: these modules need the models.
        from servicedesk.core.due import due_register
        from servicedesk.majorincidents import panel, services
        from servicedesk.majorincidents.models import MajorIncident
        from servicedesk.notifications.topics import (
            REQUESTER,
            STAFF,
            Topic,
            payload_register,
            summary_register,
            topic_register,
        )
        from servicedesk.tickets.events import event_observer_register
        from servicedesk.tickets.models import TicketEvent
        from servicedesk.tickets.panels import panel_register

        topic_register(
            Topic(
                "major.update",
                _("Major incident: public update"),
                "majorincidents/email/update.txt",
                audience=REQUESTER,
            )
        )
        topic_register(
            Topic(
                "major.reminder",
                _("Major incident: no public update for a while"),
                "majorincidents/email/reminder.txt",
                audience=STAFF,
            )
        )
        payload_register(MajorIncident, panel.major_payload)
        summary_register(MajorIncident, panel.major_summary)
        panel_register("majorincidents/desk/ticket_panel.html", panel.ticket_panel_context)
        due_register(MajorIncident, handler=services.major_reminder_due, select_related=["ticket"])
        event_observer_register([TicketEvent.Type.STATUS], services.major_ticket_resolved)
