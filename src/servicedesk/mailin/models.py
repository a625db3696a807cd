"""Mailboxes the desk reads, and every message that came in, stored raw before it is read."""

import os

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import SupportGroup
from servicedesk.catalog.models import Category


class Mailbox(models.Model):
    """An address the desk takes requests at, and where its mail is read from.

    `pipe` mailboxes receive from the MTA (`servicedesk mail-in --mailbox NAME`); `imap` and
    `maildir` ones are polled by the periodic job `mailin.poll`. New tickets go to `group` (or
    the category's group, or L1) in `category`: the mailbox chooses, never the mail's headers.
    """

    class Kind(models.TextChoices):
        PIPE = "pipe", _("MTA pipe")
        IMAP = "imap", _("IMAP")
        MAILDIR = "maildir", _("Maildir")

    class Purpose(models.TextChoices):
        TICKETS = "tickets", _("Tickets (people write in)")
        ALERTS = "alerts", _("Alerts (monitoring sends notifications)")

    name = models.SlugField(_("name"), max_length=50, unique=True)
    address = models.EmailField(_("address"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PIPE)
    # Not tickets: each stored message is handed to the handler registered for the purpose
    # (core/mailboxes.py), with `integration_ref` as plain data it reads.
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.TICKETS
    )
    integration_ref = models.CharField(
        _("integration"),
        max_length=100,
        blank=True,
        help_text=_(
            "For an alerts mailbox: the monitoring integration its mail belongs to "
            "(its name or number)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    accept_new_requesters = models.BooleanField(
        _("accepts new requesters"),
        default=False,
        help_text=_("Mail from an unknown address creates a requester; otherwise it is ignored."),
    )
    group = models.ForeignKey(
        SupportGroup,
        verbose_name=_("support group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # IMAP
    host = models.CharField(_("server"), max_length=200, blank=True)
    port = models.PositiveIntegerField(_("port"), default=993)
    use_tls = models.BooleanField(_("TLS"), default=True)
    username = models.CharField(_("user name"), max_length=200, blank=True)
    password_env = models.CharField(
        _("password variable"),
        max_length=100,
        blank=True,
        help_text=_("The environment variable that holds the password (preferred)."),
    )
    password = models.CharField(_("password"), max_length=200, blank=True)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    done_folder = models.CharField(
        _("folder for taken mail"),
        max_length=200,
        blank=True,
        help_text=_("Taken mail is moved here; left empty, it is flagged as seen and kept."),
    )
    # Maildir
    path = models.CharField(_("Maildir path"), max_length=500, blank=True)
    poll_seconds = models.PositiveIntegerField(_("poll every (seconds)"), default=60)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return self.name

    @property
    def secret(self) -> str:
        """The password: from the named environment variable, else the stored one."""
        if self.password_env:
            return os.environ.get(self.password_env, "")
        return self.password


class InboundMessage(models.Model):
    """One message as it arrived (the raw bytes, committed before anything reads them) and what
    became of it: a new ticket, a comment, ignored with the reason, or failed with the error.

    The same delivery made twice (same Message-ID and bytes, or the same IMAP UID or Maildir
    file) is one row.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")

    class Outcome(models.TextChoices):
        NONE = "", _("None")
        OPENED = "opened", _("Opened a ticket")
        COMMENTED = "commented", _("Commented on a ticket")
        HANDED = "handed", _("Handed to the mailbox's integration")

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="messages")
    raw = models.BinaryField()
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    # The Message-ID header as given (may be empty or garbage); with sha256 it identifies a
    # re-delivery.
    message_id = models.CharField(max_length=250, blank=True)
    # Where it was taken from: "imap:<uidvalidity>:<uid>", "maildir:<key>", or blank (a pipe).
    source_ref = models.CharField(max_length=250, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    from_address = models.CharField(max_length=254, blank=True, db_index=True)
    subject = models.CharField(max_length=250, blank=True)
    # The whole text as the sender wrote it (quotes and signature kept); the comment has the
    # new part only.
    full_text = models.TextField(blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.ForeignKey(
        "tickets.TicketEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "source_ref"],
                condition=~Q(source_ref=""),
                name="mailin_source_ref_uniq",
            ),
            models.UniqueConstraint(
                fields=["mailbox", "message_id", "sha256"],
                condition=~Q(message_id=""),
                name="mailin_message_uniq",
            ),
        ]
        indexes = [
            models.Index(
                fields=["received_at", "id"],
                condition=Q(status="received"),
                name="mailin_received_idx",
            ),
            models.Index(fields=["from_address", "received_at"], name="mailin_sender_idx"),
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id or f"#{self.pk}"
