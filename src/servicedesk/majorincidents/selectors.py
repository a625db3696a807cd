"""Every read of major incidents: the console's lists and pages, the ticket page's panel, the
API. Major incidents are seen by desk staff who may see their ticket (the model's rule)."""

from django.db.models import Count, Prefetch, Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from servicedesk.majorincidents.models import (
    ActionItem,
    MajorIncident,
    MajorRole,
    MajorStatus,
    PublicUpdate,
    Review,
    RoleAssignment,
)
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.states import OPEN_STATUSES

LINKED_PAGE = 200


def majors_for(*, user, status: str = ""):
    """Major incidents `user` may see, the active first, newest first."""
    rows = MajorIncident.objects.visible_to(user).select_related(
        "ticket", "ticket__assignment_group", "declared_by"
    )
    if status in MajorStatus.values:
        rows = rows.filter(status=status)
    current = RoleAssignment.objects.filter(ended_at__isnull=True).select_related("person")
    return (
        rows.annotate(linked=Count("ticket__children", distinct=True))
        .prefetch_related(Prefetch("roles", queryset=current, to_attr="current_roles"))
        .order_by("status", "-declared_at", "-id")
    )


def major_get(*, user, pk: int) -> MajorIncident | None:
    current = RoleAssignment.objects.filter(ended_at__isnull=True).select_related("person")
    return (
        MajorIncident.objects.visible_to(user)
        .select_related("ticket", "ticket__assignment_group", "declared_by", "resolved_by")
        .prefetch_related(Prefetch("roles", queryset=current, to_attr="current_roles"))
        .filter(pk=pk)
        .first()
    )


def major_for_ticket(*, ticket: Ticket) -> MajorIncident | None:
    return MajorIncident.objects.filter(ticket=ticket).first()


def role_history(*, major: MajorIncident):
    return major.roles.select_related("person", "assigned_by").order_by("assigned_at", "id")


def updates_of(*, major: MajorIncident):
    return (
        PublicUpdate.objects.filter(major=major)
        .select_related("author")
        .order_by("-created_at", "-id")
    )


def linked_of(*, major: MajorIncident, user, limit: int = LINKED_PAGE):
    """The tickets linked to the major incident that `user` may see (a bounded page) and how
    many there are, and how many people reported them."""
    rows = Ticket.objects.visible_to(user).filter(parent_id=major.ticket_id)
    counts = rows.aggregate(
        tickets=Count("id"),
        requesters=Count("requester", distinct=True),
        open=Count("id", filter=Q(status__in=sorted(OPEN_STATUSES))),
    )
    page = list(
        rows.select_related("requester", "assignment_group").order_by("created_at", "id")[:limit]
    )
    return page, counts


def reviews_for(*, user, open_only: bool = False):
    """Post-incident reviews with their action items counted."""
    rows = (
        Review.objects.filter(major__in=MajorIncident.objects.visible_to(user))
        .select_related("major", "major__ticket")
        .annotate(
            items=Count("action_items"),
            items_open=Count("action_items", filter=Q(action_items__done_at__isnull=True)),
        )
        .order_by("-created_at", "-id")
    )
    if open_only:
        rows = rows.filter(items_open__gt=0)
    return rows


def review_get(*, user, major_pk: int) -> Review | None:
    items = ActionItem.objects.select_related("owner", "done_by").order_by("due_date", "id")
    return (
        Review.objects.filter(major__in=MajorIncident.objects.visible_to(user), major_id=major_pk)
        .select_related("major", "major__ticket")
        .prefetch_related(Prefetch("action_items", queryset=items))
        .first()
    )


def action_item_get(*, user, pk: int) -> ActionItem | None:
    return (
        ActionItem.objects.filter(pk=pk, review__major__in=MajorIncident.objects.visible_to(user))
        .select_related("review")
        .first()
    )


def summary_text(line: dict) -> str:
    """One milestone of a review's timeline summary, in the active language."""
    who = line.get("who") or _("the desk")
    step = line.get("step")
    if step == "logged":
        return _("Logged as P%(priority)s") % {"priority": line.get("priority") or "?"}
    if step == "escalated":
        return _("Escalated to %(group)s by %(who)s") % {"group": line.get("group"), "who": who}
    if step == "declared":
        return _("Declared a major incident by %(who)s") % {"who": who}
    if step == "role":
        role = line.get("role")
        label = MajorRole(role).label if role in MajorRole.values else role
        return _("%(role)s: %(person)s (by %(who)s)") % {
            "role": label,
            "person": line.get("person") or "—",
            "who": who,
        }
    if step == "update":
        return _("Public update by %(who)s: %(text)s") % {"who": who, "text": line.get("text")}
    if step == "reminder":
        return _("Reminder: no public update for a while")
    if step == "resolved":
        return _("Resolved by %(who)s") % {"who": who}
    if step == "linked":
        return _("Linked tickets resolved with it: %(count)s") % {"count": line.get("count")}
    return str(step)


def summary_lines(review: Review) -> list[tuple]:
    """(at, text) of each milestone of the review's timeline summary."""
    return [(parse_datetime(line["at"]), summary_text(line)) for line in review.summary]
