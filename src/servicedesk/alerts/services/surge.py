"""Surge detection: many user tickets about one service (or category) in a short time are the
earliest sign of an outage that monitoring missed.

Each new ticket's timeline row `created` is observed (`surge_ticket_created`, registered in
`AlertsConfig.ready()`), inside the transaction that logs the ticket. The ticket's scope (its
service, else its category) has one `SurgeScope` row, locked first: tickets of one scope are
weighed one at a time, so two tickets logged at once never open two surge incidents. Then:

- a surge of the scope is proposed, or has an open incident: the ticket joins it (a child of
  the incident when there is one);
- otherwise, when the tickets of the scope logged within the rule's window (this one
  included) reach its threshold, a surge starts: with the rule's mode `open` the desk opens
  ONE incident "Possible outage of X" with those tickets as children; with `propose` an agent
  confirms (or dismisses) it from the console. Either way the group is told (`alerts.surge`).

A ticket counts when it is an incident, open, not restricted, without a parent, not logged by
monitoring, not a surge's incident, and in no surge yet (so a dismissed proposal's tickets do
not make another one).
"""

from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from servicedesk.accounts.models import Role, SupportGroup, User
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.alerts import selectors
from servicedesk.alerts.models import Surge, SurgeMode, SurgeRule, SurgeScope, SurgeStatus
from servicedesk.core.errors import NotPermitted, ValidationFailed
from servicedesk.notifications.services import notify
from servicedesk.tickets.models import Channel, Kind, Ticket, TicketEvent
from servicedesk.tickets.priority import Level
from servicedesk.tickets.services import ticket_log, ticket_set_parent
from servicedesk.tickets.states import OPEN_STATUSES

TOPIC = "alerts.surge"
SYSTEM_USERNAME = "surge-detection"

# Set while this module logs a surge's incident: its own `created` row is not weighed.
_opening: ContextVar[bool] = ContextVar("surge_opening", default=False)


def scope_key(ticket: Ticket) -> str:
    """The surge scope of a ticket: its service, else its category, else none ("")."""
    if ticket.service_id:
        return f"service:{ticket.service_id}"
    if ticket.category_id:
        return f"category:{ticket.category_id}"
    return ""


def counts(ticket: Ticket) -> bool:
    """Whether this ticket may be part of a surge (see the module's docstring)."""
    return (
        ticket.kind == Kind.INCIDENT
        and ticket.channel != Channel.MONITORING
        and ticket.status in OPEN_STATUSES
        and not ticket.is_restricted
        and ticket.parent_id is None
    )


def surge_ticket_created(event: TicketEvent) -> None:
    """The timeline observer: weigh a newly logged ticket for a surge of its scope."""
    if _opening.get():
        return
    ticket = event.ticket
    key = scope_key(ticket)
    if not key or not counts(ticket):
        return
    rule = selectors.surge_rule_for(service_id=ticket.service_id, category_id=ticket.category_id)
    if not rule.is_active:
        return
    scope = _scope_lock(key)
    surge = selectors.surge_active(scope=scope)
    if surge is not None:
        _join(surge, ticket)
        return
    since = ticket.created_at - timedelta(minutes=rule.window_minutes)
    tickets = selectors.surge_candidates(key=key, since=since)
    if ticket.pk not in {t.pk for t in tickets}:
        tickets.append(ticket)
    if len(tickets) < rule.threshold:
        return
    _start(scope, rule, ticket, tickets)


def _scope_lock(key: str) -> SurgeScope:
    """The scope's row, made if need be and locked until the ticket's transaction ends."""
    scope = SurgeScope.objects.select_for_update().filter(key=key).first()
    if scope is None:
        # Two first tickets of a scope at once: one INSERT wins, the other waits on the row.
        SurgeScope.objects.bulk_create([SurgeScope(key=key)], ignore_conflicts=True)
        scope = SurgeScope.objects.select_for_update().get(key=key)
    return scope


