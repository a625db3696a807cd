"""Every write of the on-call app: escalations started, advanced and stopped, pages sent and
acknowledged, schedules (their layers, rotations and overrides), escalation policies, a person's
contact methods, rules and calendar feed.

An escalation starts from a snapshot of its policy when an incident that needs paging is logged,
escalated or changed (the timeline observer in `apps.py`), pages its first level at once and
then waits on the due-work sweep: each level's step runs at its exact time (24×7), claimed with
SKIP LOCKED, so a page is sent once however many workers sweep. A step's pages, their timeline
rows and their messages are written in bulk for a whole batch of due escalations.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import SupportGroup, User
from servicedesk.accounts.permissions import is_admin, is_staff_member
from servicedesk.core.errors import NotPermitted, ServiceError, ValidationFailed
from servicedesk.core.fields import id_from_text
from servicedesk.core.visibility import is_visible
from servicedesk.core.zones import zone_error
from servicedesk.notifications.services import Recipient, notify
from servicedesk.oncall import schedules, selectors
from servicedesk.oncall.models import (
    CalendarFeed,
    ContactMethod,
    Escalation,
    EscalationPolicy,
    LayerParticipant,
    NotificationRule,
    Page,
    Rotation,
    Schedule,
    ScheduleLayer,
    ScheduleOverride,
    new_token,
    validate_restrictions,
)
from servicedesk.tickets import events
from servicedesk.tickets.models import Kind, Ticket
from servicedesk.tickets.priority import Priority
from servicedesk.tickets.services import ticket_page_acknowledge
from servicedesk.tickets.states import OPEN_STATUSES

TOPIC = "oncall.page"
ACK_SALT = "servicedesk.oncall.acknowledge"
S = Escalation.State


# ---------------------------------------------------------------------------------------------
# Starting and stopping


def policy_for(ticket: Ticket) -> EscalationPolicy | None:
    """The active policy of the ticket's service, else of its assignment group."""
    policies = EscalationPolicy.objects.filter(is_active=True).order_by("pk")
    if ticket.service_id:
        policy = policies.filter(service_id=ticket.service_id).first()
        if policy is not None:
            return policy
    if ticket.assignment_group_id:
        return policies.filter(support_group_id=ticket.assignment_group_id).first()
    return None


def needs_paging(ticket: Ticket, policy: EscalationPolicy) -> bool:
    """An open incident of a paging priority (the policy's, else the setting's) whose
    assignment group is of a paging tier (SERVICEDESK_ONCALL_PAGE_TIERS, L3 by default)."""
    if not _may_page(ticket):
        return False
    return ticket.priority in (policy.priorities or settings.SERVICEDESK_ONCALL_PAGE_PRIORITIES)


def _may_page(ticket: Ticket) -> bool:
    """What can be told without a query: an open incident at a paging tier (the ticket's tier
    is its assignment group's)."""
    return _pageable(ticket) and ticket.tier in settings.SERVICEDESK_ONCALL_PAGE_TIERS


def _pageable(ticket: Ticket) -> bool:
    return ticket.kind == Kind.INCIDENT and ticket.status in OPEN_STATUSES


def policy_snapshot(policy: EscalationPolicy) -> dict:
    """What an escalation keeps of its policy: levels with their targets (ids) and delays."""
    return {
        "policy": policy.name,
        "repeat": policy.repeat,
        "levels": [
            {
                "delay": level.delay_minutes,
                "people": sorted(p.pk for p in level.people.all()),
                "schedules": sorted(s.pk for s in level.schedules.all()),
                "groups": sorted(g.pk for g in level.groups.all()),
            }
            for level in policy.levels.prefetch_related("people", "schedules", "groups")
        ],
    }


def escalation_start(*, ticket: Ticket, requested: bool = False) -> Escalation | None:
    """Start paging for `ticket` if it needs it and nothing is paging for it yet; the first
    level is paged at once. Runs inside the ticket writer's transaction.

    `requested`: its source asked for paging (an alert integration set to page): any open
    incident with a policy pages, whatever its priority and tier.
    """
    if not (_pageable(ticket) if requested else _may_page(ticket)):
        return None
    policy = policy_for(ticket)
    if policy is None or not (requested or needs_paging(ticket, policy)):
        return None
    if Escalation.objects.filter(ticket=ticket, state=S.ACTIVE).exists():
        return None
    snapshot = policy_snapshot(policy)
    if not snapshot["levels"]:
        return None
    now = timezone.now()
    escalation = Escalation.objects.create(
        ticket=ticket, policy=policy, snapshot=snapshot, started_at=now, next_check_at=now
    )
    events.event_paging(ticket, None, now, step="started", policy=policy.name)
    escalations_step([escalation], now, start=True)
    return escalation


