"""Query-string filters of the ticket list, shared by the API and the console.

Every filter a client names must hold a usable value: one that is empty, malformed or out of
range is refused with a 400 naming it, never ignored or passed to the database (where an id past
64 bits, or a date whose UTC form falls outside the calendar, fails as a server error).
"""

import re
from datetime import UTC, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from servicedesk.core.fields import EARLIEST_YEAR, LATEST_YEAR, MAX_ID
from servicedesk.sla.selectors import tickets_breached, tickets_breaching_soon
from servicedesk.tickets.models import Kind
from servicedesk.tickets.states import OPEN_STATUSES, Status

MAX_QUERY_LENGTH = 200

_WHOLE_NUMBER = re.compile(r"[0-9]{1,19}")
_ID_FILTERS = (
    ("assignment_group", "assignment_group_id"),
    ("requester", "requester_id"),
    ("category", "category_id"),
    ("service", "service_id"),
)


def _refuse(name: str, reason: str) -> ValidationError:
    return ValidationError({name: [reason]})


def _present(params, name: str) -> str | None:
    """The value of a filter the client named (stripped), None if not named.

    Named but empty is refused: a client that sends `tier=` meant some tier, and listing every
    ticket instead would answer a question it did not ask.
    """
    if name not in params:
        return None
    raw = params.get(name)
    value = raw.strip() if isinstance(raw, str) else ""
    if not value:
        raise _refuse(name, _("Give a value, or leave the parameter out."))
    if "\x00" in value:
        raise _refuse(name, _("The value contains a NUL character."))
    return value


def _items(*, name: str, raw: str) -> list[str]:
    items = [v.strip() for v in raw.split(",")]
    if not all(items):
        raise _refuse(name, _("An item of the comma-separated list is empty."))
    return items


def _whole_numbers(*, name: str, raw: str, low: int, high: int) -> list[int]:
    """Comma-separated whole numbers, each from `low` to `high`.

    ASCII digits only: str.isdigit() also accepts '²' and other digits int() cannot read.
    """
    values = []
    for item in _items(name=name, raw=raw):
        if not _WHOLE_NUMBER.fullmatch(item) or not low <= int(item) <= high:
            raise _refuse(
                name,
                _("'%(value)s' is not a whole number from %(low)s to %(high)s.")
                % {"value": item[:40], "low": low, "high": high},
            )
        values.append(int(item))
    return values


def _ids(*, name: str, raw: str) -> list[int]:
    return _whole_numbers(name=name, raw=raw, low=1, high=MAX_ID)


def _moment(*, name: str, raw: str) -> datetime:
    """An ISO 8601 date and time; without an offset it is in the current time zone (as Django
    reads naive times), and a date alone is the start of that day."""
    wrong = _("Give an ISO 8601 date and time, e.g. 2026-01-31T09:00:00Z.")
    try:
        value = parse_datetime(raw)
    except ValueError:  # well formed but impossible: 31 February, an offset of 25 hours
        raise _refuse(name, wrong) from None
    if value is None:
        raise _refuse(name, wrong)
    # Checked on the local fields, before any conversion: year 1 at +14:00 has no UTC form.
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise _refuse(
            name,
            _("Give a date from %(first)s to %(last)s.")
            % {"first": EARLIEST_YEAR, "last": LATEST_YEAR},
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(UTC)


def _statuses(raw: str) -> list[str]:
    wanted: set[str] = set()
    for value in _items(name="status", raw=raw):
        if value == "open":
            wanted |= set(OPEN_STATUSES)
        elif value in Status.values:
            wanted.add(value)
        else:
            raise _refuse(
                "status",
                _("'%(value)s' is not one of: %(choices)s.")
                % {"value": value[:40], "choices": ", ".join(["open", *Status.values])},
            )
    return sorted(wanted)


def _one_of(*, name: str, raw: str, choices: list[str]) -> str:
    if raw not in choices:
        raise _refuse(name, _("Must be one of: %s.") % ", ".join(choices))
    return raw


def ticket_filter(queryset: QuerySet, request) -> QuerySet:
    """The tickets of `queryset` that match the filters of the request's query string."""
    api = hasattr(request, "query_params")
    params = request.query_params if api else request.GET
    if (raw := _present(params, "status")) is not None:
        queryset = queryset.filter(status__in=_statuses(raw))
    if (raw := _present(params, "kind")) is not None:
        queryset = queryset.filter(kind=_one_of(name="kind", raw=raw, choices=Kind.values))
    if (raw := _present(params, "priority")) is not None:
        priorities = _whole_numbers(name="priority", raw=raw, low=1, high=5)
        queryset = queryset.filter(priority__in=priorities)
    if (raw := _present(params, "tier")) is not None:
        queryset = queryset.filter(tier__in=_whole_numbers(name="tier", raw=raw, low=1, high=3))
    for name, field in _ID_FILTERS:
        raw = _present(params, name)
        if raw is None:
            continue
        if name == "requester" and raw == "0" and not api:
            # The console's requester search matched nobody (tickets.forms.QueueFilterForm):
            # a filter that matches no ticket, rather than no filter. Not an API value.
            queryset = queryset.none()
            continue
        queryset = queryset.filter(**{f"{field}__in": _ids(name=name, raw=raw)})
    if (raw := _present(params, "assignee")) is not None:
        if raw == "me":
            queryset = queryset.filter(assignee_id=request.user.pk)
        elif raw == "none":
            queryset = queryset.filter(assignee__isnull=True)
        else:
            queryset = queryset.filter(assignee_id__in=_ids(name="assignee", raw=raw))
    if (raw := _present(params, "created_after")) is not None:
        queryset = queryset.filter(created_at__gte=_moment(name="created_after", raw=raw))
    if (raw := _present(params, "created_before")) is not None:
        queryset = queryset.filter(created_at__lt=_moment(name="created_before", raw=raw))
    if (raw := _present(params, "updated_after")) is not None:
        queryset = queryset.filter(updated_at__gte=_moment(name="updated_after", raw=raw))
    if (raw := _present(params, "sla")) is not None:
        choices = ["breaching_soon", "breached"]
        if _one_of(name="sla", raw=raw, choices=choices) == "breaching_soon":
            queryset = tickets_breaching_soon(queryset, now=timezone.now())
        else:
            queryset = tickets_breached(queryset)
    if (raw := _present(params, "q")) is not None:
        if len(raw) > MAX_QUERY_LENGTH:
            raise _refuse("q", _("At most %s characters.") % MAX_QUERY_LENGTH)
        queryset = queryset.filter(Q(number__iexact=raw) | Q(title__icontains=raw))
    return queryset
