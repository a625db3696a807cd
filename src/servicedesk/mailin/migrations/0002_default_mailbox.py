"""The mailbox a fresh install takes mail into: `servicedesk mail-in` with no --mailbox."""

from django.db import migrations


def create(apps, schema_editor):
    Mailbox = apps.get_model("mailin", "Mailbox")
    Mailbox.objects.get_or_create(
        name="default", defaults={"kind": "pipe", "accept_new_requesters": True}
    )


class Migration(migrations.Migration):
    dependencies = [("mailin", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
