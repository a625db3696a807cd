"""Who may do what to a ticket they can see. Visibility itself is `Ticket.visibility_rule`
(core/visibility.py).

`ACTION_POLICIES` is the one table of who may take each action of the registry
(`tickets/actions.py`): the API and the console ask it before they read the input, and the
services ask it again (`services._base._require`), so all three agree.
"""

from collections.abc import Callable

from servicedesk.accounts.models import Role
from servicedesk.accounts.permissions import group_ids_of, is_admin, is_staff_member


def works_on(user, ticket) -> bool:
    """Staff work a ticket that sits with one of their groups, with them, or with no group yet."""
    if is_admin(user):
        return True
    if not is_staff_member(user):
        return False
    return (
        ticket.assignment_group_id is None
        or ticket.assignee_id == user.pk
        or ticket.assignment_group_id in group_ids_of(user)
    )


def requester_or_works_on(user, ticket) -> bool:
    """The requester speaks for their own ticket (reopen, withdraw); so does whoever works it."""
    return ticket.requester_id == user.pk or works_on(user, ticket)


def requester_or_admin(user, ticket) -> bool:
    """Only the requester confirms that the fix works; nobody at the desk confirms for them,
    except an administrator."""
    return ticket.requester_id == user.pk or is_admin(user)


Policy = Callable[[object, object], bool]

# Action name (as the registry, the URLs and the API's `actions` spell it) → who may take it.
ACTION_POLICIES: dict[str, Policy] = {
    "assign": works_on,
    "start": works_on,
    "hold": works_on,
    "resume": works_on,
    "escalate": works_on,
    "de-escalate": works_on,
    "escalate-to-manager": works_on,
    "resolve": works_on,
    "confirm": requester_or_admin,
    "reopen": requester_or_works_on,
    "close": works_on,
    "cancel": requester_or_works_on,
    "reclassify": works_on,
    "mark-duplicate": works_on,
    "set-parent": works_on,
    "diagnosis": works_on,
    "edit": works_on,
    "rate": lambda user, ticket: ticket.requester_id == user.pk,
    "restrict": lambda user, ticket: can_restrict(user),
    "unrestrict": lambda user, ticket: can_restrict(user),
}


def can_perform(user, ticket, action: str) -> bool:
    """Whether `user` may take `action` (a name of ACTION_POLICIES) on `ticket`."""
    return ACTION_POLICIES[action](user, ticket)


def can_edit(user, ticket) -> bool:
    return can_perform(user, ticket, "edit")


def can_comment(user, ticket, *, public: bool) -> bool:
    if ticket.requester_id == user.pk and public:
        return True
    return is_staff_member(user)


def can_see_internal(user) -> bool:
    return is_staff_member(user)


def can_restrict(user) -> bool:
    """Security officers and administrators mark tickets restricted (and lift it), and only on
    tickets they can see: being an administrator does not open a restricted ticket."""
    return is_admin(user) or bool(
        user.is_authenticated and user.is_active and user.role == Role.SECURITY_OFFICER
    )
