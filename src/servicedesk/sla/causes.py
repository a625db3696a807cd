"""Why a clock's ledger line was written, as a code and its arguments, read in any language.

A ledger line keeps its cause twice: `cause_code` and `cause_args`, which a page renders in the
reader's language with `cause_text`, and `cause`, the same sentence in English, for the API and
for lines written before causes had codes. The words an agent typed (a reason) and names (a
policy, a person) are arguments, kept as they were written.
"""

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from servicedesk.core.i18n import SOURCE_LANGUAGE
from servicedesk.tickets.states import Action, HoldReason, Status

MESSAGES = {
    "logged": _("logged (%(policy)s)"),
    "action": _("%(action)s"),
    "action_reason": _("%(action)s: %(reason)s"),
    "on_hold": _("on hold: %(hold_reason)s"),
    "status": _("%(status)s"),
    "reopened": _("reopened"),
    "back_from_hold": _("back from hold"),
    "first_reply": _("first reply by %(person)s"),
    "priority": _("priority P%(priority)s by %(person)s"),
    "warning": _("%(threshold)s%% of the target"),
    "target_passed": _("target passed"),
    "target_passed_because": _("target passed (%(because)s)"),
}


@dataclass(frozen=True)
class Cause:
    code: str
    args: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.code not in MESSAGES:
            raise ValueError(f"{self.code!r} is not a ledger cause.")

    def __str__(self) -> str:
        """The cause in English, as the `cause` column keeps it."""
        with translation.override(SOURCE_LANGUAGE):
            return cause_text(self.code, self.args)

    def passed(self) -> "Cause":
        """The breach this cause brought about: "target passed (<this cause>)"."""
        return Cause("target_passed_because", {"because": {"code": self.code, "args": self.args}})


def action_cause(action: str, reason: str = "") -> Cause:
    if reason:
        return Cause("action_reason", {"action": action, "reason": reason})
    return Cause("action", {"action": action})


def cause_text(code: str, args: dict) -> str:
    """The sentence in the active language ("" for a code or arguments it does not know)."""
    message = MESSAGES.get(code)
    if message is None:
        return ""
    values = dict(args)
    if "action" in values:
        values["action"] = _label(Action, values["action"]).lower()
    if "hold_reason" in values:
        values["hold_reason"] = _label(HoldReason, values["hold_reason"])
    if "status" in values:
        values["status"] = _label(Status, values["status"])
    if "because" in values:
        inner = values["because"] or {}
        values["because"] = cause_text(inner.get("code", ""), inner.get("args", {}))
    try:
        return str(message) % values
    except (KeyError, TypeError, ValueError):
        return ""


def _label(choices, value) -> str:
    return str(dict(choices.choices).get(value, value))
