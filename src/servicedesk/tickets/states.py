"""The ticket lifecycle: states, actions and the one transition table.

No other code assigns `Ticket.status`; services ask `next_status()`, and the action registry
(`tickets/actions.py`) offers an action only where `TRANSITIONS` allows it.
"""

from django.db import models
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from servicedesk.core.errors import TransitionNotAllowed


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.ON_HOLD})
FINAL_STATUSES = frozenset({Status.CLOSED, Status.CANCELLED})


class HoldReason(models.TextChoices):
    AWAITING_CALLER = "awaiting_caller", _("Awaiting caller")
    AWAITING_VENDOR = "awaiting_vendor", _("Awaiting vendor")
    AWAITING_CHANGE = "awaiting_change", _("Awaiting change")


class CancelReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate")
    NOT_AN_INCIDENT = "not_an_incident", _("Not an incident")
    WITHDRAWN = "withdrawn", _("Withdrawn by the requester")


class ResolutionCode:
    """Why a ticket could be resolved. Incidents and service requests end differently, so each
    kind has its own codes; the resolve form offers the ticket's kind's, the service refuses
    another kind's. Keys are `Kind` values (the models sit beside this module, not below it)."""

    INCIDENT = [
        ("solved_permanently", gettext_lazy("Solved (permanently)")),
        ("solved_workaround", gettext_lazy("Solved (workaround)")),
        ("solved_remotely", gettext_lazy("Solved remotely")),
        ("no_fault_found", gettext_lazy("No fault found")),
        ("user_error", gettext_lazy("User error / training")),
        ("vendor_fix", gettext_lazy("Fixed by the vendor")),
    ]
    REQUEST = [
        ("fulfilled", gettext_lazy("Fulfilled")),
        ("fulfilled_alternative", gettext_lazy("Fulfilled with an alternative")),
        ("not_approved", gettext_lazy("Not approved")),
    ]
    BY_KIND = {"incident": INCIDENT, "request": REQUEST}
    CHOICES = [*INCIDENT, *REQUEST]
    VALUES = {value for value, _label in CHOICES}

    @classmethod
    def for_kind(cls, kind: str) -> list[tuple[str, str]]:
        return cls.BY_KIND[kind]


class Action(models.TextChoices):
    ASSIGN = "assign", _("Assign")
    START = "start", _("Start work")
    HOLD = "hold", _("Put on hold")
    RESUME = "resume", _("Resume")
    REQUESTER_REPLY = "requester_reply", _("Requester replied")
    ESCALATE = "escalate", _("Escalate")
    DE_ESCALATE = "de_escalate", _("De-escalate")
    RESOLVE = "resolve", _("Resolve")
    CONFIRM = "confirm", _("Confirm resolution")
    REOPEN = "reopen", _("Reopen")
    CLOSE = "close", _("Close")
    CANCEL = "cancel", _("Cancel")


_S = Status
_WORKING = (_S.NEW, _S.ASSIGNED, _S.IN_PROGRESS)

TRANSITIONS: dict[tuple[Status, Action], Status] = {
    **{(s, Action.ASSIGN): _S.ASSIGNED for s in _WORKING},
    (_S.ON_HOLD, Action.ASSIGN): _S.ON_HOLD,
    (_S.NEW, Action.START): _S.IN_PROGRESS,
    (_S.ASSIGNED, Action.START): _S.IN_PROGRESS,
    (_S.ASSIGNED, Action.HOLD): _S.ON_HOLD,
    (_S.IN_PROGRESS, Action.HOLD): _S.ON_HOLD,
    (_S.ON_HOLD, Action.RESUME): _S.IN_PROGRESS,
    (_S.ON_HOLD, Action.REQUESTER_REPLY): _S.IN_PROGRESS,
    # Escalated or sent back, a ticket waits in the new group's queue: nobody has it yet.
    **{(s, Action.ESCALATE): _S.NEW for s in _WORKING},
    **{(s, Action.DE_ESCALATE): _S.NEW for s in _WORKING},
    **{(s, Action.RESOLVE): _S.RESOLVED for s in OPEN_STATUSES},
    (_S.RESOLVED, Action.CONFIRM): _S.CLOSED,
    (_S.RESOLVED, Action.REOPEN): _S.IN_PROGRESS,
    (_S.RESOLVED, Action.CLOSE): _S.CLOSED,
    **{(s, Action.CANCEL): _S.CANCELLED for s in OPEN_STATUSES},
}

# Actions that happen as a consequence of something else and are never offered as a button.
IMPLICIT_ACTIONS = frozenset({Action.REQUESTER_REPLY})


def next_status(current: str, action: str) -> Status:
    """The status `action` leads to from `current`, or TransitionNotAllowed naming both."""
    try:
        return TRANSITIONS[(Status(current), Action(action))]
    except (KeyError, ValueError):
        raise TransitionNotAllowed(
            {
                "action": [
                    _("'%(action)s' is not allowed while the ticket is %(status)s.")
                    % {
                        "action": action,
                        "status": Status(current).label if current in Status.values else current,
                    }
                ]
            }
        ) from None


def actions_from(current: str) -> list[Action]:
    """Every explicit action the table allows from `current`, in declaration order."""
    return [
        action
        for (status, action) in TRANSITIONS
        if status == current and action not in IMPLICIT_ACTIONS
    ]
