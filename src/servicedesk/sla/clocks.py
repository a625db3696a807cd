"""SLA clock mechanics: start, pause, resume, stop and retarget, each written to the ledger.

Called by tickets.services inside the ticket's transaction, so a clock never disagrees with its
ticket. Warnings and breaches are sent by sla.services.sla_clock_check (run by the due-work
sweep); what a breach does to the ticket lives in tickets.services.service_levels.
"""

from datetime import datetime, timedelta

from django.core.cache import cache

from servicedesk.core.caches import TIMEOUT, reference_key
from servicedesk.sla.calendars import (
    Calendar,
    business_time_add,
    business_time_between,
    business_times_add,
)
from servicedesk.sla.causes import Cause
from servicedesk.sla.models import BusinessCalendar, SlaClock, SlaLedgerEntry, SlaPolicy
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.states import HoldReason, Status

Metric = SlaClock.Metric
State = SlaClock.State
Event = SlaLedgerEntry.Event
# Waiting for these does not count against the desk.
PAUSING_HOLD_REASONS = frozenset({HoldReason.AWAITING_CALLER, HoldReason.AWAITING_VENDOR})

SLA_POLICIES_KEY = reference_key("sla:active-policies")
_calendar_cache: dict[tuple[int, datetime], Calendar] = {}


def calendar_of(calendar: BusinessCalendar) -> Calendar:
    """The pure calendar of a stored one, cached until the calendar (or its intervals) change."""
    key = (calendar.pk, calendar.updated_at)
    cached = _calendar_cache.get(key)
    if cached is None:
        if len(_calendar_cache) > 256:
            _calendar_cache.clear()
        cached = _calendar_cache[key] = calendar.as_calendar()
    return cached


def policies_active() -> list[SlaPolicy]:
    """Every active policy with its calendar, cached until a policy, calendar or group changes."""
    return cache.get_or_set(
        SLA_POLICIES_KEY,
        lambda: list(SlaPolicy.objects.filter(is_active=True).select_related("calendar")),
        TIMEOUT,
    )


def clock_policy(clock: SlaClock) -> SlaPolicy | None:
    """The clock's policy while it is active, from the cache (no query), to name it in the
    reader's language; None once it is not, when the clock's English `policy_name` names it."""
    return next((p for p in policies_active() if p.pk == clock.policy_id), None)


def policy_for(ticket: Ticket) -> SlaPolicy | None:
    """The most specific active policy for the ticket's priority, kind, service and category."""
    categories = {ticket.category_id}
    if ticket.category_id and ticket.category.parent_id:
        categories.add(ticket.category.parent_id)
    candidates = [
        policy
        for policy in policies_active()
        if policy.priority == ticket.priority
        and policy.kind in ("", ticket.kind)
        and policy.service_id in (None, ticket.service_id)
        and policy.category_id in (None, *categories)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda p: (p.specificity, -p.pk))


# ---------------------------------------------------------------------------------------------
# Reading a clock


def clock_elapsed(clock: SlaClock, now: datetime) -> timedelta:
    """Business time counted so far (up to `now` while running)."""
    if clock.state != State.RUNNING:
        return clock.elapsed_before
    return clock.elapsed_before + business_time_between(
        calendar_of(clock.calendar), clock.running_since, now
    )


def clock_remaining(clock: SlaClock, now: datetime) -> timedelta:
    return clock.target - clock_elapsed(clock, now)


def _schedule(clock: SlaClock) -> None:
    """Recompute when the clock is due and when the sweep must look at it next."""
    if clock.state != State.RUNNING:
        clock.due_at = None if clock.state == State.PAUSED else clock.due_at
        clock.next_check_at = None
        return
    left = clock.target - clock.elapsed_before
    marks = [
        clock.target * threshold / 100 - clock.elapsed_before
        for threshold in clock.warning_thresholds
        if threshold not in clock.warned
    ]
    # The due time and every warning in one walk of the calendar (office hours walk day by day).
    clock.due_at, *checks = business_times_add(
        calendar_of(clock.calendar),
        clock.running_since,
        [max(left, timedelta()), *(max(mark, timedelta()) for mark in marks)],
    )
    if clock.breached_at is None:
        checks.append(clock.due_at)
    clock.next_check_at = min(checks) if checks else None


def _ledger_entry(
    clock: SlaClock, event: str, at: datetime, cause: Cause, elapsed: timedelta
) -> SlaLedgerEntry:
    return SlaLedgerEntry(
        clock=clock,
        at=at,
        event=event,
        cause=str(cause)[:200],
        cause_code=cause.code,
        cause_args=cause.args,
        elapsed=elapsed,
        target=clock.target,
        due_at=clock.due_at,
    )


