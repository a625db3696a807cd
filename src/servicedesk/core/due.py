"""The due-work sweep: rows that say when they next need a look, and one job that looks.

A model that has timed work (an SLA clock's next warning or breach, an escalation step, a
reminder) inherits `DueWork` and keeps `next_check_at` at the next instant it needs its handler,
or None once it needs no more (closed, stopped). The partial index therefore holds only rows
with a check pending, and finding what is due reads one index range, whatever the size of the
table. Apps register the model and its handler in `AppConfig.ready()` with `due_register`; the
periodic job `core.due_sweep` runs `due_sweep()`. Core knows the mechanism, not the models.

Safe on many workers at once: each row is claimed in its own transaction with
`SELECT … FOR UPDATE SKIP LOCKED` and re-checked (another worker may just have handled it), so a
row is handled by one worker at a time and a worker never waits for another.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

log = logging.getLogger(__name__)


class DueWork(models.Model):
    """A row with timed work: `next_check_at` is when its handler must look at it next.

    None means nothing more is due (the row is closed or stopped), which keeps the row out of
    the partial index. A subclass that declares its own `Meta.indexes` keeps this one by
    listing `*DueWork.Meta.indexes` among them.
    """

    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        indexes = [
            models.Index(
                fields=["next_check_at"],
                condition=Q(next_check_at__isnull=False),
                name="%(app_label)s_%(class)s_due_idx",
            )
        ]


Handler = Callable[[Any, datetime], None]
BatchHandler = Callable[[list, datetime], None]


@dataclass(frozen=True)
class DueModel:
    """A registered model: its handler, how many ids one selection reads, what to join, and
    the handler of a whole batch when the app has one."""

    model: type[DueWork]
    handler: Handler
    batch: int
    select_related: tuple[str, ...]
    batch_handler: BatchHandler | None = None


_registry: dict[str, DueModel] = {}


def due_register(
    model: type[DueWork],
    *,
    handler: Handler,
    batch: int = 500,
    select_related: tuple[str, ...] | list[str] = (),
    batch_handler: BatchHandler | None = None,
) -> None:
    """Hand each due row of `model` to `handler(row, now)` in the periodic sweep.

    The handler runs inside the transaction that holds the row's lock and must set the row's
    `next_check_at` (to a later instant, or None) and save it. `select_related` is joined to the
    claim of each row; only the row itself is locked.

    With `batch_handler(rows, now)`, each selection of due ids is claimed at once (the rows no
    other worker holds, `SKIP LOCKED`, re-checked) and handed over together in one transaction,
    for work that is cheaper done in bulk (thousands of escalation steps due in one minute). A
    batch that fails is rolled back and its rows are handed to `handler` one by one, so one bad
    row still holds back no other.
    """
    if not issubclass(model, DueWork):
        raise TypeError(f"{model._meta.label} does not inherit DueWork")
    _registry[model._meta.label] = DueModel(
        model, handler, batch, tuple(select_related), batch_handler
    )


def due_models() -> list[DueModel]:
    return list(_registry.values())


def due_ids(
    *,
    model: type[DueWork],
    now: datetime,
    limit: int,
    after: tuple[datetime, Any] | None = None,
) -> list[tuple[datetime, Any]]:
    """(next_check_at, pk) of the rows due by `now`, oldest first, after the cursor `after`.

    One range of the partial index; nothing but the two columns is read.
    """
    rows = model._default_manager.filter(next_check_at__lte=now)
    if after is not None:
        at, pk = after
        rows = rows.filter(Q(next_check_at__gt=at) | Q(next_check_at=at, pk__gt=pk))
        rows = rows.filter(next_check_at__gte=at)  # the index range; the OR above only filters
    return list(rows.order_by("next_check_at", "pk").values_list("next_check_at", "pk")[:limit])


def due_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Hand every row due by `now` to its handler, once; returns rows handled per model label.

    A handler that fails does not hold back the rows behind it (the oldest rows come first, so
    a row that fails every time would otherwise stop every sweep at the same place): its
    transaction is rolled back, the row stays due for the next sweep, the failure is logged with
    the row, the other rows are handled, and then the first error is raised, so the periodic
    job fails visibly and runs again.
    """
    now = now or timezone.now()
    handled: dict[str, int] = {}
    errors: list[Exception] = []
    for entry in due_models():
        handled[entry.model._meta.label] = _model_sweep(entry, now, errors)
    if errors:
        first = errors[0]
        if len(errors) > 1:
            first.add_note(f"{len(errors) - 1} more due rows failed in this sweep (logged)")
        raise first
    return handled


