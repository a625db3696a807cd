"""How tickets read on a page: badges (colour and text), ages, durations, timeline values."""

import html
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from servicedesk.sla.causes import cause_text
from servicedesk.sla.models import SlaClock, SlaLedgerEntry
from servicedesk.tickets.models import Channel, Kind, TicketEvent
from servicedesk.tickets.priority import Level, Priority
from servicedesk.tickets.states import Action, CancelReason, HoldReason, ResolutionCode, Status

register = template.Library()

FIELD_LABELS = {
    "title": gettext_lazy("Title"),
    "description": gettext_lazy("Description"),
    "symptoms": gettext_lazy("Symptoms"),
    "category": gettext_lazy("Category"),
    "service": gettext_lazy("Service"),
    "configuration_item": gettext_lazy("Configuration item"),
    "impact": gettext_lazy("Impact"),
    "urgency": gettext_lazy("Urgency"),
    "priority": gettext_lazy("Priority"),
    "is_major": gettext_lazy("Major incident"),
    "assignment_group": gettext_lazy("Group"),
    "assignee": gettext_lazy("Assignee"),
    "status": gettext_lazy("Status"),
    "kind": gettext_lazy("Kind"),
    "number": gettext_lazy("Number"),
    "parent": gettext_lazy("Parent"),
}
RELATIONS = {
    "duplicate_of": gettext_lazy("Duplicate of"),
    "child_of": gettext_lazy("Child of"),
    "parent_of": gettext_lazy("Parent of"),
}
_CHOICES = {
    "status": dict(Status.choices),
    "impact": dict(Level.choices),
    "urgency": dict(Level.choices),
    "priority": dict(Priority.choices),
    "kind": dict(Kind.choices),
}
REASON_LABELS = {
    **dict(HoldReason.choices),
    **dict(CancelReason.choices),
    **dict(ResolutionCode.CHOICES),
}


@register.simple_tag
def priority_badge(value, short=False):
    """The priority as colour and words, never colour alone."""
    try:
        priority = Priority(int(value))
    except (TypeError, ValueError):
        return "—"
    return mark_safe(_priority_html(priority.value, short, get_language()))


@lru_cache(maxsize=64)
def _priority_html(value: int, short: bool, language: str) -> str:
    priority = Priority(value)
    return format_html(
        '<span class="badge prio prio-{}"><span class="dot" aria-hidden="true"></span>{}</span>',
        priority.value,
        f"P{priority.value}" if short else priority.label,
    )


@register.simple_tag
def status_badge(ticket, stacked=False):
    """The status as colour and words; on hold, with what it waits for (below it when stacked)."""
    return mark_safe(_status_html(ticket.status, ticket.hold_reason, stacked, get_language()))


@lru_cache(maxsize=256)
def _status_html(status: str, hold_reason: str, stacked: bool, language: str) -> str:
    label = Status(status).label
    reason = ""
    if status == Status.ON_HOLD and hold_reason:
        reason = HoldReason(hold_reason).label
    badge = format_html(
        '<span class="badge status status-{}"><span class="dot" aria-hidden="true"></span>{}</span>',
        status,
        f"{label} · {reason}" if reason and not stacked else label,
    )
    if reason and stacked:
        return format_html('{}<div class="small muted">{}</div>', badge, reason)
    return badge


PLAIN_STATUS = {
    Status.NEW: gettext_lazy("Received — the service desk will look at it soon"),
    Status.ASSIGNED: gettext_lazy("With the support team"),
    Status.IN_PROGRESS: gettext_lazy("Being worked on"),
    Status.ON_HOLD: gettext_lazy("Paused for now"),
    Status.RESOLVED: gettext_lazy("Solved — please confirm"),
    Status.CLOSED: gettext_lazy("Closed"),
    Status.CANCELLED: gettext_lazy("Cancelled"),
}
PLAIN_HOLD = {
    HoldReason.AWAITING_CALLER: gettext_lazy("Waiting for your reply"),
    HoldReason.AWAITING_VENDOR: gettext_lazy("Waiting for a supplier"),
    HoldReason.AWAITING_CHANGE: gettext_lazy("Waiting for a planned change"),
}


@register.simple_tag
def plain_status(ticket):
    """The status as a requester would say it, with its colour."""
    text = PLAIN_STATUS[Status(ticket.status)]
    if ticket.status == Status.ON_HOLD and ticket.hold_reason in PLAIN_HOLD:
        text = PLAIN_HOLD[HoldReason(ticket.hold_reason)]
    return format_html(
        '<span class="badge status status-{}"><span class="dot" aria-hidden="true"></span>{}</span>',
        ticket.status,
        text,
    )


