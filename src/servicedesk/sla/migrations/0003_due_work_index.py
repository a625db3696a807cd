"""SLA clocks are due work (core.due.DueWork): the due index becomes the mixin's.

The old index also required `state = 'running'`; a paused or stopped clock already has
`next_check_at = None` (sla.clocks), so the mixin's condition covers the same rows.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0002_default_policies"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="slaclock",
            index=models.Index(
                condition=models.Q(("next_check_at__isnull", False)),
                fields=["next_check_at"],
                name="sla_slaclock_due_idx",
            ),
        ),
        migrations.RemoveIndex(
            model_name="slaclock",
            name="sla_clock_due_idx",
        ),
    ]
