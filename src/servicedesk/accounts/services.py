"""Writes of people: the preferences the interface remembers, callers the desk adds."""

import zoneinfo

from django.conf import settings
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Role, User
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.core.errors import NotPermitted, ValidationFailed


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


def requester_find_or_create(*, actor: User, name: str, email: str = "", phone: str = "") -> User:
    """Find a requester by email (or phone), or create one, for an agent logging a call."""
    if not is_staff_member(actor):
        raise NotPermitted(_("Only desk staff may create requesters."))
    email = email.strip().lower()
    errors = {}
    if not name.strip():
        errors["name"] = _("A name is required.")
    if not email and not phone.strip():
        errors["email"] = _("Give an email address or a phone number.")
    if errors:
        raise ValidationFailed(errors)
    person = None
    if email:
        person = User.objects.filter(email__iexact=email).first()
    if person is None and phone.strip():
        person = User.objects.filter(phone=phone.strip()).first()
    if person is not None:
        return person
    first, _sep, last = name.strip().partition(" ")
    base = (email.split("@")[0] if email else first.lower()) or "requester"
    username, n = base[:140], 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base[:140]}{n}"
    person = User(
        username=username,
        email=email,
        first_name=first,
        last_name=last,
        phone=phone.strip(),
        role=Role.REQUESTER,
    )
    person.set_unusable_password()
    person.save()
    return person
