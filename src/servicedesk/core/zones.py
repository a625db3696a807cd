"""Time zone names: one rule for what the desk accepts as a zone (an IANA name zoneinfo knows)."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def zone_error(name) -> str:
    """Why `name` is not an IANA time zone, or ""."""
    if not name or not isinstance(name, str):
        return _("This field is required.")
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return _("Not a known time zone (an IANA name such as Europe/Bucharest).")
    return ""


def validate_time_zone(value) -> None:
    """A model field's validator: the admin's forms refuse a zone the pages could not use."""
    if message := zone_error(value):
        raise ValidationError(message, code="time_zone")
