"""The periodic jobs, in one place: Celery beat reads them in production, and the embedded
scheduler runs them on a thread of the web process when there is no broker."""

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger(__name__)


def periodic_tasks() -> list[tuple[str, int]]:
    """(task name, every N seconds). Each task is safe to run on several workers at once."""
    return [
        ("sla.sweep", settings.SERVICEDESK_SWEEP_SECONDS),
        ("notifications.outbox_sweep", 60),
        ("sla.auto_close", 15 * 60),
    ]


def beat_schedule() -> dict:
    return {name: {"task": name, "schedule": float(every)} for name, every in periodic_tasks()}


_started = threading.Event()


def embedded_scheduler_start() -> None:
    """Run the periodic tasks in a daemon thread of this process (once per process)."""
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_loop, name="servicedesk-scheduler", daemon=True).start()


def _loop() -> None:
    from servicedesk.celery import app

    app.loader.import_default_modules()
    tasks = periodic_tasks()
    next_run = dict.fromkeys((name for name, _ in tasks), 0.0)
    while True:
        for name, every in tasks:
            if time.monotonic() < next_run[name]:
                continue
            next_run[name] = time.monotonic() + every
            close_old_connections()
            try:
                app.tasks[name].run()
            except Exception:  # noqa: BLE001 - the loop must outlive one failed run; it is logged
                log.exception("periodic task %s failed; it runs again in %s s", name, every)
            finally:
                close_old_connections()
        time.sleep(1)
