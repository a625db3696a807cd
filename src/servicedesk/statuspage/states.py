"""The statuses of the status page: a component's, a public incident's and its transition table.

A component's status and a public incident's status are data; `incident_next_status` is the one
check of an incident's move, used by the services (the console's form and the API derive their
choices from `INCIDENT_NEXT`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComponentStatus(models.TextChoices):
    """The words status-page readers script against (Atlassian Statuspage v2)."""

    OPERATIONAL = "operational", _("Operational")
    DEGRADED = "degraded_performance", _("Degraded performance")
    PARTIAL = "partial_outage", _("Partial outage")
    MAJOR = "major_outage", _("Major outage")
    MAINTENANCE = "under_maintenance", _("Under maintenance")


#: worst first; maintenance is planned, so it ranks below any outage
SEVERITY = {
    ComponentStatus.OPERATIONAL: 0,
    ComponentStatus.MAINTENANCE: 1,
    ComponentStatus.DEGRADED: 2,
    ComponentStatus.PARTIAL: 3,
    ComponentStatus.MAJOR: 4,
}
OUTAGE_STATUSES = frozenset({ComponentStatus.PARTIAL, ComponentStatus.MAJOR})


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigating")
    IDENTIFIED = "identified", _("Identified")
    MONITORING = "monitoring", _("Monitoring")
    RESOLVED = "resolved", _("Resolved")


class Impact(models.TextChoices):
    NONE = "none", _("None")
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


_I = IncidentStatus
_OPEN = (_I.INVESTIGATING, _I.IDENTIFIED, _I.MONITORING)
#: from each status, the statuses the next update may take; a resolved incident takes no more
INCIDENT_NEXT: dict[str, frozenset[str]] = {
    **{status: frozenset({*_OPEN, _I.RESOLVED}) for status in _OPEN},
    _I.RESOLVED: frozenset(),
}
OPEN_INCIDENT_STATUSES = frozenset(_OPEN)


def incident_next_status(current: str, wanted: str) -> bool:
    """Whether an incident at `current` may take an update at `wanted`."""
    return wanted in INCIDENT_NEXT.get(current, frozenset())


def impact_for(status: str) -> str:
    """The incident's impact from the worst status it gives its components."""
    return {
        ComponentStatus.MAJOR: Impact.CRITICAL,
        ComponentStatus.PARTIAL: Impact.MAJOR,
        ComponentStatus.DEGRADED: Impact.MINOR,
    }.get(status, Impact.NONE)


#: a ticket priority's proposed component status (P1, P2); other priorities propose nothing
PROPOSED_BY_PRIORITY = {1: ComponentStatus.MAJOR, 2: ComponentStatus.PARTIAL}
