"""Every write to a ticket, by topic. One function per arrow of the lifecycle, each in one
transaction.

Each checks the transition table and the actor's permission, writes one timeline event and
registers its side effects (outbox rows, delivered after commit). Callers pass the ticket they
read; the function locks and re-reads it, so concurrent writers queue instead of overwriting.
The public names of the topic modules are importable from here.
"""

from servicedesk.tickets.services.access import ticket_restrict, ticket_unrestrict
from servicedesk.tickets.services.assignment import (
    ticket_assign,
    ticket_de_escalate,
    ticket_escalate,
    ticket_escalate_to_manager,
    ticket_start,
)
from servicedesk.tickets.services.comments import attachment_refusals, ticket_comment
from servicedesk.tickets.services.desk import (
    BulkAction,
    BulkOutcome,
    saved_view_delete,
    saved_view_save,
    ticket_log_call,
    ticket_report,
    tickets_bulk_apply,
)
from servicedesk.tickets.services.editing import (
    EDITABLE_FIELDS,
    ticket_diagnosis_record,
    ticket_reclassify,
    ticket_update,
)
from servicedesk.tickets.services.intake import (
    NUMBER_START,
    requester_from_email,
    ticket_log,
    ticket_number_next,
)
from servicedesk.tickets.services.lifecycle import (
    reopen_deadline,
    ticket_cancel,
    ticket_close,
    ticket_confirm,
    ticket_hold,
    ticket_reopen,
    ticket_resolve,
    ticket_resume,
)
from servicedesk.tickets.services.links import ticket_mark_duplicate, ticket_set_parent
from servicedesk.tickets.services.monitoring import ticket_monitoring_record
from servicedesk.tickets.services.paging import ticket_page_acknowledge
from servicedesk.tickets.services.satisfaction import ticket_rate
from servicedesk.tickets.services.service_levels import (
    auto_close_deadline,
    auto_close_due_ids,
    sla_clock_due,
    tickets_auto_close,
)

__all__ = [
    "EDITABLE_FIELDS",
    "NUMBER_START",
    "BulkAction",
    "BulkOutcome",
    "attachment_refusals",
    "auto_close_deadline",
    "auto_close_due_ids",
    "reopen_deadline",
    "requester_from_email",
    "saved_view_delete",
    "saved_view_save",
    "sla_clock_due",
    "ticket_assign",
    "ticket_cancel",
    "ticket_close",
    "ticket_comment",
    "ticket_confirm",
    "ticket_de_escalate",
    "ticket_diagnosis_record",
    "ticket_escalate",
    "ticket_escalate_to_manager",
    "ticket_hold",
    "ticket_log",
    "ticket_log_call",
    "ticket_mark_duplicate",
    "ticket_monitoring_record",
    "ticket_page_acknowledge",
    "ticket_number_next",
    "ticket_reclassify",
    "ticket_rate",
    "ticket_reopen",
    "ticket_report",
    "ticket_resolve",
    "ticket_restrict",
    "ticket_resume",
    "ticket_set_parent",
    "ticket_start",
    "ticket_unrestrict",
    "ticket_update",
    "tickets_auto_close",
    "tickets_bulk_apply",
]