def system_account() -> User:
    """The account surge incidents are logged and linked under: no password, never emailed.
    An administrator's role, since it links tickets of every group."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "first_name": _("Surge detection")[:150],
            "role": Role.ADMIN,
            "email_notifications": False,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _group_for(rule: SurgeRule, ticket: Ticket) -> SupportGroup | None:
    if rule.assignment_group_id and rule.assignment_group.is_active:
        return rule.assignment_group
    if ticket.category_id and ticket.category.default_group_id:
        group = ticket.category.default_group
        if group.is_active:
            return group
    return SupportGroup.objects.filter(tier=1, is_active=True).order_by("id").first()


def _start(scope: SurgeScope, rule: SurgeRule, ticket: Ticket, tickets: list[Ticket]) -> Surge:
    now = timezone.now()
    by_service = bool(ticket.service_id)
    surge = Surge.objects.create(
        scope=scope,
        service=ticket.service if by_service else None,
        category=None if by_service else ticket.category,
        status=SurgeStatus.PROPOSED,
        threshold=rule.threshold,
        window_minutes=rule.window_minutes,
        group=_group_for(rule, ticket),
        detected_at=now,
        last_ticket_at=now,
    )
    surge.tickets.add(*tickets)
    if rule.mode == SurgeMode.OPEN:
        _incident_open(surge, tickets, decided_by=None, sync=ticket)
    _tell(surge)
    return surge


def _join(surge: Surge, ticket: Ticket) -> None:
    surge.tickets.add(ticket)
    surge.last_ticket_at = timezone.now()
    surge.save(update_fields=["last_ticket_at"])
    if surge.incident_id is not None:
        _link(ticket, surge.incident, sync=ticket)


def _link(child: Ticket, incident: Ticket, *, sync: Ticket | None = None) -> None:
    linked = ticket_set_parent(ticket=child, actor=system_account(), parent=incident)
    if sync is not None and sync.pk == linked.pk:
        # The writer that logged `sync` still holds it: keep its copy true to the row.
        sync.parent, sync.version, sync.updated_at = incident, linked.version, linked.updated_at


def _what(surge: Surge) -> str:
    return str(surge.service or surge.category or "?")


def _incident_open(
    surge: Surge, tickets: list[Ticket], *, decided_by: User | None, sync: Ticket | None = None
) -> Ticket:
    group = surge.group
    language = group.language if group is not None and group.language else settings.LANGUAGE_CODE
    with translation.override(language):
        what = _what(surge)
        title = _("Possible outage of %(what)s") % {"what": what}
        description = "\n".join(
            [
                ngettext(
                    "%(n)d ticket about %(what)s was logged within %(minutes)d minutes.",
                    "%(n)d tickets about %(what)s were logged within %(minutes)d minutes.",
                    len(tickets),
                )
                % {"n": len(tickets), "what": what, "minutes": surge.window_minutes},
                _("Detected by the desk from user tickets; they are this incident's children."),
                ", ".join(t.number for t in tickets),
            ]
        )
    token = _opening.set(True)
    try:
        incident = ticket_log(
            actor=system_account(),
            title=title[:200],
            kind=Kind.INCIDENT,
            description=description,
            service=surge.service if surge.service_id and surge.service.is_active else None,
            category=surge.category if surge.category_id and surge.category.is_active else None,
            impact=Level.HIGH,
            urgency=Level.MEDIUM,
            channel=Channel.MONITORING,
            assignment_group=group if group is not None and group.is_active else None,
        )
    finally:
        _opening.reset(token)
    surge.incident = incident
    surge.status = SurgeStatus.OPEN
    if decided_by is not None:
        surge.decided_by, surge.decided_at = decided_by, timezone.now()
    surge.save()
    for child in tickets:
        _link(child, incident, sync=sync)
    return incident


def _tell(surge: Surge) -> None:
    audience = [surge.group] if surge.group_id else []
    notify(
        TOPIC,
        surge.incident or surge,
        audience,
        {"surge": surge, "what": _what(surge), "count": surge.tickets.count()},
        dedup_key=f"alerts:surge:{surge.pk}:{surge.status}",
        fresh=True,
    )


# ---------------------------------------------------------------------------------------------
# An agent decides on a proposal


def _decidable(surge: Surge, actor: User) -> Surge:
    if not is_staff_member(actor):
        raise NotPermitted(_("Only desk staff decide on a possible outage."))
    scope = SurgeScope.objects.select_for_update().get(pk=surge.scope_id)
    surge = Surge.objects.select_related("service", "category", "group").get(pk=surge.pk)
    if surge.scope_id != scope.pk or surge.status != SurgeStatus.PROPOSED:
        raise ValidationFailed(
            {
                "status": _("This possible outage was already decided: %(status)s.")
                % {"status": surge.get_status_display()}
            }
        )
    return surge


@transaction.atomic
def surge_confirm(*, surge: Surge, actor: User) -> Surge:
    """An agent confirms a proposed surge: its incident is opened with its open tickets (those
    still without a parent) as children, and the group is told."""
    surge = _decidable(surge, actor)
    tickets = [t for t in surge.tickets.order_by("id") if counts(t)]
    _incident_open(surge, tickets, decided_by=actor)
    _tell(surge)
    return surge


@transaction.atomic
def surge_dismiss(*, surge: Surge, actor: User, note: str = "") -> Surge:
    """An agent dismisses a proposed surge: no incident; its tickets count towards no other."""
    surge = _decidable(surge, actor)
    surge.status = SurgeStatus.DISMISSED
    surge.decided_by, surge.decided_at = actor, timezone.now()
    surge.note = (note or "").strip()[:2000]
    surge.save(update_fields=["status", "decided_by", "decided_at", "note"])
    return surge


# ---------------------------------------------------------------------------------------------
# Rules

RULE_FIELDS = {"service", "category", "threshold", "window_minutes", "mode", "assignment_group"}


@transaction.atomic
def surge_rule_save(*, rule: SurgeRule | None = None, **fields) -> SurgeRule:
    """Make a rule (rule=None) or change one: for a service, a category, or (neither) global."""
    unknown = set(fields) - RULE_FIELDS - {"is_active"}
    if unknown:
        raise ValidationFailed({name: _("Cannot be changed.") for name in sorted(unknown)})
    rule = rule if rule is not None else SurgeRule()
    for name, value in fields.items():
        setattr(rule, name, value)
    errors: dict[str, str] = {}
    if rule.service_id and rule.category_id:
        errors["category"] = _("A rule is for a service or for a category, not both.")
    else:
        same = SurgeRule.objects.filter(
            service_id=rule.service_id, category_id=rule.category_id
        ).exclude(pk=rule.pk)
        if same.exists():
            field = "service" if rule.service_id else "category" if rule.category_id else "scope"
            errors[field] = _("There is already a rule for this scope.")
    if not 2 <= (rule.threshold or 0) <= 1000:
        errors["threshold"] = _("Must be between 2 and 1000.")
    if not 1 <= (rule.window_minutes or 0) <= 24 * 60:
        errors["window_minutes"] = _("Must be between 1 and 1440.")
    if rule.mode not in SurgeMode.values:
        errors["mode"] = _("Must be one of: %s.") % ", ".join(SurgeMode.values)
    if rule.assignment_group_id and not rule.assignment_group.is_active:
        errors["assignment_group"] = _("This group is not active.")
    if errors:
        raise ValidationFailed(errors)
    rule.save()
    return rule
