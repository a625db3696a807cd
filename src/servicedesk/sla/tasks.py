from celery import shared_task

from servicedesk.sla import services


@shared_task(name="sla.sweep", acks_late=True)
def sla_sweep() -> int:
    return services.sla_sweep()


@shared_task(name="sla.auto_close", acks_late=True)
def tickets_auto_close() -> int:
    return services.tickets_auto_close()