@register.filter
def age(moment: datetime | None) -> str:
    """How long ago, compactly: 5 min, 3 h, 2 d."""
    if moment is None:
        return "—"
    return compact_duration(timezone.now() - moment)


# ---------------------------------------------------------------------------------------------
# A ticket's history as its requester reads it


@dataclass(frozen=True)
class StoryLine:
    """One line of the portal's history: what happened, in the requester's words."""

    event: TicketEvent
    heading: str
    text: str = ""


# What each status tells the requester; assigned and in progress are the same to them.
STORY_STEPS = {
    Status.NEW: gettext_lazy("We received your request"),
    Status.ASSIGNED: gettext_lazy("Someone is working on it"),
    Status.IN_PROGRESS: gettext_lazy("Someone is working on it"),
    Status.ON_HOLD: gettext_lazy("Paused for now"),
    Status.RESOLVED: gettext_lazy("Resolved — please confirm"),
    Status.CLOSED: gettext_lazy("Closed"),
    Status.CANCELLED: gettext_lazy("Cancelled"),
}
STORY_HOLDS = {
    HoldReason.AWAITING_CALLER: gettext_lazy("We need your answer"),
    HoldReason.AWAITING_VENDOR: gettext_lazy("Waiting for a supplier"),
    HoldReason.AWAITING_CHANGE: gettext_lazy("Waiting for a planned change"),
}
STORY_RELATIONS = {
    "duplicate_of": gettext_lazy("Same as"),
    "child_of": gettext_lazy("Part of"),
    "parent_of": gettext_lazy("Includes"),
}


def _story_step(data: dict) -> str | None:
    """The words for a change of status, or None for one the requester has no words for."""
    new = next((c["to"] for c in data.get("changes", []) if c.get("field") == "status"), None)
    if new not in Status.values:
        return None
    if new == Status.ON_HOLD:
        return str(STORY_HOLDS.get(data.get("reason"), STORY_STEPS[Status.ON_HOLD]))
    if data.get("action") == Action.REOPEN:
        return _("Reopened — someone is working on it again")
    return str(STORY_STEPS[Status(new)])


@register.simple_tag
def portal_story(events, ticket) -> list[StoryLine]:
    """The public timeline told as the status badges tell it: no desk codes, no field names.

    A change of status that says nothing new (assigned, then started: both "someone is working
    on it") is left out; replies, the desk's and the requester's, are all there.
    """
    lines: list[StoryLine] = []
    said = None  # the last step told
    for event in events:
        data = event.data or {}
        if event.type == TicketEvent.Type.CREATED:
            said = str(STORY_STEPS[Status.NEW])
            lines.append(StoryLine(event, said))
        elif event.type == TicketEvent.Type.STATUS:
            step = _story_step(data)
            if step is not None and step != said:
                said = step
                lines.append(StoryLine(event, step))
        elif event.type == TicketEvent.Type.COMMENT:
            if event.actor_id == ticket.requester_id:
                heading = _("You wrote")
            else:
                name = event.actor.display_name if event.actor else _("The service desk")
                heading = _("%(name)s wrote") % {"name": name}
            lines.append(StoryLine(event, heading))
        elif event.type == TicketEvent.Type.ESCALATED:
            groups = [c["to"] for c in data.get("changes", []) if c.get("to")]
            text = _("Now with %(group)s.") % {"group": groups[0]} if groups else ""
            lines.append(StoryLine(event, _("Passed to specialists"), text))
        elif event.type == TicketEvent.Type.RECLASSIFIED:
            numbers = [c["to"] for c in data.get("changes", []) if c.get("field") == "number"]
            text = _("New number: %(number)s") % {"number": numbers[0]} if numbers else ""
            lines.append(StoryLine(event, _("Your ticket has a new number"), text))
        elif event.type == TicketEvent.Type.MAJOR_INCIDENT and event.is_public:
            lines.append(StoryLine(event, _("News about the outage"), event.body))
        elif event.type == TicketEvent.Type.LINKED and data.get("relation") in STORY_RELATIONS:
            relation = STORY_RELATIONS[data["relation"]]
            text = f"{relation} {data.get('ticket', '')}".strip()
            lines.append(StoryLine(event, _("Linked to another ticket"), text))
    return lines


