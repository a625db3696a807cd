"""Priority from impact × urgency. One matrix; the defaults are ITIL's, editable in the admin."""

from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.core.caches import PRIORITY_MATRIX_KEY, TIMEOUT


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


def priority_matrix() -> dict[tuple[str, str], int]:
    """The defaults overlaid with the cells edited in the admin."""

    def read():
        from servicedesk.tickets.models import PriorityMatrixCell

        matrix = dict(DEFAULT_MATRIX)
        for cell in PriorityMatrixCell.objects.all():
            matrix[(cell.impact, cell.urgency)] = cell.priority
        return matrix

    return cache.get_or_set(PRIORITY_MATRIX_KEY, read, TIMEOUT)


def priority_for(impact: str, urgency: str) -> int:
    return priority_matrix()[(impact, urgency)]
