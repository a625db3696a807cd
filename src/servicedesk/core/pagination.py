"""Keyset ("cursor") pagination over any allow-listed ordering.

DRF's CursorPagination positions on the first ordering field only and counts ties with an
offset, which degrades to a scan when that field has few values (priority has five). Here the
cursor holds the last row's value of every ordering field, so each page is one index range.
"""

import base64
import json
import re
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

#: A page size as a client writes it: ASCII digits. str.isdigit() also passes "²", which int()
#: cannot read, and 5,000 digits, which it refuses to (both were a 500).
_PAGE_SIZE = re.compile(r"[0-9]{1,4}")
#: The values a cursor this class writes can hold (a 64-bit id or priority, a time or number).
_INT64 = range(-(2**63), 2**63)


def _cursor_value(value) -> bool:
    """Whether `value` is one a cursor of ours could have held; anything else was edited."""
    if value is None:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value in _INT64
    return isinstance(value, str) and "\x00" not in value


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


class KeysetPagination(BasePagination):
    page_size = 50
    max_page_size = 200
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering_query_param = "ordering"
    #: {"public name": "model field"} that a client may order by.
    ordering_fields: dict[str, str] = {}
    default_ordering: tuple[str, ...] = ()
    tiebreak = "id"
    invalid_cursor_message = "Invalid cursor, or it was made for another ordering."

    def ordering(self, request) -> list[str]:
        raw = request.query_params.get(self.ordering_query_param)
        names = [n.strip() for n in raw.split(",") if n.strip()] if raw else self.default_ordering
        fields = []
        for name in names:
            desc = name.startswith("-")
            field = self.ordering_fields.get(name.lstrip("-"))
            if field is None:
                raise ValidationError(
                    {
                        "ordering": [
                            f"'{name}' is not sortable; use: {', '.join(self.ordering_fields)}"
                            " (prefix - for descending)."
                        ]
                    }
                )
            fields.append(f"-{field}" if desc else field)
        if not any(f.lstrip("-") == self.tiebreak for f in fields):
            fields.append(
                f"-{self.tiebreak}" if fields and fields[0].startswith("-") else self.tiebreak
            )
        return fields

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.fields = self.ordering(request)
        self.size = self._page_size(request)
        queryset = queryset.order_by(*self.fields)
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor:
            try:
                queryset = queryset.filter(self._after(self._decode(cursor)))
            except (DjangoValidationError, TypeError, ValueError):
                # A cursor that decodes but holds values of the wrong type (edited by hand).
                raise ValidationError({"cursor": [self.invalid_cursor_message]}) from None
        rows = list(queryset[: self.size + 1])
        self.has_next = len(rows) > self.size
        self.page = rows[: self.size]
        return self.page

    def _page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not _PAGE_SIZE.fullmatch(raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"Must be a whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def _after(self, values: list) -> Q:
        """Rows strictly after `values` in the ordering: (a > x) | (a = x & b > y) | …"""
        condition = Q()
        equal = Q()
        for field, value in zip(self.fields, values, strict=True):
            name = field.lstrip("-")
            lookup = "lt" if field.startswith("-") else "gt"
            condition |= equal & Q(**{f"{name}__{lookup}": value})
            equal &= Q(**{name: value})
        return condition

    def _encode(self, row) -> str:
        values = []
        for field in self.fields:
            name = field.lstrip("-")
            if isinstance(row, dict):  # a page fetched with .values()
                value = row[name]
            else:
                value = row
                for part in name.split("__"):
                    value = getattr(value, part)
            values.append(value.isoformat() if isinstance(value, datetime) else value)
        raw = json.dumps({"o": self.fields, "v": values}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def _decode(self, cursor: str) -> list:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            # Infinity and NaN would reach an integer column as floats (an OverflowError).
            data = json.loads(raw, parse_constant=_refuse_constant)
            if data["o"] != self.fields or len(data["v"]) != len(self.fields):
                raise ValueError
            if not all(_cursor_value(v) for v in data["v"]):
                raise ValueError
            return data["v"]
        except (ValueError, KeyError, TypeError):
            raise ValidationError({"cursor": [self.invalid_cursor_message]}) from None

    def next_cursor(self) -> str | None:
        """The cursor of the page after the one just paginated, or None on the last page."""
        if not self.has_next or not self.page:
            return None
        return self._encode(self.page[-1])

    def get_next_link(self) -> str | None:
        cursor = self.next_cursor()
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The `next` link's cursor from the previous page.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1–{self.max_page_size} (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
            {
                "name": self.ordering_query_param,
                "required": False,
                "in": "query",
                "description": "Comma-separated, from: "
                + ", ".join(self.ordering_fields)
                + "; prefix - for descending.",
                "schema": {"type": "string"},
            },
        ]
