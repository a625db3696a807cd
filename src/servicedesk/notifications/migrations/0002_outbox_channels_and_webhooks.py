"""The outbox for every channel: a destination, a topic, a generic subject, a stable Message-ID;
webhook endpoints. Existing rows keep what they were: emails about their ticket."""

import hashlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TOPICS = {
    "ticket_logged": "ticket.logged",
    "ticket_reply": "ticket.reply",
    "ticket_awaiting_caller": "ticket.awaiting_caller",
    "ticket_resolved": "ticket.resolved",
    "ticket_closed": "ticket.closed",
    "ticket_manager_escalation": "ticket.manager_escalation",
    "sla_warning": "sla.warning",
    "sla_breach": "sla.breach",
}


def forwards(apps, schema_editor):
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ticket_type, _ = ContentType.objects.get_or_create(app_label="tickets", model="ticket")
    domain = settings.SERVICEDESK_MESSAGE_ID_DOMAIN
    for message in OutboxMessage.objects.all().iterator():
        digest = hashlib.sha256(message.dedup_key.encode()).hexdigest()[:32]
        message.destination = message.recipient
        message.topic = TOPICS.get(message.template, message.template)
        message.title = message.subject
        message.subject_type_id = ticket_type.pk if message.ticket_id else None
        message.subject_id = message.ticket_id
        message.message_id = f"<{digest}@{domain}>"
        message.save(
            update_fields=[
                "destination",
                "topic",
                "title",
                "subject_type",
                "subject_id",
                "message_id",
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="destination",
            field=models.CharField(default="", max_length=254),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="topic",
            field=models.CharField(default="", max_length=60),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="language",
            field=models.CharField(default="en", max_length=8),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="subject_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="subject_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="title",
            field=models.CharField(default="", max_length=250),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="message_id",
            field=models.CharField(db_index=True, default="", max_length=250),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="thread",
            field=models.CharField(blank=True, max_length=250),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="attachments",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="outboxmessage", name="recipient"),
        migrations.RemoveField(model_name="outboxmessage", name="subject"),
        migrations.RemoveField(model_name="outboxmessage", name="template"),
        migrations.RemoveField(model_name="outboxmessage", name="ticket"),
        migrations.AlterField(
            model_name="outboxmessage",
            name="status",
            field=models.CharField(
                choices=[("pending", "Pending"), ("sent", "Sent"), ("dead", "Dead")],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(fields=["subject_type", "subject_id"], name="outbox_subject_idx"),
        ),
        migrations.CreateModel(
            name="WebhookEndpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                ("url", models.URLField(max_length=500, verbose_name="URL")),
                (
                    "secret",
                    models.CharField(
                        help_text="whsec_…: the receiver verifies each request's signature with it.",
                        max_length=100,
                        verbose_name="signing secret",
                    ),
                ),
                ("topics", models.JSONField(blank=True, default=list, verbose_name="topics")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"ordering": ["name"]},
        ),
    ]
