from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "servicedesk.appointments"
    label = "appointments"
    verbose_name = _("Sessions with requesters")

    def ready(self):
        # Imported here, once the apps are loaded: these modules need the models.
        from servicedesk.appointments import panel, services
        from servicedesk.appointments.models import Session
        from servicedesk.core.due import due_register
        from servicedesk.notifications.topics import (
            REQUESTER,
            STAFF,
            Topic,
            payload_register,
            topic_register,
        )
        from servicedesk.tickets.panels import panel_register, portal_panel_register

        # The first invitation is the root of the session's email thread; a new time and the
        # cancellation answer it (the same template: the calendar part says which it is).
        for name, template, label, audience in (
            ("invitation", "invitation", _("Session: invitation"), REQUESTER),
            ("rescheduled", "invitation", _("Session: new time"), REQUESTER),
            ("cancelled", "cancelled", _("Session: cancelled"), REQUESTER),
            ("reminder", "reminder", _("Session: reminder"), REQUESTER),
            ("response", "response", _("Session: the requester's answer"), STAFF),
        ):
            topic_register(
                Topic(
                    f"appointments.{name}",
                    label,
                    f"appointments/email/{template}.txt",
                    starts_thread=name == "invitation",
                    audience=audience,
                    # The invitation, a new time and a cancellation are the session itself.
                    mandatory=name in ("invitation", "rescheduled", "cancelled"),
                )
            )
        payload_register(Session, panel.session_payload)
        due_register(
            Session,
            handler=services.session_reminder_due,
            select_related=("ticket", "organizer", "requester"),
        )
        panel_register("appointments/desk/ticket_panel.html", panel.desk_panel_context)
        portal_panel_register("appointments/portal/ticket_panel.html", panel.portal_panel_context)
