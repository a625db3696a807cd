from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OncallConfig(AppConfig):
    name = "servicedesk.oncall"
    label = "oncall"
    verbose_name = _("On call")

    def ready(self):
        # Imported here, once the apps are loaded: these modules need the models.
        from servicedesk.core.due import due_register
        from servicedesk.notifications.topics import Topic, payload_register, topic_register
        from servicedesk.oncall import panel, services
        from servicedesk.oncall.models import Escalation, Page
        from servicedesk.tickets.events import event_observer_register
        from servicedesk.tickets.models import TicketEvent
        from servicedesk.tickets.panels import panel_register

        T = TicketEvent.Type
        topic_register(
            Topic(services.TOPIC, _("On call: a page"), "oncall/email/page.txt", mandatory=True)
        )
        payload_register(Page, panel.page_payload)
        event_observer_register(
            [T.CREATED, T.ESCALATED, T.CHANGED, T.STATUS, T.NOTE], services.ticket_event_observed
        )
        due_register(
            Escalation,
            handler=services.escalation_due,
            batch_handler=services.escalations_due,
            # A flood of incidents pages thousands at once: fewer, larger batches.
            batch=1000,
        )
        due_register(
            Page,
            handler=services.page_due,
            batch_handler=services.pages_due,
            select_related=("person", "escalation"),
        )
        panel_register("oncall/desk/ticket_panel.html", panel.ticket_panel_context)
