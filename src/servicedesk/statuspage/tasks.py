from celery import shared_task

from servicedesk.statuspage import services


@shared_task(name="statuspage.subscribers_expire", acks_late=True)
def subscribers_expire() -> int:
    """Delete subscriptions never confirmed in time (hourly)."""
    return services.subscribers_expire()
