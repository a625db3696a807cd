from celery import shared_task

from servicedesk.notifications import services


@shared_task(name="notifications.outbox_deliver", acks_late=True)
def outbox_deliver(message_id: int) -> bool:
    return services.outbox_message_deliver(message_id=message_id)


@shared_task(name="notifications.outbox_sweep", acks_late=True)
def outbox_sweep() -> int:
    return services.outbox_pending_deliver()
