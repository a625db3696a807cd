from django.db import models


class OutboxMessage(models.Model):
    """A message written in the same transaction as the change it reports, delivered after commit.

    At least once: a failed delivery stays pending with its error and is retried with backoff;
    after too many attempts it is `dead` and visible in the admin. `dedup_key` makes a message
    that would be written twice (a retried task, two workers) a single row.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        DEAD = "dead"

    channel = models.CharField(max_length=20, default="email")
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=250)
    body = models.TextField()
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="outbox"
    )
    template = models.CharField(max_length=60, blank=True)
    dedup_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient}: {self.subject}"