def escalation_stop(*, ticket: Ticket, reason: str, actor: User | None = None) -> int:
    """Stop the ticket's running escalation (resolved, cancelled…); how many were stopped."""
    now = timezone.now()
    stopped = 0
    for escalation in Escalation.objects.select_for_update().filter(ticket=ticket, state=S.ACTIVE):
        _end(escalation, S.STOPPED, now, reason=reason)
        events.event_paging(ticket, actor, now, step="stopped", reason=reason)
        stopped += 1
    return stopped


def _end(escalation: Escalation, state: str, now: datetime, *, reason="", by=None) -> None:
    escalation.state = state
    escalation.ended_at = now
    escalation.next_check_at = None
    escalation.end_reason = reason[:200]
    escalation.acknowledged_by = by
    escalation.save(
        update_fields=["state", "ended_at", "next_check_at", "end_reason", "acknowledged_by"]
    )
    escalation.pages.filter(next_check_at__isnull=False).update(next_check_at=None)


def ticket_event_observed(event) -> None:
    """The timeline observer: a logged, escalated or changed incident may start paging; one
    that leaves the open statuses stops it; a note that asks for paging (the monitoring's, on
    an incident opened by an integration set to page) starts it whatever the priority."""
    ticket = event.ticket
    if event.type == event.Type.STATUS:
        if ticket.status not in OPEN_STATUSES:
            escalation_stop(ticket=ticket, reason=str(event.data.get("action", "")))
        return
    if event.type == event.Type.NOTE:
        if event.data.get("page"):
            escalation_start(ticket=ticket, requested=True)
        return
    escalation_start(ticket=ticket)


# ---------------------------------------------------------------------------------------------
# Steps


@dataclass
class _Targets:
    """What a batch of steps needs, read once for the whole batch."""

    people: dict[int, User]
    schedules: dict[int, Schedule]
    groups: dict[int, list[int]]
    rules: dict[int, list[dict]]


def _targets_read(levels: list[dict], at: datetime) -> tuple[_Targets, dict]:
    people_ids = {p for level in levels for p in level["people"]}
    schedule_ids = {s for level in levels for s in level["schedules"]}
    group_ids = {g for level in levels for g in level["groups"]}
    found = {s.pk: s for s in selectors.schedules_with_plan().filter(pk__in=schedule_ids)}
    on_call = {}
    for pk, schedule in found.items():
        person = schedules.on_call_at(selectors.schedule_plan(schedule), at)[0]
        on_call[pk] = person
        if person is not None:
            people_ids.add(person)
    groups: dict[int, list[int]] = {g: [] for g in group_ids}
    for group_id, person_id in SupportGroup.members.through.objects.filter(
        supportgroup_id__in=group_ids, user__is_active=True
    ).values_list("supportgroup_id", "user_id"):
        groups[group_id].append(person_id)
        people_ids.add(person_id)
    people = User.objects.filter(is_active=True).in_bulk(people_ids)
    rules: dict[int, list[dict]] = {}
    for rule in NotificationRule.objects.filter(person_id__in=people_ids).select_related("method"):
        rules.setdefault(rule.person_id, []).append(
            {"delay": rule.delay_minutes, "method": rule.method_id, "kind": rule.method.kind}
        )
    return _Targets(people, found, groups, rules), on_call


def _level_people(level: dict, targets: _Targets, on_call: dict) -> list[User]:
    ids: list[int] = [*level["people"]]
    ids += [on_call[s] for s in level["schedules"] if on_call.get(s) is not None]
    for group in level["groups"]:
        ids += sorted(targets.groups.get(group, []))
    seen, out = set(), []
    for pk in ids:
        if pk not in seen and pk in targets.people:
            seen.add(pk)
            out.append(targets.people[pk])
    return out


def _plan(person: User, targets: _Targets) -> list[dict]:
    """The person's rules by delay; without any, their email at once."""
    rules = sorted(targets.rules.get(person.pk, []), key=lambda r: (r["delay"], r["method"]))
    return rules or [{"delay": 0, "method": None, "kind": ContactMethod.Kind.EMAIL}]


#: what a step reads of a ticket: its state and what a page says about it
TICKET_FIELDS = ("id", "number", "title", "priority", "status", "kind", "is_restricted")


