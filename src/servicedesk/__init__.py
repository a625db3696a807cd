"""servicedesk: an ITIL incident-management service desk."""

__version__ = "0.1.0"

from servicedesk.celery import app as celery_app

__all__ = ["celery_app"]
