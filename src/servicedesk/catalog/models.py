from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import SupportGroup
from servicedesk.core.caches import ReferenceDataModel


class Service(ReferenceDataModel):
    """A business service the desk supports (e-mail, VPN, payroll…), owned by a support group."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    owner_group = models.ForeignKey(
        SupportGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ConfigurationItem(models.Model):
    """A component a service runs on (a server, a laptop, an application); optional on tickets."""

    name = models.CharField(max_length=120, unique=True)
    ci_type = models.CharField(_("type"), max_length=60, blank=True)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(ReferenceDataModel):
    """A node of the two-level category tree (e.g. Network › VPN) used to classify tickets."""

    name = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.CharField(max_length=250, blank=True)
    default_group = models.ForeignKey(
        SupportGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["parent__name", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_name_per_parent"),
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def path(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    def clean(self) -> None:
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("Categories have two levels at most.")})


class DiagnosticQuestion(models.Model):
    """A basic troubleshooting question L1 asks during initial diagnosis of a category."""

    class AnswerType(models.TextChoices):
        TEXT = "text", _("Free text")
        YES_NO = "yes_no", _("Yes / no")
        CHOICE = "choice", _("One of a list")

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=250)
    help_text = models.CharField(max_length=250, blank=True)
    answer_type = models.CharField(max_length=10, choices=AnswerType.choices, default="text")
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["category", "position", "id"]

    def __str__(self) -> str:
        return self.text

    def answer_error(self, answer: str) -> str | None:
        """Why `answer` is not acceptable for this question, or None."""
        if not answer.strip():
            return _("An answer is required.") if self.required else None
        if self.answer_type == self.AnswerType.YES_NO and answer not in {"yes", "no"}:
            return _("Answer 'yes' or 'no'.")
        if self.answer_type == self.AnswerType.CHOICE and answer not in self.choices_all():
            return _("Choose one of: %(choices)s.") % {"choices": ", ".join(self.choices)}
        return None

    def choices_all(self) -> set[str]:
        """The choices in every language: an answer is kept as the person picked it, so one
        given in Romanian stays valid when an English reader edits the diagnosis."""
        return {
            choice
            for code, _name in settings.LANGUAGES
            for choice in getattr(self, f"choices_{code}", None) or ()
        }

    def clean(self) -> None:
        # The lists of choices are translations of each other, item by item.
        count = len(self.choices_en or ())
        for code, _name in settings.LANGUAGES:
            given = getattr(self, f"choices_{code}", None) or ()
            if given and len(given) != count:
                raise ValidationError(
                    {
                        f"choices_{code}": _(
                            "Give as many choices in each language, in the same order."
                        )
                    }
                )
