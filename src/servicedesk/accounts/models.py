from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.core.caches import ReferenceDataModel


class Role(models.TextChoices):
    REQUESTER = "requester", _("Requester")
    AGENT = "agent", _("Agent")
    MANAGER = "manager", _("Group manager")
    SECURITY_OFFICER = "security_officer", _("Security officer")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = {Role.AGENT, Role.MANAGER, Role.SECURITY_OFFICER, Role.ADMIN}


class Tier(models.IntegerChoices):
    L1 = 1, _("L1 – service desk")
    L2 = 2, _("L2 – specialist support")
    L3 = 3, _("L3 – engineering")


class User(AbstractUser):
    """A person: a requester of IT services or a member of the desk's staff.

    The role says what they may do; support groups (with their tier) say where they work.
    """

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.REQUESTER)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=[("en", "English"), ("ro", "Română")],
        default="en",
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Bucharest")
    # Off for a monitoring system or a shared mailbox that logs tickets: it is never emailed.
    email_notifications = models.BooleanField(
        _("receives emails"),
        default=True,
        help_text=_("Off for systems and shared mailboxes: the desk never emails them."),
    )

    objects = UserManager()

    class Meta:
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_desk_staff(self) -> bool:
        return self.role in STAFF_ROLES or self.is_superuser


class SupportGroup(ReferenceDataModel):
    """A team that works tickets at one tier (L1 service desk, L2 specialists, L3 engineering)."""

    name = models.CharField(max_length=100, unique=True)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.L1)
    email = models.EmailField(blank=True)
    description = models.TextField(blank=True)
    manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_groups"
    )
    members = models.ManyToManyField(User, blank=True, related_name="support_groups")
    is_active = models.BooleanField(default=True)
    # What the group's chat channels are written in (a Romanian team reads Romanian).
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("en", "English"), ("ro", "Română")],
        default="en",
        help_text=_("The language of the messages its chat channels receive."),
    )

    class Meta:
        ordering = ["tier", "name"]

    def __str__(self) -> str:
        return f"{self.name} (L{self.tier})"