def _tickets_free(rows: list) -> list:
    """The rows whose ticket this transaction could lock now, each with its ticket (the few
    fields a step reads); the others wait for the next sweep. A sweep never waits for a
    ticket's writer, which may itself be waiting to stop the very escalation it holds."""
    tickets = (
        Ticket.objects.select_for_update(skip_locked=True, of=("self",))
        .only(*TICKET_FIELDS)
        .in_bulk({row.ticket_id for row in rows})
    )
    free = []
    for row in rows:
        if row.ticket_id in tickets:
            row.ticket = tickets[row.ticket_id]
            free.append(row)
    return free


def escalations_due(rows: list[Escalation], now: datetime) -> None:
    """The due-work handler of a batch of escalations (`core.due`)."""
    escalations_step(_tickets_free(rows), now)


def escalation_due(row: Escalation, now: datetime) -> None:
    escalations_step(_tickets_free([row]), now)


def escalations_step(rows: list[Escalation], now: datetime, *, start: bool = False) -> None:
    """Run the step each escalation of `rows` is due for: the next level (after the last, the
    first again while repeats remain, else the escalation is exhausted), paging its people;
    `start` pages the first level. Each row's next check is its due time plus the level's
    delay, so steps keep their exact times however late a sweep runs."""
    timeline: list[tuple[Ticket, datetime, dict]] = []
    plans: list[tuple[Escalation, dict]] = []
    # The rows' writes, grouped by what they set: one UPDATE per group (a batch has a few —
    # levels × repeats — however many rows), the next check as the stored one plus the delay.
    moved: dict[tuple[int, int, int], list[int]] = {}
    done: dict[str, list[int]] = {}
    for escalation in rows:
        if escalation.state != S.ACTIVE or escalation.ticket.status not in OPEN_STATUSES:
            escalation.next_check_at = None
            done.setdefault("", []).append(escalation.pk)
            continue
        levels = escalation.snapshot["levels"]
        if not start:
            escalation.level += 1
            if escalation.level >= len(levels):
                escalation.level, escalation.repeat = 0, escalation.repeat + 1
            if escalation.repeat > escalation.snapshot.get("repeat", 0):
                escalation.state, escalation.ended_at = S.EXHAUSTED, now
                escalation.next_check_at = None
                escalation.end_reason = "no acknowledgement"
                timeline.append((escalation.ticket, now, {"step": "exhausted"}))
                done.setdefault(S.EXHAUSTED, []).append(escalation.pk)
                continue
        level = levels[escalation.level]
        due = escalation.next_check_at or now
        escalation.next_check_at = due + timedelta(minutes=level["delay"])
        moved.setdefault((escalation.level, escalation.repeat, level["delay"]), []).append(
            escalation.pk
        )
        plans.append((escalation, level))
    targets, on_call = _targets_read([level for _e, level in plans], now)
    pages: list[Page] = []
    expires = now + timedelta(hours=settings.SERVICEDESK_ONCALL_ACK_HOURS)
    for escalation, level in plans:
        people = _level_people(level, targets, on_call)
        if not people:
            timeline.append(
                (
                    escalation.ticket,
                    now,
                    {
                        "step": "nobody",
                        "level": escalation.level + 1,
                        "repeat": escalation.repeat,
                    },
                )
            )
        for person in people:
            pages.append(
                Page(
                    escalation=escalation,
                    ticket=escalation.ticket,
                    person=person,
                    level=escalation.level,
                    repeat=escalation.repeat,
                    created_at=now,
                    plan=_plan(person, targets),
                    token=new_token(),
                    expires_at=expires,
                )
            )
    planned = _pages_plan(pages, now)
    Page.objects.bulk_create(pages)
    timeline += _pages_dispatch(planned, now)
    if timeline:
        events.events_paging(timeline)
    for (level, repeat, delay), pks in moved.items():
        Escalation.objects.filter(pk__in=pks).update(
            level=level, repeat=repeat, next_check_at=F("next_check_at") + timedelta(minutes=delay)
        )
    if done.get(""):
        Escalation.objects.filter(pk__in=done[""]).update(next_check_at=None)
    if done.get(S.EXHAUSTED):
        Escalation.objects.filter(pk__in=done[S.EXHAUSTED]).update(
            state=S.EXHAUSTED, ended_at=now, next_check_at=None, end_reason="no acknowledgement"
        )


