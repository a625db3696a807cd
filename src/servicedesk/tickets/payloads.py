"""The ticket's JSON, built in one place: the API's list rows and detail, and the subject of a
webhook event. `serializers.TicketListSerializer` and `TicketDetailSerializer` only document
these shapes in the OpenAPI schema; a test holds them equal (tests/tickets/test_payloads.py).
Built by hand because DRF's serializers build a field object per value: a list page of them
cost several times the query that fills it.
"""

from datetime import UTC, datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.selectors import group_labels
from servicedesk.catalog.selectors import category_paths
from servicedesk.notifications.topics import Summary
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.selectors import linked_number


def _iso(value: datetime | None, zone) -> str | None:
    """A datetime as DRF's DateTimeField renders it: in the current time zone, UTC as Z."""
    if value is None:
        return None
    local = value.astimezone(zone)
    if local.utcoffset().seconds % 60:
        # A local mean time (+01:44:24 before 1891 in Bucharest) is not RFC 3339: say it in UTC.
        local = value.astimezone(UTC)
    text = local.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _person(pk: int | None, first: str | None, last: str | None, username: str | None):
    if pk is None:
        return None
    # User.display_name: get_full_name() or username
    return {"id": pk, "name": f"{first} {last}".strip() or username}


def ticket_list_data(rows) -> list[dict]:
    """TicketListSerializer(many=True).data for rows of selectors.TICKET_LIST_COLUMNS.

    Group and category names come from the cached reference data, not from joins: with them
    PostgreSQL spent several times longer planning each page (bench/README.md has the figures).
    """
    zone = timezone.get_current_timezone()
    rows = list(rows)
    groups = group_labels({r["assignment_group_id"] for r in rows} - {None})
    categories = category_paths({r["category_id"] for r in rows} - {None})
    data = []
    for r in rows:
        group_id = r["assignment_group_id"]
        category_id = r["category_id"]
        data.append(
            {
                "number": r["number"],
                "url": f"/api/tickets/{r['number']}/",
                "kind": r["kind"],
                "status": r["status"],
                "hold_reason": r["hold_reason"],
                "title": r["title"],
                "priority": r["priority"],
                "impact": r["impact"],
                "urgency": r["urgency"],
                "tier": r["tier"],
                "requester": _person(
                    r["requester_id"],
                    r["requester__first_name"],
                    r["requester__last_name"],
                    r["requester__username"],
                ),
                "requester_name": r["requester_name"],
                "category": None
                if category_id is None
                else {"id": category_id, "path": categories[category_id]},
                "assignment_group": None if group_id is None else groups[group_id],
                "assignee": _person(
                    r["assignee_id"],
                    r["assignee__first_name"],
                    r["assignee__last_name"],
                    r["assignee__username"],
                ),
                "channel": r["channel"],
                "reported_at": _iso(r["reported_at"], zone),
                "created_at": _iso(r["created_at"], zone),
                "updated_at": _iso(r["updated_at"], zone),
            }
        )
    return data


def _ref(obj) -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def _user(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": str(user.display_name)}


def ticket_detail_data(ticket: Ticket, *, actions: list, children: list[str], viewer) -> dict:
    """A ticket as `viewer` may read it: the API's detail, which answers every write too.

    With no viewer (the desk itself, e.g. a webhook to a system an administrator subscribed)
    linked tickets are named without a visibility filter.
    """
    zone = timezone.get_current_timezone()
    category = ticket.category
    group = ticket.assignment_group
    parent = ticket.parent
    duplicate_of = ticket.duplicate_of
    return {
        "number": ticket.number,
        "url": f"/api/tickets/{ticket.number}/",
        "kind": ticket.kind,
        "status": ticket.status,
        "hold_reason": ticket.hold_reason,
        "title": ticket.title,
        "priority": ticket.priority,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "tier": ticket.tier,
        "requester": _user(ticket.requester),
        "requester_name": ticket.requester_name,
        "category": None if category is None else {"id": category.pk, "path": category.path},
        "assignment_group": None
        if group is None
        else {"id": group.pk, "name": group.name, "tier": group.tier},
        "assignee": _user(ticket.assignee),
        "channel": ticket.channel,
        "reported_at": _iso(ticket.reported_at, zone),
        "created_at": _iso(ticket.created_at, zone),
        "updated_at": _iso(ticket.updated_at, zone),
        "description": ticket.description,
        "symptoms": ticket.symptoms,
        "requester_email": ticket.requester_email,
        "requester_phone": ticket.requester_phone,
        "service": _ref(ticket.service),
        "configuration_item": _ref(ticket.configuration_item),
        "cancel_reason": ticket.cancel_reason,
        "resolution_code": ticket.resolution_code,
        "resolution_notes": ticket.resolution_notes,
        "service_restored": ticket.service_restored,
        "parent": _linked(parent, viewer),
        "children": children,
        "duplicate_of": _linked(duplicate_of, viewer),
        "reassignment_count": ticket.reassignment_count,
        "escalation_count": ticket.escalation_count,
        "reopen_count": ticket.reopen_count,
        "manager_escalated_at": _iso(ticket.manager_escalated_at, zone),
        "is_major": ticket.is_major,
        "is_restricted": ticket.is_restricted,
        "restricted_group": _group(ticket.restricted_group) if ticket.restricted_group_id else None,
        "first_response_at": _iso(ticket.first_response_at, zone),
        "assigned_at": _iso(ticket.assigned_at, zone),
        "resolved_at": _iso(ticket.resolved_at, zone),
        "resolved_by": _user(ticket.resolved_by),
        "satisfaction": _satisfaction(ticket),
        "closed_at": _iso(ticket.closed_at, zone),
        "cancelled_at": _iso(ticket.cancelled_at, zone),
        "version": ticket.version,
        "etag": ticket.etag,
        "actions": [str(a) for a in actions],
    }


def _satisfaction(ticket: Ticket) -> dict | None:
    if ticket.status != "closed" or not ticket.is_rated:  # only a closed ticket has one
        return None
    rated = ticket.satisfaction
    zone = timezone.get_current_timezone()
    return {
        "rating": rated.rating,
        "comment": rated.comment,
        "rated_at": _iso(rated.rated_at, zone),
    }


def _group(group) -> dict:
    return {"id": group.pk, "name": group.name, "tier": group.tier}


def _linked(other: Ticket | None, viewer) -> str | None:
    if viewer is None:
        return other.number if other is not None else None
    return linked_number(other=other, user=viewer)


def ticket_payload(ticket: Ticket) -> dict:
    """The ticket in a webhook event: its detail, with every child's number, no actions."""
    children = list(ticket.children.order_by("id").values_list("number", flat=True))
    return ticket_detail_data(ticket, actions=[], children=children, viewer=None)


def ticket_facts(ticket: Ticket) -> dict:
    """What a chat subscription filters a ticket's events on: its group and priority."""
    return {"group": ticket.assignment_group_id, "priority": f"P{ticket.priority}"}


def ticket_summary(ticket: Ticket) -> Summary:
    """The ticket in a chat message, in the active language, linking to its console page."""
    group = ticket.assignment_group
    assignee = ticket.assignee
    fields = [
        (_("Priority"), str(ticket.get_priority_display())),
        (_("Status"), str(ticket.get_status_display())),
        (_("Group"), group.name if group is not None else _("none")),
        (_("Assignee"), assignee.display_name if assignee is not None else _("nobody yet")),
    ]
    return Summary(
        reference=ticket.number,
        title=ticket.title,
        path=reverse("desk-ticket", args=[ticket.number]),
        fields=tuple(fields),
    )
