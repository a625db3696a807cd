"""Receiving an event: authenticate the key, validate, store the raw body, answer 202.

Fast by design (one INSERT per accepted request once the key is cached): the work of making
alerts and incidents runs later, in batches (processing.py), on the job backbone.
"""

import json
import threading
import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.alerts.models import Integration, RawEvent
from servicedesk.alerts.services.integrations import KEY_CACHE_PREFIX, key_hash
from servicedesk.alerts.sources import Reply, SourceInvalid, SourceSpec
from servicedesk.core.jobs import job_enqueue_on_commit
from servicedesk.core.parsers import MAX_DEPTH, json_depth

PROCESS_TASK = "alerts.process"
# How long a key's integration (or its absence) is remembered by a web process. Rotating a key
# or deactivating an integration drops the entry at once in a shared cache (Redis).
KEY_CACHE_SECONDS = 60


@dataclass(frozen=True)
class KnownIntegration:
    id: int
    source: str
    rate_limit: int


def body_limit() -> int:
    return settings.SERVICEDESK_ALERTS_MAX_BODY


def _lookup(key: str) -> KnownIntegration | None:
    """The active integration whose key hashes to `key`'s hash, or None.

    A wrong key and an unknown one are the same thing here: a hash no row has. The lookup is by
    the hash (an index), so nothing about how close a guess came leaks through timing.
    """
    if not key:
        return None
    cache_key = KEY_CACHE_PREFIX + key_hash(key)
    found = cache.get(cache_key)
    if found is None:
        row = (
            Integration.objects.filter(key_hash=key_hash(key), is_active=True)
            .values_list("id", "source", "rate_limit")
            .first()
        )
        found = asdict(KnownIntegration(*row)) if row else {}
        cache.set(cache_key, found, KEY_CACHE_SECONDS)
    return KnownIntegration(**found) if found else None


def _rate_exceeded(integration: KnownIntegration) -> int:
    """Seconds until the integration may send again, or 0: a window of one minute."""
    window = int(time.time() // 60)
    counter = f"alerts:rate:{integration.id}:{window}"
    if cache.add(counter, 1, 120):
        count = 1
    else:
        try:
            count = cache.incr(counter)
        except ValueError:  # expired between add and incr
            cache.add(counter, 1, 120)
            count = 1
    if count > integration.rate_limit:
        return max(1, 60 - int(time.time()) % 60)
    return 0


def unknown_key(spec: SourceSpec) -> Reply:
    message = _("No integration has this routing key.")
    if spec.key_in_body:
        return spec.invalid({"routing_key": message})
    return Reply(404, {"detail": message, "code": "unknown_key", "errors": {}})


def too_large(spec: SourceSpec) -> Reply:
    reason = _("The request body is larger than the limit of %(kb)d KB.") % {
        "kb": body_limit() // 1024
    }
    reply = spec.invalid({"body": reason})
    return Reply(413, reply.body)


def _not_json(constant: str):
    raise ValueError(f"{constant} is not a JSON number")


def event_receive(*, spec: SourceSpec, key: str | None, body: bytes) -> Reply:
    """Authenticate, validate and store one request's body; the reply to send.

    `key` is the routing key from the path, or None when the format carries it in the body.
    Nothing is written unless the answer is 202.
    """
    if len(body) > body_limit():
        return too_large(spec)
    integration = None
    if not spec.key_in_body:
        # The key first: nothing about the body is told to a sender without a valid key.
        integration = _lookup(key or "")
        if integration is None or integration.source != spec.name:
            return unknown_key(spec)
    if b"\x00" in body or b"\\u0000" in body:
        # Neither a database text column nor PostgreSQL's jsonb can hold a NUL.
        return spec.invalid({"body": _("May not contain a NUL character.")})
    try:
        data = json.loads(body, parse_constant=_not_json)
    except ValueError as error:  # not UTF-8, not JSON, or NaN/Infinity
        return spec.invalid({"body": _("Not valid JSON: %(error)s") % {"error": error}})
    except RecursionError:
        return spec.invalid({"body": _("Nested too deeply.")})
    if json_depth(value=data) > MAX_DEPTH:
        return spec.invalid({"body": _("Nested too deeply.")})
    if not isinstance(data, dict):
        return spec.invalid({"body": _("Must be a JSON object.")})
    if spec.key_in_body:
        key = data.get("routing_key")
        if not isinstance(key, str) or not key:
            return spec.invalid({"routing_key": _("This field is required.")})
        integration = _lookup(key)
        if integration is None or integration.source != spec.name:
            return unknown_key(spec)
    try:
        items = spec.parse(data)
    except SourceInvalid as invalid:
        return spec.invalid(invalid.errors)
    wait = _rate_exceeded(integration)
    if wait:
        reply = spec.invalid({"rate": _("Too many events; retry after %(s)d s.") % {"s": wait}})
        if spec.key_in_body:
            body_ = {"status": "throttled", "message": "Requests for this service are throttled."}
        else:
            body_ = {**reply.body, "code": "throttled"}
        return Reply(429, body_, {"Retry-After": str(wait)})
    raw_event_store(integration_id=integration.id, body=body, items=[asdict(i) for i in items])
    return spec.accepted(items)


def raw_event_store(*, integration_id: int, body: bytes, items: list[dict]) -> RawEvent:
    """Write the event as it arrived (and as read) and have the batch processor run after
    commit. Once this returns the event is durable: it is never lost, only waits.

    One INSERT, which is its own transaction (no BEGIN and COMMIT round trips around it)
    unless the caller holds one."""
    event = RawEvent.objects.create(
        integration_id=integration_id,
        received_at=timezone.now(),
        body=body.decode("utf-8", "replace"),
        items=items,
    )
    _processing_request()
    return event


_kick_lock = threading.Lock()
_kick_state = {"last": 0.0, "timer": None}


def _processing_request() -> None:
    """Have the batch processor run after commit.

    With a broker, a burst of requests would send one task each although one run covers every
    event committed before it starts; so each process sends at most one per
    SERVICEDESK_ALERTS_KICK_SECONDS, and an event whose request sent none is covered by one
    sent when the interval ends (a timer), never later. Without a broker the job runner already
    folds a burst into one run (core/jobs.py).
    """
    if settings.SERVICEDESK_JOBS != "celery":
        job_enqueue_on_commit(PROCESS_TASK)
        return
    transaction.on_commit(_kick)


def _kick() -> None:
    interval = settings.SERVICEDESK_ALERTS_KICK_SECONDS
    now = time.monotonic()
    with _kick_lock:
        if now - _kick_state["last"] >= interval:
            _kick_state["last"] = now
            send = True
        else:
            send = False
            if _kick_state["timer"] is None:
                timer = threading.Timer(interval - (now - _kick_state["last"]), _kick_late)
                timer.daemon = True
                _kick_state["timer"] = timer
                timer.start()
    if send:
        job_enqueue_on_commit(PROCESS_TASK)  # outside a transaction: sent at once


def _kick_late() -> None:
    with _kick_lock:
        _kick_state["timer"] = None
        _kick_state["last"] = time.monotonic()
    job_enqueue_on_commit(PROCESS_TASK)


@transaction.atomic
def raw_events_retry(*, event_ids: list[int]) -> int:
    """Put failed events back in the queue (after the fault is fixed); returns how many."""
    count = RawEvent.objects.filter(pk__in=event_ids, failed_at__isnull=False).update(
        failed_at=None, error=""
    )
    if count:
        _processing_request()
    return count
