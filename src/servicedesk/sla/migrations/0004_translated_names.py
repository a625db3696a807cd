"""SLA policies' and calendars' names per language; the existing names become the English, and
the defaults of 0002_default_policies get their Romanian names."""

from django.db import migrations, models
from django.db.models import F

# The names 0002_default_policies gave, in Romanian.
ROMANIAN = {
    "24×7": "Non-stop (24×7)",
    "Office hours": "Program de lucru",
    **{f"P{priority} standard": f"P{priority} standard" for priority in range(1, 6)},
}


def english_from_existing(apps, schema_editor):
    for name in ("BusinessCalendar", "SlaPolicy"):
        model = apps.get_model("sla", name)
        model.objects.update(name_en=F("name"))
        for english, romanian in ROMANIAN.items():
            model.objects.filter(name_en=english, name_ro__isnull=True).update(name_ro=romanian)


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0003_due_work_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="businesscalendar",
            name="name_en",
            field=models.CharField(max_length=100, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="businesscalendar",
            name="name_ro",
            field=models.CharField(max_length=100, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="slapolicy",
            name="name_en",
            field=models.CharField(max_length=120, null=True),
        ),
        migrations.AddField(
            model_name="slapolicy",
            name="name_ro",
            field=models.CharField(max_length=120, null=True),
        ),
        migrations.RunPython(english_from_existing, migrations.RunPython.noop),
    ]
