"""Deferred jobs (core/jobs.py): in the "thread" runner a job already waiting is not queued twice;
a started worker freezes its start-up heap."""

import gc
import threading

import pytest
from celery import signals

import servicedesk.celery  # noqa: F401 - connects the worker signals
from servicedesk import cli
from servicedesk.core import jobs

WAIT = 10  # seconds; only ever reached when something is broken


class FakeTask:
    """Stands for a Celery task: a name and run(*args). Its first run blocks until released."""

    def __init__(self, name="tests.fake_task", *, blocks=True, fails=False):
        self.name = name
        self.blocks = blocks
        self.fails = fails
        self.runs: list[tuple] = []
        self.first_run_started = threading.Event()
        self.release = threading.Event()

    def run(self, *args):
        self.runs.append(args)
        if self.blocks and len(self.runs) == 1:
            self.first_run_started.set()
            assert self.release.wait(WAIT), "the test never released the first run"
        if self.fails:
            raise RuntimeError("the mail server is on fire")


@pytest.fixture
def thread_runner(settings):
    settings.SERVICEDESK_JOBS = "thread"
    yield
    _wait_for_the_worker()


def _wait_for_the_worker():
    """Return once everything submitted so far has run (the runner has a single worker)."""
    jobs._thread_executor().submit(lambda: None).result(timeout=WAIT)


def _first_run_blocked(task, args=()):
    jobs._dispatch(task, args)
    assert task.first_run_started.wait(WAIT)


def test_dispatches_while_a_run_is_under_way_cost_one_more_run(thread_runner):
    task = FakeTask()
    _first_run_blocked(task, ("due",))

    for _ in range(5):
        jobs._dispatch(task, ("due",))
    task.release.set()
    _wait_for_the_worker()

    assert task.runs == [("due",), ("due",)]


def test_a_job_with_other_arguments_or_another_task_is_not_coalesced(thread_runner):
    task, other_task = FakeTask(), FakeTask(name="tests.other_task", blocks=False)
    _first_run_blocked(task, ("due",))

    for _ in range(3):
        jobs._dispatch(task, ("due",))
        jobs._dispatch(task, ("message", 7))
        jobs._dispatch(other_task, ("due",))
    task.release.set()
    _wait_for_the_worker()

    assert task.runs == [("due",), ("due",), ("message", 7)]
    assert other_task.runs == [("due",)]


def test_a_dispatch_after_a_run_started_gets_a_run_of_its_own(thread_runner):
    task = FakeTask()
    _first_run_blocked(task)
    task.release.set()
    _wait_for_the_worker()

    jobs._dispatch(task, ())
    _wait_for_the_worker()
    jobs._dispatch(task, ())
    _wait_for_the_worker()

    assert task.runs == [(), (), ()]


def test_a_failing_run_does_not_stop_later_ones(thread_runner, caplog):
    task = FakeTask(fails=True)
    _first_run_blocked(task)
    jobs._dispatch(task, ())
    task.release.set()
    _wait_for_the_worker()

    assert task.runs == [(), ()]
    assert "background job tests.fake_task failed" in caplog.text


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.parametrize("started", [signals.worker_process_init, signals.worker_ready])
def test_a_started_celery_worker_freezes_its_start_up_heap(unfrozen, started):
    assert gc.get_freeze_count() == 0
    started.send(sender=None)
    # What start-up allocated (Django, the apps, their modules) is out of the collector's walks.
    assert gc.get_freeze_count() > 10_000


def test_a_started_web_worker_freezes_its_start_up_heap(unfrozen, settings):
    settings.SERVICEDESK_JOBS = "inline"  # no scheduler thread from this test
    cli._post_worker_init(worker=None)
    assert gc.get_freeze_count() > 10_000
