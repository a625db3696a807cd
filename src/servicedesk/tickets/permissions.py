"""Who may do what to a ticket they can see. Visibility itself is `Ticket.visibility_rule`."""

from servicedesk.accounts.models import Role
from servicedesk.accounts.permissions import group_ids_of, is_admin, is_staff_member
from servicedesk.tickets.states import REQUESTER_ACTIONS, Action

# Actions only the requester (or an administrator) may take: they speak for the requester.
REQUESTER_ONLY_ACTIONS = frozenset({Action.CONFIRM})


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


def can_perform(user, ticket, action: str) -> bool:
    if ticket.requester_id == user.pk and action in REQUESTER_ACTIONS:
        return True
    if action in REQUESTER_ONLY_ACTIONS:
        return is_admin(user)
    return works_on(user, ticket)


def can_edit(user, ticket) -> bool:
    return works_on(user, ticket)


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
