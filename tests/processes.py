"""What a test needs to start a real process of the product against the test's own database."""

import os
from pathlib import Path

from django.db import connection


def database_url() -> str:
    """DATABASE_URL of the database this test runs on (its test database)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def process_env(tmp_path: Path, **extra: str) -> dict:
    """The environment of a product process: this database, a data directory of its own, no
    mail sent, no broker unless `extra` names one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.pop("CELERY_BROKER_URL", None)
    env.update(
        DATABASE_URL=database_url(),
        SERVICEDESK_DATA_DIR=str(tmp_path),
        EMAIL_URL="dummy://",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env
