from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "servicedesk.tickets"
    label = "tickets"
    verbose_name = "Tickets"

    def ready(self):
        # Imported here, once the apps are loaded: these modules need the models.
        from servicedesk.notifications.topics import (
            REQUESTER,
            STAFF,
            Topic,
            facts_register,
            payload_register,
            summary_register,
            topic_register,
        )
        from servicedesk.tickets.models import Ticket
        from servicedesk.tickets.payloads import ticket_facts, ticket_payload, ticket_summary
        from servicedesk.tickets.priority import Priority

        for name, label, starts_thread, audience in (
            ("logged", _("Ticket logged"), True, REQUESTER),
            ("reply", _("Reply to the requester"), False, REQUESTER),
            ("awaiting_caller", _("Waiting for the requester"), False, REQUESTER),
            ("resolved", _("Ticket resolved"), False, REQUESTER),
            ("closed", _("Ticket closed"), False, REQUESTER),
            ("manager_escalation", _("Escalated to the group manager"), False, STAFF),
            ("reclassified", _("Ticket reclassified (a new number)"), False, REQUESTER),
        ):
            topic_register(
                Topic(
                    f"ticket.{name}",
                    label,
                    f"tickets/email/{name}.txt",
                    starts_thread,
                    audience=audience,
                )
            )
        payload_register(Ticket, ticket_payload)
        facts_register(
            Ticket,
            ticket_facts,
            choices={"priority": [(f"P{p.value}", p.label) for p in Priority]},
        )
        summary_register(Ticket, ticket_summary)

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