def pages_due(rows: list[Page], now: datetime) -> None:
    """The due-work handler of pages whose next notification rule is due."""
    rows = _tickets_free(rows)
    live = [
        p
        for p in rows
        if p.used_at is None and p.escalation.state == S.ACTIVE and p.expires_at > now
    ]
    for page in rows:
        if page not in live:
            page.next_check_at = None
    planned = _pages_plan(live, now)
    groups: dict[tuple[int, int | None], list[int]] = {}
    for page in rows:
        delay = (
            page.plan[page.sent]["delay"]
            if page.next_check_at is not None and page.sent < len(page.plan)
            else None
        )
        groups.setdefault((page.sent, delay), []).append(page.pk)
    for (sent, delay), pks in groups.items():
        Page.objects.filter(pk__in=pks).update(
            sent=sent,
            next_check_at=None if delay is None else F("created_at") + timedelta(minutes=delay),
        )
    timeline = _pages_dispatch(planned, now)
    if timeline:
        events.events_paging(timeline)


def page_due(row: Page, now: datetime) -> None:
    pages_due([row], now)


# ---------------------------------------------------------------------------------------------
# Sending


def acknowledge_url(page: Page) -> str:
    """The page's one-click link: its id and token, signed with the time (a TimestampSigner's
    `<id>.<token>:<time>:<signature>`; the token is URL-safe base64, so no dot or colon)."""
    signed = signing.TimestampSigner(salt=ACK_SALT).sign(f"{page.pk}.{page.token}")
    return settings.SITE_URL + _ack_path().replace(_ACK_MARK, signed)


_ACK_MARK = "SIGNED"


@lru_cache(maxsize=1)
def _ack_path() -> str:
    # Reversed once: a sweep builds thousands of these links.
    return reverse("oncall-ack", args=[_ACK_MARK])


def _values(page: Page) -> dict[str, str]:
    ticket = page.ticket
    return {
        "number": ticket.number,
        "title": ticket.title,
        "priority": f"P{ticket.priority}",
        "level": str(page.level + 1),
        "repeat": str(page.repeat),
        "ticket_url": f"{settings.SITE_URL}/desk/tickets/{ticket.number}/",
        "acknowledge_url": acknowledge_url(page),
    }


def _pages_plan(pages: list[Page], now: datetime) -> list[tuple[Page, list[dict]]]:
    """The notification rules of each page due by `now` (from its `sent` onwards); moves its
    `sent` and `next_check_at` past them (the caller saves the pages, then dispatches)."""
    planned = []
    for page in pages:
        plan, rules = page.plan, []
        while (
            page.sent < len(plan)
            and page.created_at + timedelta(minutes=plan[page.sent]["delay"]) <= now
        ):
            rules.append(plan[page.sent])
            page.sent += 1
        page.next_check_at = (
            page.created_at + timedelta(minutes=plan[page.sent]["delay"])
            if page.sent < len(plan)
            else None
        )
        planned.append((page, rules))
    return planned


def _pages_dispatch(
    planned: list[tuple[Page, list[dict]]], now: datetime
) -> list[tuple[Ticket, datetime, dict]]:
    """Queue the messages of the planned rules; the timeline rows saying who was paged by
    what. Emails go out in few notify() calls (each recipient with their own values: link,
    incident), webhooks one call each."""
    methods = ContactMethod.objects.in_bulk(
        {r["method"] for _p, rules in planned for r in rules if r["method"] is not None}
    )
    emails: list[tuple[Page, Recipient]] = []
    timeline = []
    for page, rules in planned:
        via = []
        for n, rule in enumerate(rules):
            method = methods.get(rule["method"]) if rule["method"] is not None else None
            if rule["method"] is not None and method is None:
                continue  # the method was removed since the page began
            sent = _send(page, method, emails, key=f"{page.pk}:{page.sent - len(rules) + n}")
            if sent:
                via.append(sent)
        if via:
            timeline.append(
                (
                    page.ticket,
                    now,
                    {
                        "step": "paged",
                        "person": page.person.username,
                        "via": via,
                        "level": page.level + 1,
                        "repeat": page.repeat,
                        "page": page.pk,
                    },
                )
            )
    _emails_send(emails)
    return timeline


