"""Writes of people: the preferences the interface remembers."""

import zoneinfo

from django.conf import settings
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.core.errors import ValidationFailed


def user_preferences_set(
    *, user: User, language: str | None = None, time_zone: str | None = None
) -> User:
    """Remember the person's interface language and/or time zone."""
    errors = {}
    if language is not None and language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose one of the offered languages.")
    if time_zone is not None and time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = _("Choose a time zone from the list.")
    if errors:
        raise ValidationFailed(errors)
    fields = []
    if language is not None and language != user.language:
        user.language = language
        fields.append("language")
    if time_zone is not None and time_zone != user.time_zone:
        user.time_zone = time_zone
        fields.append("time_zone")
    if fields:
        user.save(update_fields=fields)
    return user
