"""The Celery application. Workers: `servicedesk worker`; schedule: `servicedesk beat`."""

import os

from celery import Celery, signals

from servicedesk.core.scheduler import beat_schedule

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

app = Celery("servicedesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.beat_init.connect
def _schedule(sender, **kwargs):
    # By now Django is set up and every app has registered its periodic tasks (ready()).
    app.conf.beat_schedule = beat_schedule()