def _ledger(clock: SlaClock, event: str, at: datetime, cause: Cause, elapsed: timedelta) -> None:
    _ledger_entry(clock, event, at, cause, elapsed).save(force_insert=True)


# ---------------------------------------------------------------------------------------------
# Changing clocks


def clocks_start(*, ticket: Ticket, now: datetime) -> list[SlaClock]:
    """Start both clocks with a snapshot of the ticket's policy (none if no policy applies)."""
    policy = policy_for(ticket)
    if policy is None:
        return []
    clocks = []
    for metric, minutes in (
        (Metric.RESPONSE, policy.response_minutes),
        (Metric.RESOLUTION, policy.resolution_minutes),
    ):
        clock = SlaClock(
            ticket=ticket,
            metric=metric,
            policy=policy,
            # The snapshot is in English, the source, whoever logged the ticket.
            policy_name=policy.name_en,
            calendar=policy.calendar,
            target=timedelta(minutes=minutes),
            warning_thresholds=sorted(policy.warning_thresholds),
            breach_action=policy.breach_action,
            breach_group_id=policy.breach_group_id,
            started_at=ticket.reported_at if ticket.reported_at < now else now,
            running_since=ticket.reported_at if ticket.reported_at < now else now,
        )
        _schedule(clock)
        clocks.append(clock)
    # Both clocks in one INSERT, then both ledger rows in one: this runs on every ticket logged.
    SlaClock.objects.bulk_create(clocks)
    cause = Cause("logged", {"policy": policy.name_en})
    SlaLedgerEntry.objects.bulk_create(
        [_ledger_entry(c, Event.START, c.started_at, cause, timedelta()) for c in clocks]
    )
    return clocks


def _clocks(ticket: Ticket, *metrics: str) -> list[SlaClock]:
    return list(
        SlaClock.objects.select_for_update()
        .select_related("calendar")
        .filter(ticket=ticket, metric__in=metrics or Metric.values)
        .order_by("metric")
    )


def _pause(clock: SlaClock, now: datetime, cause: Cause) -> None:
    if clock.state != State.RUNNING:
        return
    clock.elapsed_before = clock_elapsed(clock, now)
    clock.state = State.PAUSED
    clock.running_since = None
    _schedule(clock)
    clock.save()
    _ledger(clock, Event.PAUSE, now, cause, clock.elapsed_before)


def _resume(clock: SlaClock, now: datetime, cause: Cause) -> None:
    if clock.state == State.RUNNING:
        return
    clock.state = State.RUNNING
    clock.running_since = now
    clock.stopped_at = None
    _schedule(clock)
    clock.save()
    _ledger(clock, Event.RESUME, now, cause, clock.elapsed_before)


def _stop(clock: SlaClock, now: datetime, cause: Cause) -> None:
    if clock.state == State.STOPPED:
        return
    segments = running_segments(clock, now)  # before the STOP line: the last run ends now
    clock.elapsed_before = clock_elapsed(clock, now)
    clock.state = State.STOPPED
    clock.running_since = None
    clock.stopped_at = now
    clock.next_check_at = None
    breach = None
    if clock.breached_at is None and clock.elapsed_before > clock.target:
        # Stopped late but before the sweep noticed: the breach happened when the target was
        # passed, counted over the stretches the clock ran (its pauses excluded).
        breach = clock.breached_at = target_passed_at(
            calendar_of(clock.calendar), segments, clock.target
        )
    clock.save()
    _ledger(clock, Event.STOP, now, cause, clock.elapsed_before)
    if breach is not None:
        _ledger(clock, Event.BREACH, breach, cause.passed(), clock.elapsed_before)


def clocks_on_status_change(
    *, ticket: Ticket, old: str, new: str, now: datetime, cause: Cause | None = None
):
    """Pause on hold awaiting the caller or a vendor; stop at resolution; resume on reopen."""
    if new == Status.ON_HOLD and ticket.hold_reason in PAUSING_HOLD_REASONS:
        for clock in _clocks(ticket):
            _pause(clock, now, cause or Cause("on_hold", {"hold_reason": ticket.hold_reason}))
    elif new in (Status.RESOLVED, Status.CANCELLED):
        for clock in _clocks(ticket):
            _stop(clock, now, cause or Cause("status", {"status": new}))
    elif old == Status.RESOLVED and new == Status.IN_PROGRESS:
        for clock in _clocks(ticket, Metric.RESOLUTION):
            _resume(clock, now, cause or Cause("reopened"))
    elif old == Status.ON_HOLD and new != Status.ON_HOLD:
        for clock in _clocks(ticket):
            if clock.state == State.PAUSED:
                _resume(clock, now, cause or Cause("back_from_hold"))