def _send(page: Page, method: ContactMethod | None, emails: list, *, key: str) -> str:
    """Queue one rule's message; the kind sent, or "" when it cannot go anywhere."""
    person = page.person
    if page.ticket.is_restricted and not is_visible(page.ticket, person):
        return ""  # a restricted incident tells nothing to someone who may not see it
    if method is None or method.kind == ContactMethod.Kind.EMAIL:
        address = method.address if method is not None else person.email
        if not address or (method is None and not person.email_notifications):
            return ""
        values = tuple(_values(page).items())
        emails.append((page, key, Recipient("email", address, person.language, person, values)))
        return "email"
    if method.endpoint_id is None:
        return ""
    details = {
        "method": method.kind,
        "to": method.address,
        "person": person.username,
        **_values(page),
    }
    details["text"] = _("%(priority)s %(number)s needs you: %(title)s. Acknowledge: %(url)s") % {
        "priority": details["priority"],
        "number": details["number"],
        "title": details["title"],
        "url": details["acknowledge_url"],
    }
    notify(
        TOPIC,
        page,
        [Recipient("webhook", str(method.endpoint_id), person.language, person)],
        details,
        dedup_key=f"oncall.page:{key}",
        fresh=True,
    )
    return str(method.kind)


def _emails_send(emails: list[tuple[Page, str, Recipient]]) -> None:
    """Emails of many pages in as few notify() calls as their addresses allow (an address once
    per call). A restricted incident's page goes alone, about its ticket, so the visibility
    rule decides whether it may be sent."""
    rounds: list[tuple[set, list]] = []
    for page, key, recipient in emails:
        if page.ticket.is_restricted:
            notify(TOPIC, page.ticket, [recipient], {}, f"oncall.page:{key}", fresh=True)
            continue
        address = recipient.destination.lower()
        for addresses, items in rounds:
            if address not in addresses:
                addresses.add(address)
                items.append((key, recipient))
                break
        else:
            rounds.append(({address}, [(key, recipient)]))
    for _addresses, items in rounds:
        # The key of the call is its first page's: new in this transaction, so no message can
        # have it yet; each recipient's row adds their address to it.
        notify(
            TOPIC,
            None,
            [recipient for _key, recipient in items],
            {"pages": len(items)},
            dedup_key=f"oncall.page:{items[0][0]}:batch",
            fresh=True,
        )


# ---------------------------------------------------------------------------------------------
# Acknowledging


class AcknowledgeRefused(ServiceError):
    """The page cannot be acknowledged (used, expired, ended, forged link): `reason` says why,
    `status_code` is the HTTP status it is answered with (404, 409 or 410)."""

    def __init__(self, reason: str, status: int = 410):
        super().__init__({"page": [reason]}, code="acknowledge_refused")
        self.reason, self.status_code = reason, status


def page_from_link(signed: str) -> Page:
    """The page a signed link names, or AcknowledgeRefused (forged, expired, unknown)."""
    try:
        value = signing.TimestampSigner(salt=ACK_SALT).unsign(
            signed, max_age=settings.SERVICEDESK_ONCALL_ACK_HOURS * 3600
        )
    except signing.SignatureExpired:
        raise AcknowledgeRefused(_("This acknowledge link has expired."), 410) from None
    except signing.BadSignature:
        raise AcknowledgeRefused(_("This acknowledge link is not valid."), 404) from None
    text, _dot, token = value.partition(".")
    page_id = id_from_text(text)
    page = (
        Page.objects.select_related("ticket", "person", "escalation")
        .filter(pk=page_id, token=token)
        .first()
        if page_id and token
        else None
    )
    if page is None:
        raise AcknowledgeRefused(_("This acknowledge link is not valid."), 404)
    return page


@transaction.atomic
def page_acknowledge(*, page: Page, person: User | None = None, via: str = "link") -> Page:
    """`person` (the paged person when None: the link is theirs) acknowledges the page: the
    link is used up, the escalation stops, and the ticket records the acknowledgement as its
    first response. A used, expired or stopped page is refused."""
    # The ticket first, as its writers lock it: then the page and its escalation.
    list(Ticket.objects.select_for_update().filter(pk=page.ticket_id).values_list("pk"))
    page = Page.objects.select_for_update().select_related("ticket", "escalation").get(pk=page.pk)
    person = person or page.person
    now = timezone.now()
    if page.used_at is not None:
        raise AcknowledgeRefused(_("This page has already been acknowledged."), 409)
    if page.expires_at <= now:
        raise AcknowledgeRefused(_("This acknowledge link has expired."), 410)
    escalation = Escalation.objects.select_for_update().get(pk=page.escalation_id)
    if escalation.state != S.ACTIVE:
        raise AcknowledgeRefused(
            _("Paging for this incident has already ended (%(state)s).")
            % {"state": escalation.get_state_display()},
            409,
        )
    page.used_at = page.acknowledged_at = now
    page.next_check_at = None
    page.save(update_fields=["used_at", "acknowledged_at", "next_check_at"])
    _end(escalation, S.ACKNOWLEDGED, now, reason=f"acknowledged by {person.username}", by=person)
    Page.objects.filter(escalation=escalation, used_at__isnull=True).update(used_at=now)
    ticket_page_acknowledge(
        ticket=page.ticket, person=person, via=via, level=page.level + 1, repeat=page.repeat
    )
    return page


