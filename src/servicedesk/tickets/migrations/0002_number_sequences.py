from functools import partial

from django.db import migrations

from servicedesk.core.sequences import sequence_create


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [
        migrations.RunPython(
            partial(sequence_create, name="ticket_incident", start=1001), migrations.RunPython.noop
        ),
        migrations.RunPython(
            partial(sequence_create, name="ticket_request", start=1001), migrations.RunPython.noop
        ),
    ]
