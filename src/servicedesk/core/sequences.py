"""Concurrency-safe counters: PostgreSQL sequences, or a locked counter row elsewhere.

Sequences are created by the migration of the app that owns them (`sequence_create_sql`).
"""

from django.db import connection
from django.db.models import F

from servicedesk.core.models import Counter


def sequence_next(name: str, *, start: int = 1) -> int:
    if connection.vendor == "postgresql":
        # nextval never blocks and never rolls back, so concurrent creates do not queue here.
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [f"seq_{name}"])
            return cursor.fetchone()[0]
    # Elsewhere the UPDATE takes the write lock, which SQLite holds to commit anyway.
    if not Counter.objects.filter(name=name).update(value=F("value") + 1):
        Counter.objects.create(name=name, value=start)
        return start
    return Counter.objects.values_list("value", flat=True).get(name=name)


def sequence_create(apps, schema_editor, *, name: str, start: int) -> None:
    """For a RunPython migration step: create the sequence on PostgreSQL, nothing elsewhere."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS seq_{name} START {start}")
