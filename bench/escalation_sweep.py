"""10,000 escalations due in the same minute: the due-work sweep against raw SQL.

Each escalation (`oncall.Escalation`, due work) is at its first level and falls due now; the
sweep (`core.due.due_sweep`) claims them in batches with SKIP LOCKED and runs each one's next
level: the person to page (2,000 people on call, each paged by five incidents), a page with its
signed acknowledge link, its email queued in the outbox through `notify()`, the timeline row,
the escalation's next check. Rows, on a fresh PostgreSQL database, rounds interleaved, medians:
- reference: the raw selection of the due rows (psycopg, one query) plus a raw bulk INSERT of
  the same outbox rows (same columns, bodies of the same size, 1,000 rows a statement);
- the whole sweep;
- for scale, not judged: the ORM's own share, `bulk_create` alone of the rows the sweep wrote
  (outbox, pages, timeline), from instances built beforehand, rolled back.

Target: the sweep takes no more than 3 × the reference.

Run: .venv/bin/python bench/escalation_sweep.py [--escalations 10000] [--rounds 3] [--quick]
"""

import argparse
import statistics
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import Database, Environment, load_average, servicedesk, verdict  # noqa: E402

TARGET = 3.0
CHUNK = 1000
PEOPLE_PER = 5
SELECTION = (
    "SELECT next_check_at, id FROM oncall_escalation WHERE next_check_at <= now()"
    " ORDER BY next_check_at, id"
)
COLUMNS = (
    "channel, destination, topic, language, subject_type_id, subject_id, title, body, message_id,"
    " thread, attachments, parts, headers, dedup_key, status, attempts, last_error, created_at,"
    " next_attempt_at"
)


