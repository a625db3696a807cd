"""The Celery application. Workers: `servicedesk worker`; schedule: `servicedesk beat`."""

import os

from celery import Celery, signals

from servicedesk.core.jobs import worker_heap_freeze

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

app = Celery("servicedesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_process_init.connect  # each process of a prefork pool, once forked
@signals.worker_ready.connect  # the worker itself (solo and thread pools run tasks there)
def _worker_started(**_kwargs) -> None:
    worker_heap_freeze()


# The schedule (`beat_schedule()`) is what the apps register in AppConfig.ready(); `servicedesk
# beat` sets it once Django is set up (cli.py).
