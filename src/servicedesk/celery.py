"""The Celery application. Workers: `servicedesk worker`; schedule: `servicedesk beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

app = Celery("servicedesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule(sender, **kwargs):
    from servicedesk.core.scheduler import beat_schedule

    sender.conf.beat_schedule = beat_schedule()
