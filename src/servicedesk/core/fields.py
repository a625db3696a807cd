"""Serializer fields that read ids strictly.

DRF's PrimaryKeyRelatedField passes what the client sent to `queryset.get(pk=…)`, and Django
casts it: `1.5` and `2.0` become 1 and 2, so a typo writes a real row; an id past 64 bits fails
in the database (an overflow, a 500) instead of as a validation error.
"""

import re

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

#: The largest id a row can have (a signed 64-bit column, on PostgreSQL and SQLite alike).
MAX_ID = 2**63 - 1

#: Years a date the API reads may fall in. Any other is a typo, and the far ends of the calendar
#: (year 1 at +14:00, 9999-12-31 plus a day) have no UTC form or no next day: an OverflowError.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2199

_DIGITS = re.compile(r"[0-9]+")


def id_from_text(text) -> int | None:
    """The id `text` spells in ASCII digits, from 1 to MAX_ID, or None.

    Not str.isdigit(): it passes "²" and other digits int() cannot read, and thousands of
    digits, which int() refuses to (each a 500 where a view trusted it).
    """
    text = str(text)
    if not _DIGITS.fullmatch(text) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


class TextKeyRelatedField(serializers.SlugRelatedField):
    """DRF's SlugRelatedField, refusing a NUL character before the lookup: PostgreSQL cannot
    compare text holding one (a DataError, a 500)."""

    default_error_messages = {"null_character": _("The value contains a NUL character.")}

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("null_character")
        return super().to_internal_value(data)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdField(serializers.PrimaryKeyRelatedField):
    """The id of a row of `queryset`: a JSON integer from 1 to 2^63 − 1.

    A string of ASCII digits is read too, since a form or multipart post can send nothing else.
    Booleans, floats (even 2.0), other strings and numbers out of range are refused with one
    message; an id in range that names no row gets DRF's "does not exist".
    """

    default_error_messages = {
        "not_an_id": _("Give the id as a whole number."),
        "out_of_range": _("Give an id from 1 to {max}."),
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            if not _DIGITS.fullmatch(data):
                self.fail("not_an_id")
            if len(data) > len(str(MAX_ID)):  # before int(): it refuses over 4,300 digits
                self.fail("out_of_range", max=MAX_ID)
            data = int(data)
        # bool is an int in Python but true is not an id; a float is not, even when whole.
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("not_an_id")
        if not 1 <= data <= MAX_ID:
            self.fail("out_of_range", max=MAX_ID)
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "type": "string",
        "format": "date-time",
        "description": f"ISO 8601, in the years {EARLIEST_YEAR}–{LATEST_YEAR}.",
    }
)
class MomentField(serializers.DateTimeField):
    """An ISO 8601 date and time whose year is from EARLIEST_YEAR to LATEST_YEAR.

    Checked before DRF converts it to the current time zone, where year 1 at +14:00 has no UTC
    form (an OverflowError, a 500) and a year like 1800 would come back with a local-mean-time
    offset such as +01:44:24, which is not RFC 3339.
    """

    default_error_messages = {
        "out_of_range": _("Give a date from {first} to {last}."),
        "not_a_moment": _("Give an existing date and time (ISO 8601)."),
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:  # well-formed but not a real moment: minute 99, 30 February
                self.fail("not_a_moment")
            if parsed is not None and not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
                self.fail("out_of_range", first=EARLIEST_YEAR, last=LATEST_YEAR)
        try:
            return super().to_internal_value(value)
        except OverflowError:
            self.fail("out_of_range", first=EARLIEST_YEAR, last=LATEST_YEAR)
