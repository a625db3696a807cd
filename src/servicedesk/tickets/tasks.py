from celery import shared_task

from servicedesk.tickets.services import service_levels


@shared_task(name="tickets.auto_close", acks_late=True)
def tickets_auto_close() -> int:
    """Close resolved tickets whose confirmation window has passed (every 15 minutes)."""
    return service_levels.tickets_auto_close()