def _model_sweep(entry: DueModel, now: datetime, errors: list[Exception]) -> int:
    """Walk the due rows of one model in batches, by keyset, until a batch is short.

    The keyset (next_check_at, pk) never goes back, and `seen` guards against a handler that
    moved its row to a later instant that is still due: no row is handled twice in one sweep.
    A batch in which nothing could be handled (every row locked or done by another worker, or
    failing) ends the walk: the other worker goes on from there.
    """
    label = entry.model._meta.label
    handled, seen, after = 0, set(), None
    while True:
        batch = due_ids(model=entry.model, now=now, limit=entry.batch, after=after)
        if not batch:
            return handled
        after = batch[-1]
        done = 0
        if entry.batch_handler is not None:
            fresh = [pk for _at, pk in batch if pk not in seen]
            seen.update(fresh)
            try:
                done = _batch_handle(entry, fresh, now)
            except Exception:  # noqa: BLE001 - each row is tried again on its own below
                log.exception(
                    "due work: a batch of %s failed; its rows are tried one by one", label
                )
            else:
                handled += done
                if len(batch) < entry.batch or done == 0:
                    return handled
                continue
            seen.difference_update(fresh)
        for _at, pk in batch:
            if pk in seen:
                continue
            seen.add(pk)
            try:
                done += _row_handle(entry, pk, now)
            except Exception as error:  # noqa: BLE001 - raised again by due_sweep once the other rows are done
                log.exception("due work: %s %s failed; it stays due", label, pk)
                errors.append(error)
        handled += done
        if len(batch) < entry.batch or done == 0:
            return handled


@transaction.atomic
def _row_handle(entry: DueModel, pk: Any, now: datetime) -> bool:
    """Claim one row (skipped if another worker holds it or has just handled it), handle it."""
    rows = entry.model._default_manager.select_for_update(skip_locked=True, of=("self",))
    if entry.select_related:
        rows = rows.select_related(*entry.select_related)
    row = rows.filter(pk=pk, next_check_at__lte=now).first()
    if row is None:
        return False
    entry.handler(row, now)
    if row.next_check_at is not None and row.next_check_at <= now:
        log.warning(
            "due work: the handler of %s left %s due; it is looked at again next sweep",
            entry.model._meta.label,
            pk,
        )
    return True


@transaction.atomic
def _batch_handle(entry: DueModel, pks: list, now: datetime) -> int:
    """Claim the rows of `pks` still due that no other worker holds, hand them over at once."""
    rows = entry.model._default_manager.select_for_update(skip_locked=True, of=("self",))
    if entry.select_related:
        rows = rows.select_related(*entry.select_related)
    claimed = list(rows.filter(pk__in=pks, next_check_at__lte=now).order_by("next_check_at", "pk"))
    if claimed:
        entry.batch_handler(claimed, now)
    return len(claimed)


def due_next(*, until: datetime) -> datetime | None:
    """The earliest pending check at or before `until` among the registered models, or None:
    where a replay of the past (the demo's history) must run the sweep next."""
    earliest = [
        entry.model.objects.filter(next_check_at__lte=until)
        .order_by("next_check_at")
        .values_list("next_check_at", flat=True)
        .first()
        for entry in due_models()
    ]
    return min((at for at in earliest if at is not None), default=None)