def fixtures(db: Database, n: int) -> None:
    """N open P1 incidents at L3, N/5 people, and an escalation per incident at its first
    level whose second level (one of the people) falls due now."""
    from django.contrib.auth.hashers import make_password

    from servicedesk.accounts.models import User

    password = make_password(None)
    User.objects.bulk_create(
        User(
            username=f"oncall{i:05d}",
            email=f"oncall{i:05d}@example.test",
            role="agent",
            password=password,
            language="ro" if i % 4 == 0 else "en",
        )
        for i in range(n // PEOPLE_PER)
    )
    db.execute(
        f"""
        WITH people AS (
            SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
            FROM accounts_user WHERE username LIKE 'oncall%%'),
        incidents AS (
            SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
            FROM tickets_ticket ORDER BY id LIMIT {n})
        INSERT INTO oncall_escalation (ticket_id, snapshot, state, level, repeat, started_at,
                                       end_reason, next_check_at)
        SELECT i.id,
               jsonb_build_object('policy', 'Engineering', 'repeat', 0, 'levels', jsonb_build_array(
                 jsonb_build_object('delay', 5, 'people', '[]'::jsonb, 'schedules', '[]'::jsonb,
                                    'groups', '[]'::jsonb),
                 jsonb_build_object('delay', 10, 'people', jsonb_build_array(p.id),
                                    'schedules', '[]'::jsonb, 'groups', '[]'::jsonb))),
               'active', 0, 0, now() - interval '5 minutes', '', NULL
        FROM incidents i JOIN people p ON p.n = i.n % {n // PEOPLE_PER}
        """
    )
    db.execute(
        """UPDATE tickets_ticket SET priority = 1, status = 'in_progress', tier = 3
            WHERE id IN (SELECT ticket_id FROM oncall_escalation)"""
    )


def reset(db: Database) -> None:
    """Every escalation back at its first level, due now; what a sweep wrote, gone."""
    db.execute("DELETE FROM oncall_page")
    db.execute("DELETE FROM tickets_ticketevent WHERE type = 'paging'")
    db.execute("DELETE FROM notifications_outboxmessage")
    db.execute(
        "UPDATE oncall_escalation SET level = 0, state = 'active',"
        " next_check_at = date_trunc('minute', now()) - interval '1 second'"
    )
    db.execute("VACUUM ANALYZE oncall_escalation")


def raw_rows(sample: list[tuple[str, str, str, str]], tag: str) -> list[tuple]:
    now = datetime.now(UTC)
    return [
        (
            "email",
            destination,
            "oncall.page",
            language,
            None,
            None,
            title,
            body,
            f"<{tag}{i:028d}@example.test>",
            "",
            "[]",
            "[]",
            "{}",
            f"raw:{tag}:{i:016d}",
            "pending",
            0,
            "",
            now,
            now,
        )
        for i, (destination, language, title, body) in enumerate(sample)
    ]


def reference(db: Database, rows: list[tuple]) -> tuple[float, float, int]:
    """(selection seconds, INSERT seconds, rows selected)."""
    import psycopg

    placeholders = "(" + ", ".join(["%s"] * len(rows[0])) + ")"
    with psycopg.connect(db.dsn) as conn:
        started = time.perf_counter()
        selected = len(conn.execute(SELECTION).fetchall())
        selection = time.perf_counter() - started
        started = time.perf_counter()
        with conn.cursor() as cursor:
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                cursor.execute(
                    f"INSERT INTO notifications_outboxmessage ({COLUMNS}) VALUES "
                    + ", ".join([placeholders] * len(chunk))
                    + " RETURNING id",
                    [value for row in chunk for value in row],
                )
                cursor.fetchall()
        conn.commit()
        insert = time.perf_counter() - started
        conn.execute("DELETE FROM notifications_outboxmessage WHERE dedup_key LIKE 'raw:%%'")
        conn.commit()
    return selection, insert, selected


def sweep() -> tuple[float, float, int]:
    from django.utils import timezone

    from servicedesk.core.due import due_sweep

    started, cpu = time.perf_counter(), time.process_time()
    handled = due_sweep(now=timezone.now())["oncall.Escalation"]
    return time.perf_counter() - started, time.process_time() - cpu, handled


def floor() -> float:
    """Seconds `bulk_create` alone takes to write again the rows the last sweep wrote (three
    tables), the instances built beforehand; rolled back."""
    from django.db import transaction

    from servicedesk.notifications.models import OutboxMessage
    from servicedesk.oncall.models import Page
    from servicedesk.tickets.models import TicketEvent

    batches = [
        [
            OutboxMessage(**{**row, "id": None, "dedup_key": row["dedup_key"] + ":again"})
            for row in OutboxMessage.objects.filter(topic="oncall.page").values()
        ],
        [
            Page(**{**row, "id": None, "token": row["token"] + "again"})
            for row in Page.objects.values()
        ],
        [
            TicketEvent(**{**row, "id": None})
            for row in TicketEvent.objects.filter(type="paging").values()
        ],
    ]
    with transaction.atomic():
        started = time.perf_counter()
        for batch in batches:
            type(batch[0]).objects.bulk_create(batch, batch_size=CHUNK)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def run(args) -> bool:
    n = args.escalations
    with Database("escalation_sweep") as db:
        # Delivery belongs to the workers, as in production: the sweep queues the messages.
        env = Environment(db, jobs="celery")
        try:
            servicedesk(env, "migrate")
            servicedesk(env, "seed", "--tickets", str(n))
            env.django_setup()
            # What a worker does once started (core.jobs): the sweep runs in this process.
            from servicedesk.core.jobs import worker_heap_freeze

            worker_heap_freeze()
            fixtures(db, n)
            return measure(args, db)
        finally:
            env.cleanup()


def measure(args, db: Database) -> bool:
    from servicedesk.notifications.models import OutboxMessage
    from servicedesk.oncall.models import Escalation, Page

    n = args.escalations
    print(f"## Escalation sweep: {n:,} escalations due in the same minute, {args.rounds} rounds")
    print(
        f"PostgreSQL {db.execute('SHOW server_version')[0][0]}; load average at start"
        f" {load_average()}"
    )
    reset(db)
    plan = "\n".join(r[0] for r in db.execute("EXPLAIN " + SELECTION))
    # Warm-up round (templates, translations, content types), and the sample of outbox rows
    # the raw INSERT copies.
    sweep()
    # Plain strings, not model instances: the benchmark's own objects stay out of the garbage
    # collector's walks during the measured sweeps.
    sample = list(
        OutboxMessage.objects.filter(topic="oncall.page")
        .order_by("id")
        .values_list("destination", "language", "title", "body")[:n]
    )
    timings: dict[str, list[float]] = {
        "select": [],
        "insert": [],
        "sweep": [],
        "cpu": [],
        "floor": [],
    }
    counts_ok = True
    for r in range(1, args.rounds + 1):
        reset(db)
        selection, insert, selected = reference(db, raw_rows(sample, f"r{r}"))
        timings["select"].append(selection)
        timings["insert"].append(insert)
        wall, cpu, handled = sweep()
        timings["sweep"].append(wall)
        timings["cpu"].append(cpu)
        queued = OutboxMessage.objects.filter(topic="oncall.page").count()
        counts_ok &= selected == n and handled == n and queued == n
        timings["floor"].append(floor())
    pages = Page.objects.count()
    distinct_links = OutboxMessage.objects.values("body").distinct().count()
    at_level_two = Escalation.objects.filter(level=1, next_check_at__isnull=False).count()

    select = statistics.median(timings["select"])
    insert = statistics.median(timings["insert"])
    ref = statistics.median(
        s + i for s, i in zip(timings["select"], timings["insert"], strict=True)
    )
    wall = statistics.median(timings["sweep"])
    rows = [
        ("reference: raw selection of the due rows (psycopg)", select),
        (f"reference: raw INSERT of the outbox rows, {CHUNK:,} a statement (psycopg)", insert),
        ("reference: selection + INSERT", ref),
        ("due-work sweep (claim, page, notify, timeline, next check)", wall),
        (
            "for scale: bulk_create alone of the sweep's rows (outbox, pages, timeline)",
            statistics.median(timings["floor"]),
        ),
    ]
    print()
    print("| row | escalations | seconds (median) | µs per escalation | ratio to reference |")
    print("|---|---|---|---|---|")
    for label, seconds in rows:
        print(
            f"| {label} | {n:,} | {seconds:.3f} | {seconds * 1e6 / n:,.0f} | {seconds / ref:.2f} |"
        )
    print()
    print(
        "rounds (s): "
        + "; ".join(f"{k} " + ", ".join(f"{t:.3f}" for t in v) for k, v in timings.items())
    )
    print(
        f"CPU of this process in the sweep: {statistics.median(timings['cpu']):.3f} s (median);"
        f" load average at the end {load_average()}"
    )
    # Every row is due, so the plan reads the whole (small) table; the partial index serves
    # the usual sweep, where few are.
    print("plan of the selection:\n  " + plan.replace("\n", "\n  "))
    ok = verdict(counts_ok, f"each round selected, handled and queued exactly {n:,}")
    ok &= verdict(
        pages == n and distinct_links == n and at_level_two == n,
        f"{pages:,} pages, {distinct_links:,} distinct messages (one link each),"
        f" {at_level_two:,} escalations waiting at level 2",
    )
    ok &= verdict(
        wall <= TARGET * ref,
        f"the sweep takes {wall / ref:.2f} × the reference (target ≤ {TARGET:g} ×)",
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--escalations", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved; the medians count")
    parser.add_argument("--quick", action="store_true", help="1,000 escalations, 2 rounds")
    args = parser.parse_args()
    if args.quick:
        args.escalations, args.rounds = 1000, 2
    try:
        ok = run(args)
    except Exception:  # noqa: BLE001 - a step failed: say so and exit 2, as the others do
        traceback.print_exc()
        sys.exit(2)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
