"""The catalogue per language; the existing text becomes the English."""

from django.db import migrations, models
from django.db.models import F


def english_from_existing(apps, schema_editor):
    apps.get_model("catalog", "Service").objects.update(
        name_en=F("name"), description_en=F("description")
    )
    apps.get_model("catalog", "Category").objects.update(
        name_en=F("name"), description_en=F("description")
    )
    apps.get_model("catalog", "DiagnosticQuestion").objects.update(
        text_en=F("text"), help_text_en=F("help_text"), choices_en=F("choices")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="description_en",
            field=models.CharField(blank=True, max_length=250, null=True),
        ),
        migrations.AddField(
            model_name="category",
            name="description_ro",
            field=models.CharField(blank=True, max_length=250, null=True),
        ),
        migrations.AddField(
            model_name="category",
            name="name_en",
            field=models.CharField(max_length=100, null=True),
        ),
        migrations.AddField(
            model_name="category",
            name="name_ro",
            field=models.CharField(max_length=100, null=True),
        ),
        migrations.AddField(
            model_name="diagnosticquestion",
            name="choices_en",
            field=models.JSONField(blank=True, default=list, null=True),
        ),
        migrations.AddField(
            model_name="diagnosticquestion",
            name="choices_ro",
            field=models.JSONField(blank=True, default=list, null=True),
        ),
        migrations.AddField(
            model_name="diagnosticquestion",
            name="help_text_en",
            field=models.CharField(blank=True, max_length=250, null=True),
        ),
        migrations.AddField(
            model_name="diagnosticquestion",
            name="help_text_ro",
            field=models.CharField(blank=True, max_length=250, null=True),
        ),
        migrations.AddField(
            model_name="diagnosticquestion",
            name="text_en",
            field=models.CharField(max_length=250, null=True),
        ),
        migrations.AddField(
            model_name="diagnosticquestion",
            name="text_ro",
            field=models.CharField(max_length=250, null=True),
        ),
        migrations.AddField(
            model_name="service",
            name="description_en",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="service",
            name="description_ro",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="service",
            name="name_en",
            field=models.CharField(max_length=120, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="service",
            name="name_ro",
            field=models.CharField(max_length=120, null=True, unique=True),
        ),
        migrations.AddConstraint(
            model_name="category",
            constraint=models.UniqueConstraint(
                fields=("parent", "name_en"), name="category_name_per_parent-en"
            ),
        ),
        migrations.AddConstraint(
            model_name="category",
            constraint=models.UniqueConstraint(
                fields=("parent", "name_ro"), name="category_name_per_parent-ro"
            ),
        ),
        migrations.RunPython(english_from_existing, migrations.RunPython.noop),
    ]
