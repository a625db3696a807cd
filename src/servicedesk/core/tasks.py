from celery import shared_task

from servicedesk.core import due


@shared_task(name="core.due_sweep", acks_late=True)
def due_sweep() -> dict[str, int]:
    """Hand every due row of every registered model to its handler (`core/due.py`)."""
    return due.due_sweep()
