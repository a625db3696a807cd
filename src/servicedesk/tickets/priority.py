"""Priority from impact × urgency. One matrix; the defaults are ITIL's, editable in the admin
(the edited cells are `PriorityMatrixCell` rows, a model of the tickets app declared here)."""

from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.core.caches import TIMEOUT, ReferenceDataModel, reference_key

PRIORITY_MATRIX_KEY = reference_key("tickets:priority-matrix")


class Level(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Priority(models.IntegerChoices):
    P1 = 1, _("P1 – critical")
    P2 = 2, _("P2 – high")
    P3 = 3, _("P3 – moderate")
    P4 = 4, _("P4 – low")
    P5 = 5, _("P5 – planning")


DEFAULT_MATRIX: dict[tuple[str, str], int] = {
    ("high", "high"): 1,
    ("high", "medium"): 2,
    ("high", "low"): 3,
    ("medium", "high"): 2,
    ("medium", "medium"): 3,
    ("medium", "low"): 4,
    ("low", "high"): 3,
    ("low", "medium"): 4,
    ("low", "low"): 5,
}


class PriorityMatrixCell(ReferenceDataModel):
    """An edit of the impact × urgency → priority matrix (cells not present keep ITIL's default)."""

    impact = models.CharField(max_length=6, choices=Level.choices)
    urgency = models.CharField(max_length=6, choices=Level.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="priority_cell_unique")
        ]

    def __str__(self) -> str:
        return f"{self.impact} × {self.urgency} → P{self.priority}"


def priority_matrix() -> dict[tuple[str, str], int]:
    """The defaults overlaid with the cells edited in the admin."""

    def read():
        matrix = dict(DEFAULT_MATRIX)
        for cell in PriorityMatrixCell.objects.all():
            matrix[(cell.impact, cell.urgency)] = cell.priority
        return matrix

    return cache.get_or_set(PRIORITY_MATRIX_KEY, read, TIMEOUT)


def priority_for(impact: str, urgency: str) -> int:
    return priority_matrix()[(impact, urgency)]
