from celery import shared_task

from servicedesk.notifications import services


@shared_task(name="notifications.outbox_sweep", acks_late=True)
def outbox_sweep() -> int:
    """Deliver what is due: after each commit that wrote to the outbox, and every minute."""
    return services.outbox_pending_deliver()
