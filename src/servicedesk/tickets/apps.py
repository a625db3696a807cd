from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "servicedesk.tickets"
    label = "tickets"
    verbose_name = "Tickets"

    def ready(self):
        # Imported here, once the apps are loaded: these modules need the models.
        from servicedesk.core.due import due_register
        from servicedesk.core.scheduler import periodic_register
        from servicedesk.sla.models import SlaClock
        from servicedesk.tickets import tasks
        from servicedesk.tickets.services import service_levels

        # SLA clocks are handled here, not in sla: a breach may escalate the ticket, and the
        # escalation is a ticket service, above sla in the layers.
        due_register(
            SlaClock,
            handler=service_levels.sla_clock_due,
            select_related=service_levels.SLA_CLOCK_DUE_RELATED,
        )
        periodic_register(tasks.tickets_auto_close, every=lambda: 15 * 60)
