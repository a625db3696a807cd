from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.core.caches import ReferenceDataModel


class OutboxQuerySet(models.QuerySet):
    def about(self, obj: models.Model) -> "OutboxQuerySet":
        """The messages whose subject is `obj`."""
        return self.filter(subject_type=ContentType.objects.get_for_model(obj), subject_id=obj.pk)


class OutboxMessage(models.Model):
    """One message to one destination on one channel, written in the same transaction as the
    change it reports and delivered after commit.

    It is rendered when written, in the recipient's language: a later template change does not
    alter a queued message. At least once: a failed delivery stays pending with its error and is
    retried with backoff; after too many attempts it is `dead` and visible in the admin.
    `dedup_key` makes a message that would be written twice (a retried task, two workers) a
    single row; `message_id` is what the receiver sees (an email's Message-ID, a webhook's
    webhook-id), the same on every attempt.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Dead")

    channel = models.CharField(max_length=20, default="email")
    # An email address, or the id of a webhook endpoint.
    destination = models.CharField(max_length=254)
    topic = models.CharField(max_length=60)
    language = models.CharField(max_length=8, default="en")
    # What the message is about (a ticket, later an alert or a breach), by reference only.
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    # One line: an email's subject, a short summary for other channels.
    title = models.CharField(max_length=250)
    # Exactly what is sent: an email's text body, a webhook's JSON.
    body = models.TextField()
    message_id = models.CharField(max_length=250, db_index=True)
    # The Message-ID of the subject's thread (email): sent as In-Reply-To and References.
    thread = models.CharField(max_length=250, blank=True)
    # Files sent with the message, by reference: [{"path", "name", "content_type"}] in storage.
    attachments = models.JSONField(default=list, blank=True)
    # Extra email headers for this recipient alone: {"List-Unsubscribe": "<https://…>", …}.
    headers = models.JSONField(default=dict, blank=True)
    dedup_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_pending_idx",
            ),
            models.Index(fields=["subject_type", "subject_id"], name="outbox_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.destination}: {self.title}"


class WebhookEndpoint(ReferenceDataModel):
    """A system that receives the desk's events as signed JSON POSTs (Standard Webhooks).

    An administrator subscribes it to topics; each event of a subscribed topic becomes one outbox
    message to it. The target must be a public address unless allow-listed in
    SERVICEDESK_WEBHOOK_ALLOWED_TARGETS.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        help_text=_("whsec_…: the receiver verifies each request's signature with it."),
    )
    topics = models.JSONField(_("topics"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