# ---------------------------------------------------------------------------------------------
# Overrides

OVERRIDE_MAX_DAYS = 92


def may_change_schedule(user: User, schedule: Schedule) -> bool:
    """Who may cover for whom: an administrator, or anyone on the schedule's rotations (they
    swap shifts among themselves)."""
    if is_admin(user):
        return True
    return schedule.layers.filter(participants__person=user).exists()


@transaction.atomic
def override_add(
    *,
    actor: User,
    schedule: Schedule,
    person: User | None,
    start: datetime | None,
    end: datetime | None,
    reason: str = "",
) -> ScheduleOverride:
    """`person` is on call for `schedule` from `start` to `end`, whoever the layers say."""
    if not may_change_schedule(actor, schedule):
        raise NotPermitted(_("Only an administrator or someone on this schedule may change it."))
    errors = {}
    if person is None or not (person.is_active and is_staff_member(person)):
        errors["person"] = _("Choose an active member of the desk staff.")
    if start is None:
        errors["start"] = _("Enter when the override starts.")
    if end is None:
        errors["end"] = _("Enter when the override ends.")
    elif start is not None and end <= start:
        errors["end"] = _("The end must be after the start.")
    elif start is not None and end - start > timedelta(days=OVERRIDE_MAX_DAYS):
        errors["end"] = _("An override lasts at most %(days)d days.") % {"days": OVERRIDE_MAX_DAYS}
    elif end <= timezone.now():
        errors["end"] = _("The override would already be over.")
    if len(reason) > 200:
        errors["reason"] = _("At most 200 characters.")
    if errors:
        raise ValidationFailed(errors)
    return ScheduleOverride.objects.create(
        schedule=schedule, person=person, start=start, end=end, reason=reason.strip()
    )


@transaction.atomic
def override_remove(*, actor: User, override: ScheduleOverride) -> None:
    if not may_change_schedule(actor, override.schedule):
        raise NotPermitted(_("Only an administrator or someone on this schedule may change it."))
    override.delete()


# ---------------------------------------------------------------------------------------------
# What schedules, layers and policies share: a name, rows kept in order


def _name_error(name: str, *, others=None, taken: str = "") -> str:
    """Why `name` (stripped) cannot be used, or "": empty, too long, or, with `others`, already
    one of theirs in any case (`taken` says so)."""
    if not name:
        return _("This field is required.")
    if len(name) > 120:  # the models' max_length
        return _("At most 120 characters.")
    if others is not None and others.filter(name__iexact=name).exists():
        return taken
    return ""


def _next_position(rows) -> int:
    """The position after the last of `rows` (0 when there are none)."""
    last = rows.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def _positions_save(rows) -> None:
    """Number `rows`, in the order given, 0, 1, 2…; only the rows that moved are saved."""
    for position, kept in enumerate(rows):
        if kept.position != position:
            kept.position = position
            kept.save(update_fields=["position"])


# ---------------------------------------------------------------------------------------------
# Schedules and their layers

LAYER_MAX_LEVEL = 20
LAYER_MAX_DAYS = 365


def _require_schedule_admin(actor: User) -> None:
    if not is_admin(actor):
        raise NotPermitted(_("Only an administrator may change schedules and their layers."))


@transaction.atomic
def schedule_save(
    *,
    actor: User,
    schedule: Schedule | None = None,
    name: str,
    description: str = "",
    time_zone: str,
) -> Schedule:
    """Create a schedule (`schedule` None) or change its name, description or time zone (its
    layers hand over at their wall-clock times in the new zone from then on)."""
    _require_schedule_admin(actor)
    name = (name or "").strip()
    errors = {}
    if message := _name_error(
        name,
        others=Schedule.objects.exclude(pk=schedule.pk if schedule else None),
        taken=_("Another schedule has this name."),
    ):
        errors["name"] = message
    if message := zone_error(time_zone):
        errors["time_zone"] = message
    if errors:
        raise ValidationFailed(errors)
    schedule = schedule or Schedule()
    schedule.name, schedule.description = name, (description or "").strip()
    schedule.time_zone = time_zone
    schedule.save()
    return schedule


