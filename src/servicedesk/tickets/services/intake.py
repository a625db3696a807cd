"""Logging a ticket: its number, requester snapshot, priority, group, clocks and timeline."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Role, SupportGroup, User
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.catalog.models import Category, ConfigurationItem, Service
from servicedesk.core.caches import TIMEOUT as CACHE_TIMEOUT
from servicedesk.core.caches import reference_key
from servicedesk.core.errors import (
    ValidationFailed,
)
from servicedesk.core.sequences import sequence_next
from servicedesk.sla.clocks import (
    clocks_start,
)
from servicedesk.tickets import events
from servicedesk.tickets.models import (
    NUMBER_PREFIX,
    Channel,
    Kind,
    Ticket,
    TierStint,
)
from servicedesk.tickets.priority import Level, priority_for
from servicedesk.tickets.services._base import (
    _catalog_errors,
    _level_errors,
    _notify_requester,
)
from servicedesk.tickets.services.access import _access_replace
from servicedesk.tickets.states import (
    Status,
)

NUMBER_START = 1001
DEFAULT_GROUP_KEY = reference_key("tickets:default-group")
# How far ahead of the desk's clock a reported time may be: the caller's clock may run fast.
REPORTED_AT_SKEW = timedelta(minutes=5)


def ticket_number_next(kind: str) -> str:
    return f"{NUMBER_PREFIX[kind]}{sequence_next(f'ticket_{kind}', start=NUMBER_START):07d}"


@transaction.atomic
def ticket_log(
    *,
    actor: User,
    title: str,
    kind: str = Kind.INCIDENT,
    requester: User | None = None,
    description: str = "",
    symptoms: str = "",
    category: Category | None = None,
    service: Service | None = None,
    configuration_item: ConfigurationItem | None = None,
    impact: str = Level.MEDIUM,
    urgency: str = Level.MEDIUM,
    channel: str = Channel.PORTAL,
    reported_at: datetime | None = None,
    assignment_group: SupportGroup | None = None,
    parent: Ticket | None = None,
    restricted_group: SupportGroup | None = None,
    restricted_people: Iterable[User] = (),
    intake_group: SupportGroup | None = None,
) -> Ticket:
    """Log a ticket: number it, snapshot the requester, compute priority, start its timeline.

    `restricted_group`/`restricted_people` are for intake channels that open restricted tickets
    (a security mailbox): the ticket is born seen only by that group, those people, the requester
    and the actor (see access.ticket_restrict). Neither the API nor the portal passes them.
    `intake_group` is the group an intake channel's configuration routes to (a mailbox's
    group): unlike `assignment_group` it is allowed whoever the actor is, since the desk chose
    it, not the person writing in.
    """
    now = timezone.now()
    requester = requester or actor
    staff = is_staff_member(actor)
    errors: dict[str, str] = {}
    if requester != actor and not staff:
        errors["requester"] = _("Only desk staff may log a ticket for someone else.")
    if not title or not title.strip():
        errors["title"] = _("A title is required.")
    if kind not in Kind.values:
        errors["kind"] = _("Must be one of: %s.") % ", ".join(Kind.values)
    if channel not in Channel.values:
        errors["channel"] = _("Must be one of: %s.") % ", ".join(Channel.values)
    errors |= _level_errors(impact=impact, urgency=urgency)
    errors |= _catalog_errors(category=category, service=service, ci=configuration_item)
    if reported_at is not None:
        if not staff:
            errors["reported_at"] = _("Only desk staff may set when a ticket was reported.")
        elif reported_at > now + REPORTED_AT_SKEW:
            errors["reported_at"] = _("Cannot be in the future.")
        elif reported_at < settings.SERVICEDESK_REPORTED_AT_EARLIEST:
            errors["reported_at"] = _("Cannot be before %(date)s.") % {
                "date": settings.SERVICEDESK_REPORTED_AT_EARLIEST.date().isoformat()
            }
    if assignment_group is not None and not assignment_group.is_active:
        errors["assignment_group"] = _("This group is not active.")
    restricted_people = list(restricted_people)
    if restricted_group is not None and not restricted_group.is_active:
        errors["restricted_group"] = _("This group is not active.")
    if not staff:
        # A requester's ticket starts at the desk, and may not hang under someone else's.
        if assignment_group is not None:
            errors["assignment_group"] = _("Only desk staff may choose the support group.")
        if parent is not None:
            errors["parent"] = _("Only desk staff may link a ticket to another.")
    if errors:
        raise ValidationFailed(errors)

    if intake_group is not None and not intake_group.is_active:
        intake_group = None
    group = assignment_group or intake_group or _default_group(category=category, service=service)
    ticket = Ticket(
        number=ticket_number_next(kind),
        kind=kind,
        status=Status.NEW,
        requester=requester,
        requester_name=requester.display_name,
        requester_email=requester.email,
        requester_phone=requester.phone,
        channel=channel,
        logged_by=actor,
        title=title.strip(),
        description=description,
        symptoms=symptoms,
        category=category,
        service=service,
        configuration_item=configuration_item,
        impact=impact,
        urgency=urgency,
        priority=priority_for(impact, urgency),
        assignment_group=group,
        tier=group.tier if group else 1,
        parent=parent,
        is_restricted=restricted_group is not None or bool(restricted_people),
        restricted_group=restricted_group,
        reported_at=reported_at or now,
        created_at=now,
        updated_at=now,
    )
    ticket.save()
    if ticket.is_restricted:
        listed = {person.pk: person for person in [*restricted_people, requester, actor]}
        _access_replace(ticket, actor, listed.values(), now)
    if group is not None:
        TierStint.objects.create(ticket=ticket, group=group, tier=group.tier, started_at=now)
    events.event_created(ticket, actor, now)
    clocks_start(ticket=ticket, now=now)
    _notify_requester(ticket, "ticket.logged", key="logged", fresh=True)
    return ticket


def requester_from_email(*, email: str, name: str = "") -> User:
    """The person writing in from `email`: the active person with that address, else a new
    requester (no password until they reset one) for an intake channel that accepts them."""
    email = email.strip().lower()
    if not email or "@" not in email:
        raise ValidationFailed({"email": _("A valid email address is required.")})
    person = User.objects.filter(email__iexact=email, is_active=True).order_by("id").first()
    if person is not None:
        return person
    first, _sep, last = " ".join(name.split()).partition(" ")
    base = email.split("@")[0][:140] or "requester"
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}{n}"
    person = User(
        username=username,
        email=email,
        first_name=first[:150],
        last_name=last[:150],
        role=Role.REQUESTER,
    )
    person.set_unusable_password()
    person.save()
    return person


def _default_group(*, category: Category | None, service: Service | None) -> SupportGroup | None:
    """New tickets go to L1 unless the category says otherwise: the service desk sees all first."""
    if category is not None and category.default_group_id:
        return category.default_group
    # In a tuple, so that "no L1 group" is cached too.
    (group,) = cache.get_or_set(
        DEFAULT_GROUP_KEY,
        lambda: (SupportGroup.objects.filter(tier=1, is_active=True).order_by("id").first(),),
        CACHE_TIMEOUT,
    )
    return group
