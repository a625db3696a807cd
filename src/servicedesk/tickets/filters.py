"""Query-string filters of the ticket list, shared by the API and the console."""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from servicedesk.sla.selectors import tickets_breached, tickets_breaching_soon
from servicedesk.tickets.models import Kind
from servicedesk.tickets.states import OPEN_STATUSES, Status


def _ids(name: str, raw: str) -> list[int]:
    values = [v.strip() for v in raw.split(",") if v.strip()]
    if not values or not all(v.isdigit() for v in values):
        raise ValidationError({name: [_("Give whole numbers, comma-separated.")]})
    return [int(v) for v in values]


def _moment(name: str, raw: str) -> datetime:
    value = parse_datetime(raw)
    if value is None:
        raise ValidationError(
            {name: [_("Give an ISO 8601 date and time, e.g. 2026-01-31T09:00:00Z.")]}
        )
    return value


def ticket_filter(queryset: QuerySet, request) -> QuerySet:
    params = request.query_params if hasattr(request, "query_params") else request.GET
    if raw := params.get("status"):
        statuses = [v.strip() for v in raw.split(",") if v.strip()]
        wanted: set[str] = set()
        for value in statuses:
            if value == "open":
                wanted |= set(OPEN_STATUSES)
            elif value in Status.values:
                wanted.add(value)
            else:
                raise ValidationError(
                    {
                        "status": [
                            _("'%(value)s' is not one of: %(choices)s.")
                            % {"value": value, "choices": ", ".join(["open", *Status.values])}
                        ]
                    }
                )
        queryset = queryset.filter(status__in=sorted(wanted))
    if raw := params.get("kind"):
        if raw not in Kind.values:
            raise ValidationError({"kind": [_("Must be one of: %s.") % ", ".join(Kind.values)]})
        queryset = queryset.filter(kind=raw)
    if raw := params.get("priority"):
        priorities = _ids("priority", raw)
        if not all(1 <= p <= 5 for p in priorities):
            raise ValidationError({"priority": [_("Priorities are 1 to 5.")]})
        queryset = queryset.filter(priority__in=priorities)
    for name, field in (
        ("assignment_group", "assignment_group_id"),
        ("requester", "requester_id"),
        ("category", "category_id"),
        ("service", "service_id"),
        ("tier", "tier"),
    ):
        if raw := params.get(name):
            queryset = queryset.filter(**{f"{field}__in": _ids(name, raw)})
    if raw := params.get("assignee"):
        if raw == "me":
            queryset = queryset.filter(assignee_id=request.user.pk)
        elif raw == "none":
            queryset = queryset.filter(assignee__isnull=True)
        else:
            queryset = queryset.filter(assignee_id__in=_ids("assignee", raw))
    if raw := params.get("created_after"):
        queryset = queryset.filter(created_at__gte=_moment("created_after", raw))
    if raw := params.get("created_before"):
        queryset = queryset.filter(created_at__lt=_moment("created_before", raw))
    if raw := params.get("updated_after"):
        queryset = queryset.filter(updated_at__gte=_moment("updated_after", raw))
    if raw := params.get("sla"):
        if raw == "breaching_soon":
            queryset = tickets_breaching_soon(queryset, now=timezone.now())
        elif raw == "breached":
            queryset = tickets_breached(queryset)
        else:
            raise ValidationError({"sla": [_("Must be one of: %s.") % "breaching_soon, breached"]})
    if raw := params.get("q", "").strip():
        queryset = queryset.filter(Q(number__iexact=raw) | Q(title__icontains=raw))
    return queryset