@transaction.atomic
def layer_save(
    *,
    actor: User,
    schedule: Schedule,
    layer: ScheduleLayer | None = None,
    name: str,
    level: int,
    rotation: str,
    length_days: int | None,
    start: date | None,
    handoff: dt_time | None,
    restrictions: list,
) -> ScheduleLayer:
    """Create a layer of `schedule` (`layer` None) or change one: its rotation hands over every
    day, week or `length_days` at `handoff` in the schedule's clock from `start`, within the
    weekly windows of `restrictions` when there are any. A higher `level` wins."""
    _require_schedule_admin(actor)
    name = (name or "").strip()
    errors = {}
    if message := _name_error(name):
        errors["name"] = message
    if not 1 <= level <= LAYER_MAX_LEVEL:
        errors["level"] = _("Enter a number from 1 to %(n)d.") % {"n": LAYER_MAX_LEVEL}
    if rotation not in Rotation.values:
        errors["rotation"] = _("Choose daily, weekly or a custom length.")
    elif rotation == Rotation.CUSTOM and not (length_days and 1 <= length_days <= LAYER_MAX_DAYS):
        errors["length_days"] = _("Enter a number of days from 1 to %(n)d.") % {"n": LAYER_MAX_DAYS}
    if start is None:
        errors["start"] = _("Enter the date of the first hand-off.")
    if handoff is None:
        errors["handoff"] = _("Enter the hand-off time.")
    try:
        validate_restrictions(restrictions)
    except DjangoValidationError as error:
        errors["restrictions"] = error.messages[0]
    if errors:
        raise ValidationFailed(errors)
    layer = layer or ScheduleLayer(schedule=schedule)
    layer.name, layer.level, layer.rotation = name, level, rotation
    layer.length_days = {Rotation.DAILY: 1, Rotation.WEEKLY: 7}.get(rotation, length_days)
    layer.start, layer.handoff, layer.restrictions = start, handoff, restrictions
    layer.save()
    return layer


@transaction.atomic
def layer_remove(*, actor: User, layer: ScheduleLayer) -> None:
    _require_schedule_admin(actor)
    layer.delete()


@transaction.atomic
def layer_participant_add(
    *, actor: User, layer: ScheduleLayer, person: User | None
) -> LayerParticipant:
    """`person` joins the end of the layer's rotation."""
    _require_schedule_admin(actor)
    if person is None or not (person.is_active and is_staff_member(person)):
        raise ValidationFailed({"person": _("Choose an active member of the desk staff.")})
    if layer.participants.filter(person=person).exists():
        raise ValidationFailed({"person": _("This person is already on this rotation.")})
    return layer.participants.create(person=person, position=_next_position(layer.participants))


@transaction.atomic
def layer_participant_remove(*, actor: User, participant: LayerParticipant) -> None:
    """Take a person off the rotation; the ones after them move up."""
    _require_schedule_admin(actor)
    layer = participant.layer
    participant.delete()
    _positions_save(layer.participants.order_by("position", "pk"))


@transaction.atomic
def layer_participant_move(*, actor: User, participant: LayerParticipant, by: int) -> None:
    """Move a person one place earlier (`by` -1) or later (+1) in the rotation."""
    _require_schedule_admin(actor)
    if by not in (-1, 1):
        raise ValidationFailed({"by": _("Move by -1 or 1.")})
    order = list(participant.layer.participants.order_by("position", "pk"))
    at = next(i for i, p in enumerate(order) if p.pk == participant.pk)
    other = at + by
    if not 0 <= other < len(order):
        return  # already first or last
    order[at], order[other] = order[other], order[at]
    _positions_save(order)


# ---------------------------------------------------------------------------------------------
# Escalation policies

POLICY_MAX_REPEAT = 10
LEVEL_MAX_DELAY = 24 * 60


def _require_admin(actor: User) -> None:
    if not is_admin(actor):
        raise NotPermitted(_("Only an administrator may change escalation policies."))


