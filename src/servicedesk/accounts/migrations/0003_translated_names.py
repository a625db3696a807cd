"""Support groups' names and descriptions per language; the existing text becomes the English."""

from django.db import migrations, models
from django.db.models import F


def english_from_existing(apps, schema_editor):
    SupportGroup = apps.get_model("accounts", "SupportGroup")
    SupportGroup.objects.update(name_en=F("name"), description_en=F("description"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_email_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="supportgroup",
            name="description_en",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="supportgroup",
            name="description_ro",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="supportgroup",
            name="name_en",
            field=models.CharField(max_length=100, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="supportgroup",
            name="name_ro",
            field=models.CharField(max_length=100, null=True, unique=True),
        ),
        migrations.RunPython(english_from_existing, migrations.RunPython.noop),
    ]
