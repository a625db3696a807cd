"""The Celery application. Workers: `servicedesk worker`; schedule: `servicedesk beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

app = Celery("servicedesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The schedule (`beat_schedule()`) is what the apps register in AppConfig.ready(); `servicedesk
# beat` sets it once Django is set up (cli.py).
