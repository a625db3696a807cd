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
    # Extra MIME parts of an email, beside its text body or attached: [{"content_type",
    # "content", "params", "filename"}], e.g. a calendar invitation (channels/email.py).
    parts = models.JSONField(default=list, blank=True)
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


class ChatChannel(ReferenceDataModel):
    """A Slack or Microsoft Teams channel that receives the desk's events through its incoming
    webhook, e.g. "P1 and P2 incidents of group Network".

    It is subscribed to topics and, optionally, narrowed to support groups and priorities (empty
    means all). Messages are written in its language, or else in the language of its one group,
    or else in the site's. The webhook URL is a secret: whoever has it can post to the channel.
    """

    class Kind(models.TextChoices):
        SLACK = "slack", "Slack"
        TEAMS = "teams", "Microsoft Teams"

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    webhook_url = models.URLField(
        _("incoming webhook URL"),
        max_length=500,
        help_text=_("The channel's incoming webhook (Slack) or workflow URL (Teams)."),
    )
    topics = models.JSONField(_("topics"), default=list, blank=True)
    groups = models.ManyToManyField(
        "accounts.SupportGroup",
        verbose_name=_("support groups"),
        blank=True,
        related_name="+",
        help_text=_("Only events of tickets of these groups; none selected means all groups."),
    )
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=[("en", "English"), ("ro", "Română")],
        help_text=_("Empty: the language of its support group when it has one, else English."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("chat channel")
        verbose_name_plural = _("chat channels")

    def __str__(self) -> str:
        return self.name


class NotificationPreference(models.Model):
    """A person's choice to stop one topic on one of their channels (email today).

    Only choices away from the default are stored: with no row a topic reaches the person on
    every channel they have. A mandatory topic ignores the row.
    """

    person = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notification_preferences"
    )
    topic = models.CharField(max_length=60)
    channel = models.CharField(max_length=20)
    enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "topic", "channel"], name="notification_preference_unique"
            )
        ]

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{self.person_id}: {self.topic} by {self.channel} {state}"