@transaction.atomic
def policy_save(
    *,
    actor: User,
    policy: EscalationPolicy | None = None,
    name: str,
    description: str = "",
    support_group: SupportGroup | None = None,
    service=None,
    repeat: int = 0,
    priorities=(),
    is_active: bool = True,
) -> EscalationPolicy:
    """Create a policy (`policy` None) or change one. A running escalation keeps the snapshot
    it started from."""
    _require_admin(actor)
    name = (name or "").strip()
    errors = {}
    if message := _name_error(
        name,
        others=EscalationPolicy.objects.exclude(pk=policy.pk if policy else None),
        taken=_("Another policy has this name."),
    ):
        errors["name"] = message
    if support_group is None and service is None:
        errors["support_group"] = _("Attach the policy to a service or a support group.")
    if not 0 <= repeat <= POLICY_MAX_REPEAT:
        errors["repeat"] = _("Enter a number from 0 to %(n)d.") % {"n": POLICY_MAX_REPEAT}
    chosen = sorted(set(priorities))
    if any(p not in Priority.values for p in chosen):
        errors["priorities"] = _("Choose priorities from P1 to P5.")
    if errors:
        raise ValidationFailed(errors)
    policy = policy or EscalationPolicy()
    policy.name, policy.description = name, description.strip()
    policy.support_group, policy.service = support_group, service
    policy.repeat, policy.priorities, policy.is_active = repeat, chosen, is_active
    policy.save()
    return policy


@transaction.atomic
def policy_level_add(
    *,
    actor: User,
    policy: EscalationPolicy,
    delay_minutes: int,
    people=(),
    schedules=(),
    groups=(),
):
    """A level after the policy's last: whom to page, and the minutes before the next."""
    _require_admin(actor)
    errors = {}
    if not 0 <= delay_minutes <= LEVEL_MAX_DELAY:
        errors["delay_minutes"] = _("Enter minutes between 0 and 1440.")
    if not (people or schedules or groups):
        errors["people"] = _("Choose whom to page: people, a schedule's on-call or a group.")
    if any(not (p.is_active and is_staff_member(p)) for p in people):
        errors["people"] = _("Choose an active member of the desk staff.")
    if errors:
        raise ValidationFailed(errors)
    level = policy.levels.create(
        position=_next_position(policy.levels), delay_minutes=delay_minutes
    )
    level.people.set(people)
    level.schedules.set(schedules)
    level.groups.set(groups)
    return level


@transaction.atomic
def policy_level_remove(*, actor: User, level) -> None:
    """Take a level out; the ones after it move up."""
    _require_admin(actor)
    policy = level.policy
    level.delete()
    _positions_save(policy.levels.order_by("position", "pk"))


# ---------------------------------------------------------------------------------------------
# People's settings


def _address_errors(kind: str, address: str, endpoint) -> dict[str, str]:
    errors = {}
    if kind not in ContactMethod.Kind.values:
        errors["kind"] = _("Choose one of: %(kinds)s.") % {
            "kinds": ", ".join(ContactMethod.Kind.values)
        }
    elif kind == ContactMethod.Kind.EMAIL:
        if "@" not in address:
            errors["address"] = _("Enter an email address.")
    elif endpoint is None:
        errors["endpoint"] = _("Choose the provider webhook that delivers this kind.")
    if not address.strip():
        errors["address"] = _("This field is required.")
    return errors


@transaction.atomic
def contact_method_add(
    *, person: User, kind: str, address: str, endpoint=None, label: str = ""
) -> ContactMethod:
    errors = _address_errors(kind, address, endpoint)
    if errors:
        raise ValidationFailed(errors)
    return ContactMethod.objects.create(
        person=person, kind=kind, address=address.strip(), endpoint=endpoint, label=label
    )


@transaction.atomic
def contact_method_remove(*, method: ContactMethod) -> None:
    method.delete()


@transaction.atomic
def notification_rule_add(
    *, person: User, method: ContactMethod, delay_minutes: int
) -> NotificationRule:
    if method.person_id != person.pk:
        raise ValidationFailed({"method": _("This contact method is not yours.")})
    if delay_minutes < 0 or delay_minutes > 24 * 60:
        raise ValidationFailed({"delay_minutes": _("Enter minutes between 0 and 1440.")})
    return NotificationRule.objects.create(
        person=person, method=method, delay_minutes=delay_minutes
    )


@transaction.atomic
def notification_rule_remove(*, rule: NotificationRule) -> None:
    rule.delete()


@transaction.atomic
def calendar_feed_get_or_rotate(*, person: User, rotate: bool = False) -> CalendarFeed:
    """The person's feed; `rotate` gives it a new secret (the old URL stops working)."""
    feed, created = CalendarFeed.objects.get_or_create(person=person)
    if rotate and not created:
        feed.token = new_token()
        feed.save(update_fields=["token", "rotated_at"])
    return feed
