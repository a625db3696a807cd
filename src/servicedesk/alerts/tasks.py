from celery import shared_task

from servicedesk.alerts import services


@shared_task(name="alerts.process", acks_late=True)
def alerts_process() -> int:
    """Process pending raw events: after each commit that stored one, and every minute."""
    return services.alerts_process()
