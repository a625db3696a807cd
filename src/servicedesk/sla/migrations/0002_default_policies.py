"""The desk's promise as default data: first response within 1–3 h, resolution by priority."""

from datetime import time

from django.db import migrations

DEFAULTS = [
    # priority, response minutes, resolution minutes, calendar, breach action
    (1, 60, 4 * 60, "24×7", "next_tier"),
    (2, 60, 8 * 60, "24×7", "next_tier"),
    (3, 2 * 60, 24 * 60, "Office hours", "notify"),
    (4, 3 * 60, 48 * 60, "Office hours", "notify"),
    (5, 3 * 60, 72 * 60, "Office hours", "notify"),
]


def create_defaults(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    OpeningInterval = apps.get_model("sla", "OpeningInterval")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    calendars = {
        "24×7": BusinessCalendar.objects.get_or_create(
            name="24×7", defaults={"always_open": True, "time_zone": "UTC"}
        )[0],
        "Office hours": BusinessCalendar.objects.get_or_create(
            name="Office hours",
            defaults={"time_zone": "Europe/Bucharest", "holiday_country": "RO"},
        )[0],
    }
    office = calendars["Office hours"]
    if not OpeningInterval.objects.filter(calendar=office).exists():
        for weekday in range(5):
            OpeningInterval.objects.create(
                calendar=office, weekday=weekday, opens_at=time(9), closes_at=time(17)
            )
    for priority, response, resolution, calendar, action in DEFAULTS:
        SlaPolicy.objects.get_or_create(
            name=f"P{priority} standard",
            defaults={
                "priority": priority,
                "response_minutes": response,
                "resolution_minutes": resolution,
                "calendar": calendars[calendar],
                "warning_thresholds": [75, 90],
                "breach_action": action,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
