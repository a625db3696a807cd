"""A session's statuses and the one table of what may follow what."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Video call")


class Status(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    NEW_TIME_ASKED = "new_time_asked", _("Another time asked")
    CANCELLED = "cancelled", _("Cancelled")
    HELD = "held", _("Held")
    NO_SHOW = "no_show", _("No-show")


class Answer(models.TextChoices):
    """What the requester says to an invitation."""

    ACCEPT = "accept", _("Accept")
    DECLINE = "decline", _("Decline")
    NEW_TIME = "new_time", _("Ask for another time")


class Outcome(models.TextChoices):
    HELD = "held", _("Held")
    NO_SHOW = "no_show", _("No-show")


#: Statuses in which the session may still take place (a reminder is due, it can be moved).
PENDING = frozenset({Status.PROPOSED, Status.ACCEPTED, Status.DECLINED, Status.NEW_TIME_ASKED})
#: Statuses in which it is over.
FINISHED = frozenset({Status.CANCELLED, Status.HELD, Status.NO_SHOW})

ANSWER_STATUS = {
    Answer.ACCEPT: Status.ACCEPTED,
    Answer.DECLINE: Status.DECLINED,
    Answer.NEW_TIME: Status.NEW_TIME_ASKED,
}

#: (status, action) → the statuses the action may start from.
TRANSITIONS: dict[str, frozenset[str]] = {
    "reschedule": PENDING,
    "cancel": PENDING,
    # The requester may change their mind until the session starts.
    "respond": PENDING,
    "outcome": frozenset({Status.PROPOSED, Status.ACCEPTED}),
}


def allowed(action: str, status: str) -> bool:
    return status in TRANSITIONS[action]
