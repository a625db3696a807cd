"""Deferred work: one way to say "run this after commit", whatever runs it.

SERVICEDESK_JOBS picks the runner: "celery" sends the task to the broker; "thread" runs it in an
in-process worker thread (the embedded default, no extra server); "inline" runs it right after
commit in the caller's thread (tests).

In the thread runner a job that is already waiting with the same task and arguments is not queued
twice: tasks read the database when they start (e.g. "deliver what is due"), so one run covers
every commit made before it starts. A burst of a hundred tickets costs a few runs, not a hundred.
"""

import gc
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from celery import current_app
from django.conf import settings
from django.db import close_old_connections, transaction

log = logging.getLogger(__name__)
_executor: ThreadPoolExecutor | None = None
_waiting: set[tuple] = set()
_waiting_lock = threading.Lock()


def job_enqueue_on_commit(task, *args) -> None:
    """Run the Celery task `task` (the task, or its registered name) with `args` once the
    current transaction commits. By name, a service need not import the tasks module that
    imports it."""
    transaction.on_commit(lambda: _dispatch(task, args))


def _dispatch(task, args) -> None:
    if isinstance(task, str):
        task = current_app.tasks[task]
    mode = settings.SERVICEDESK_JOBS
    if mode == "celery":
        task.delay(*args)
    elif mode == "inline":
        task.run(*args)
    else:
        job = (task.name, args)
        with _waiting_lock:
            if job in _waiting:
                return
            _waiting.add(job)
        try:
            _thread_executor().submit(_run_in_thread, task, args)
        except RuntimeError:  # the executor is shutting down: the periodic sweep will run it
            with _waiting_lock:
                _waiting.discard(job)
            raise


def _thread_executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="servicedesk-jobs")
    return _executor


def _run_in_thread(task, args) -> None:
    with _waiting_lock:
        # From here on a new commit needs a run of its own.
        _waiting.discard((task.name, args))
    close_old_connections()
    try:
        task.run(*args)
    except Exception:  # noqa: BLE001 - the thread must survive; the outbox keeps the row to retry
        log.exception("background job %s failed; it will be retried by the sweep", task.name)
    finally:
        close_old_connections()


def worker_heap_freeze() -> None:
    """Once a worker process has started (Django set up, every app loaded), take what it has
    allocated so far out of the cyclic garbage collector's walks (`gc.freeze()`).

    Those objects (modules, settings, URL patterns, compiled templates) live as long as the
    process, yet every full collection walks all of them again, and a batch that allocates tens
    of thousands of rows triggers several (a sixth of a 10,000-escalation sweep's time went
    there). A forked worker also keeps sharing those memory pages with its parent instead of
    copying them when the collector touches them. Garbage made of them later is never freed,
    so this runs once, after start-up, never in the middle of work.
    """
    gc.collect()
    gc.freeze()
