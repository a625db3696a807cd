"""The periodic jobs: each app registers its own (`periodic_register` in `AppConfig.ready()`);
Celery beat reads them in production, and the embedded scheduler runs them on a thread of the
web process when there is no broker. Core runs what is registered and names no app."""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    """A Celery task run every `every()` seconds; safe to run on several workers at once."""

    task: object  # a Celery task: `.name` and `.run()`
    every: Callable[[], float]


_periodic: dict[str, Periodic] = {}


def periodic_register(task, *, every: Callable[[], float]) -> None:
    """Run `task` every `every()` seconds (read when the schedule starts, so settings apply)."""
    _periodic[task.name] = Periodic(task, every)


def periodic_tasks() -> list[Periodic]:
    return list(_periodic.values())


def beat_schedule() -> dict:
    return {
        p.task.name: {"task": p.task.name, "schedule": float(p.every())} for p in _periodic.values()
    }


_started = threading.Event()


def embedded_scheduler_start() -> None:
    """Run the periodic tasks in a daemon thread of this process (once per process)."""
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_loop, name="servicedesk-scheduler", daemon=True).start()


def _loop() -> None:
    periodic = [(p.task, float(p.every())) for p in periodic_tasks()]
    next_run = {task.name: 0.0 for task, _every in periodic}
    while True:
        for task, every in periodic:
            if time.monotonic() < next_run[task.name]:
                continue
            next_run[task.name] = time.monotonic() + every
            close_old_connections()
            try:
                task.run()
            except Exception:  # noqa: BLE001 - the loop must outlive one failed run; it is logged
                log.exception("periodic task %s failed; it runs again in %s s", task.name, every)
            finally:
                close_old_connections()
        time.sleep(1)