def clocks_on_first_response(*, ticket: Ticket, now: datetime, cause: Cause) -> None:
    for clock in _clocks(ticket, Metric.RESPONSE):
        _stop(clock, now, cause)


def running_segments(clock: SlaClock, until: datetime) -> list[tuple[datetime, datetime]]:
    """The stretches the clock ran, replayed from its ledger."""
    segments, opened = [], None
    for entry in clock.ledger.order_by("at", "id"):
        if entry.event in (Event.START, Event.RESUME) and opened is None:
            opened = entry.at
        elif entry.event in (Event.PAUSE, Event.STOP) and opened is not None:
            segments.append((opened, entry.at))
            opened = None
    if opened is not None:
        segments.append((opened, until))
    return segments


def target_passed_at(
    calendar: Calendar, segments: list[tuple[datetime, datetime]], target: timedelta
) -> datetime | None:
    """The instant the business time counted over `segments` went past `target`, or None when
    it never did. A clock that ends at exactly its target has met it (the rule of the sweep, of
    a stop and of the reports alike); a later instant is a breach, dated when the target was
    reached."""
    counted = timedelta()
    for start, end in segments:
        part = business_time_between(calendar, start, end)
        if counted + part > target:
            return business_time_add(calendar, start, target - counted)
        counted += part
    return None


def _due_over(
    calendar: Calendar, segments: list[tuple[datetime, datetime]], target: timedelta
) -> datetime | None:
    """When `target` is reached over `segments`, continuing the last one as if the clock ran
    on: the due time a stopped clock shows after a change of target."""
    counted = timedelta()
    for start, end in segments:
        part = business_time_between(calendar, start, end)
        if counted + part >= target:
            return business_time_add(calendar, start, target - counted)
        counted += part
    if not segments:
        return None
    return business_time_add(calendar, segments[-1][1], target - counted)


def clocks_on_priority_change(*, ticket: Ticket, now: datetime, cause: Cause) -> None:
    """Take the new priority's targets and calendar, counted again from the original start.

    The elapsed time is recomputed over the stretches the clock actually ran (pauses still
    excluded), so the due time is what it would have been had the ticket started at this
    priority. Whether, and when, the new target was breached follows from those stretches alone,
    never from whether the sweep had looked at the clock before the change: a stopped or paused
    clock is decided here (with its ledger line); a running one that had already been found
    breached gets the breach time of the new target, and one that had not is left to the sweep,
    which finds it due at once and sends its breach.
    """
    policy = policy_for(ticket)
    if policy is None:
        return
    targets = {
        Metric.RESPONSE: timedelta(minutes=policy.response_minutes),
        Metric.RESOLUTION: timedelta(minutes=policy.resolution_minutes),
    }
    for clock in _clocks(ticket):
        calendar = calendar_of(policy.calendar)
        segments = running_segments(clock, now)
        elapsed = sum((business_time_between(calendar, s, e) for s, e in segments), timedelta())
        clock.policy = policy
        clock.policy_name = policy.name_en
        clock.calendar = policy.calendar
        clock.target = targets[clock.metric]
        clock.warning_thresholds = sorted(policy.warning_thresholds)
        clock.breach_action = policy.breach_action
        clock.breach_group_id = policy.breach_group_id
        if clock.state == State.RUNNING:
            clock.elapsed_before = elapsed - business_time_between(
                calendar, clock.running_since, now
            )
        else:
            clock.elapsed_before = elapsed
        clock.warned = [t for t in clock.warned if clock.target * t / 100 <= elapsed]
        was_breached = clock.breached_at
        passed = target_passed_at(calendar, segments, clock.target)
        if clock.state != State.RUNNING or was_breached is not None:
            clock.breached_at = passed
        _schedule(clock)
        if clock.state == State.STOPPED:
            clock.due_at = _due_over(calendar, segments, clock.target)
        clock.save()
        _ledger(clock, Event.RETARGET, now, cause, elapsed)
        if clock.breached_at is not None and clock.breached_at != was_breached:
            _ledger(clock, Event.BREACH, clock.breached_at, cause.passed(), elapsed)
