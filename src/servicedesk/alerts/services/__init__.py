"""Every write of the alerts app; the public names of its topic modules."""

from servicedesk.alerts.services.intake import event_receive, raw_event_store, raw_events_retry
from servicedesk.alerts.services.integrations import (
    integration_create,
    integration_rotate_key,
    integration_update,
    key_hash,
)
from servicedesk.alerts.services.maintenance import (
    maintenance_window_check,
    maintenance_window_create,
    maintenance_window_delete,
    maintenance_window_update,
)
from servicedesk.alerts.services.processing import (
    alerts_process,
    events_batch_process,
    pending_events,
)
from servicedesk.alerts.services.surge import (
    surge_confirm,
    surge_dismiss,
    surge_rule_save,
    surge_ticket_created,
)

__all__ = [
    "alerts_process",
    "event_receive",
    "events_batch_process",
    "integration_create",
    "integration_rotate_key",
    "integration_update",
    "key_hash",
    "maintenance_window_check",
    "maintenance_window_create",
    "maintenance_window_delete",
    "maintenance_window_update",
    "pending_events",
    "raw_event_store",
    "raw_events_retry",
    "surge_confirm",
    "surge_dismiss",
    "surge_rule_save",
    "surge_ticket_created",
]