@register.filter
def ago(moment: datetime | None) -> str:
    """How long ago, as a whole phrase: "just now", "5 minutes ago", "2 days ago".

    The phrase is translated whole: the words go around the number differently in each
    language ("acum 5 minute"), and the noun follows its plural forms.
    """
    if moment is None:
        return "—"
    minutes = int((timezone.now() - moment).total_seconds() // 60)
    if minutes < 1:
        return _("just now")
    if minutes < 60:
        return ngettext("%(n)d minute ago", "%(n)d minutes ago", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)d hour ago", "%(n)d hours ago", hours) % {"n": hours}
    days = hours // 24
    return ngettext("%(n)d day ago", "%(n)d days ago", days) % {"n": days}


def compact_duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return _("now")
    if minutes < 60:
        return _("%(n)d min") % {"n": minutes}
    if minutes < 48 * 60:
        return _("%(n)d h") % {"n": minutes // 60}
    return _("%(n)d d") % {"n": minutes // (24 * 60)}


@register.filter
def duration(delta: timedelta | None) -> str:
    """A span of business time: 1 h 05 min; a negative one is overdue."""
    if delta is None:
        return "—"
    seconds = int(delta.total_seconds())
    sign = "−" if seconds < 0 else ""
    minutes = abs(seconds) // 60
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        days, hours = divmod(hours, 24)
        return sign + _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return sign + _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    return sign + _("%(m)d min") % {"m": minutes}


@register.filter
def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " "))


@register.simple_tag
def field_value(name: str, value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    labels = _CHOICES.get(name)
    if labels is not None:
        return labels.get(value, value)
    return value


@register.filter
def answer_label(value: str) -> str:
    """A diagnostic answer as read: the yes/no of yes/no questions in the reader's language."""
    return {"yes": _("Yes"), "no": _("No")}.get(value, value)


@register.filter
def reason_label(value: str) -> str:
    return REASON_LABELS.get(value, value)


@register.filter
def action_label(value: str) -> str:
    try:
        return Action(value).label
    except ValueError:
        return value


@register.filter
def relation_label(value: str) -> str:
    return RELATIONS.get(value, value)


@register.filter
def channel_label(value: str) -> str:
    return dict(Channel.choices).get(value, value)


@register.filter
def event_label(event: TicketEvent) -> str:
    return event.get_type_display()


@register.filter
def metric_label(value: str) -> str:
    return dict(SlaClock.Metric.choices).get(value, value)


@register.filter
def clock_state_label(value: str) -> str:
    return dict(SlaClock.State.choices).get(value, value)


@register.filter
def ledger_label(value: str) -> str:
    return dict(SlaLedgerEntry.Event.choices).get(value, value)


# How a page went out or was acknowledged, as the paging rows record it.
PAGING_VIA = {
    "email": gettext_lazy("email"),
    "sms": gettext_lazy("SMS"),
    "voice": gettext_lazy("voice call"),
    "push": gettext_lazy("push"),
    "chat": gettext_lazy("chat"),
    "link": gettext_lazy("by the emailed link"),
    "console": gettext_lazy("in the console"),
    "api": gettext_lazy("through the API"),
}


@register.filter
def paging_step(data: dict) -> str:
    """A paging row of the timeline in words: who was paged by what, at which level and round."""
    step = data.get("step", "")
    via = data.get("via", "")
    ways = via if isinstance(via, list) else [via] if via else []
    via = ", ".join(str(PAGING_VIA.get(way, way)) for way in ways)
    values = {
        "policy": data.get("policy", ""),
        "person": data.get("person", ""),
        "via": via,
        "level": data.get("level", ""),
        "round": int(data.get("repeat") or 0) + 1,
    }
    if step == "started":
        return _("Paging started: policy %(policy)s") % values
    if step == "paged":
        return _("Paged %(person)s by %(via)s (level %(level)s, round %(round)s)") % values
    if step == "nobody":
        return _("Nobody to page at level %(level)s (round %(round)s)") % values
    if step == "acknowledged":
        return _("Acknowledged (%(via)s)") % values if via else _("Acknowledged")
    if step == "stopped":
        return _("Paging stopped")
    if step == "exhausted":
        return _("Paging ended: nobody acknowledged")
    return step


@register.filter
def ledger_cause(entry: SlaLedgerEntry) -> str:
    """Why the ledger line was written, in the reader's language (its English text for lines
    from before causes had codes)."""
    if not entry.cause_code:
        return entry.cause
    return cause_text(entry.cause_code, entry.cause_args) or entry.cause


@register.filter
def tier_label(value) -> str:
    return f"L{value}"


@register.filter
def get(mapping, key):
    """mapping[key] in a template (a dict's value, a form's field), or None."""
    try:
        return mapping[key]
    except (KeyError, TypeError, IndexError):
        return None


@register.filter
def count_cap(value: int | None, cap: int = 1000) -> str:
    if value is None:
        return ""
    return f"{cap - 1}+" if value >= cap else str(value)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (None removes one)."""
    params = context["request"].GET.copy()
    if "cursor" not in changes:
        # Another queue, filter or sort starts again from the first page.
        params.pop("cursor", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    items = [(k, v) for k in params for v in params.getlist(k) if v != ""]
    return "?" + urlencode(items) if items else "?"


@register.simple_tag
def clock_percent(clock) -> int:
    """How much of its target a clock has used, 0–100, for its bar."""
    target = clock.target.total_seconds()
    if target <= 0:
        return 100
    return max(0, min(100, round(100 * clock.elapsed.total_seconds() / target)))


@register.simple_tag
def queue_row(row, due=False):
    """One row of the console's queue, from a row of selectors.queue_rows.

    Built here rather than in the template, with the standard library's escaping, from plain
    values rather than model instances: this was most of the page's time, and the page is the
    desk's busiest (it also refreshes itself).
    """
    e = html.escape
    language = get_language()
    number = e(row["number"])
    title = e(row["title"])
    if row["is_major"]:
        title += f' <span class="tag major">{e(str(_("Major")))}</span>'
    if row["is_restricted"]:
        title += f' <span class="tag restricted">{e(str(_("Restricted")))}</span>'
    if row["category_name"]:
        parent = row["category_parent_name"]
        path = f"{parent} › {row['category_name']}" if parent else row["category_name"]
        title += f'<div class="small muted">{e(path)}</div>'
    group = e(row["group_name"] or "—")
    if row["assignee_id"]:
        name = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
        assignee = e(name or row["assignee__username"])
    else:
        assignee = e(str(_("nobody yet")))
    updated = _time(row["updated_at"])
    if due and row.get("sla_due_at"):
        when = date_format(timezone.localtime(row["sla_due_at"]), "SHORT_DATETIME_FORMAT")
        # Past its due time is breached, whether or not the sweep has marked it yet.
        late = row["sla_due_at"] <= timezone.now()
        mark = f'<strong class="late-text">{e(str(_("breached")))}</strong> · ' if late else ""
        updated += f'<div class="small muted">{mark}{e(str(_("due")))} {e(when)}</div>'
    select = e(_("Select %(number)s") % {"number": row["number"]})
    return mark_safe(
        "<tr>"
        f'<td class="check"><input type="checkbox" name="tickets" value="{number}"'
        f' form="bulk-form" aria-label="{select}"></td>'
        f'<td class="num"><a href="{_desk_ticket_url().replace("NUMBER", number)}">{number}</a></td>'
        f'<td class="title">{title}</td>'
        f"<td{_label('Requester')}>{e(row['requester_name'])}</td>"
        f"<td>{_priority_html(row['priority'], False, language)}</td>"
        f"<td>{_status_html(row['status'], row['hold_reason'], True, language)}</td>"
        f'<td{_label("Group / assignee")}>{group}<div class="small muted">{assignee}</div></td>'
        f'<td class="nowrap"{_label("Age")}>{_time(row["created_at"])}</td>'
        f'<td class="nowrap"{_label("Updated")}>{updated}</td>'
        "</tr>"
    )


def _label(column: str) -> str:
    """The column's name on its cell, which the narrow layout shows when the header is hidden."""
    return f' data-label="{html.escape(_(column))}"'


@lru_cache(maxsize=1)
def _desk_ticket_url() -> str:
    return reverse("desk-ticket", args=["NUMBER"])


def _time(moment) -> str:
    return f'<time datetime="{moment.isoformat()}">{html.escape(age(moment))}</time>'


# The steps and roles of a major incident, as its timeline rows name them (data["what"], "role").
MAJOR_STEPS = {
    "declared": gettext_lazy("Declared a major incident"),
    "bridge": gettext_lazy("Bridge or update interval changed"),
    "reminder": gettext_lazy("Reminder: no public update for a while"),
    "resolved": gettext_lazy("Major incident resolved"),
    "update": gettext_lazy("Public update"),
}
MAJOR_ROLES = {
    "commander": gettext_lazy("Incident commander"),
    "communications": gettext_lazy("Communications lead"),
    "scribe": gettext_lazy("Scribe"),
}


@register.filter
def major_step_label(value: str) -> str:
    return MAJOR_STEPS.get(value, value)


@register.filter
def major_role_label(value: str) -> str:
    return MAJOR_ROLES.get(value, value)
