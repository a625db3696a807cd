"""The SLA sweep at scale: N open tickets on PostgreSQL, about 1 % of their clocks due.

The SLA clocks are due work (`core/due.py`): one due-work sweep must process exactly the due
clocks and read nothing else. Rows:
- reference: the same selection as one raw SQL query (psycopg, no ORM);
- the sweep's selection (`core.due.due_ids`) through the ORM;
- the whole sweep (`core.due.due_sweep`): select, claim each clock with SKIP LOCKED, compute,
  record the warning or breach, write outbox rows, timeline events and ledger lines, escalate
  per policy.

Run: .venv/bin/python bench/sla_sweep.py [--open-tickets 1000000] [--due-every 100]
"""

import argparse
import collections
import math
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import Database, Environment, servicedesk, verdict  # noqa: E402

OPEN = "('new', 'assigned', 'in_progress', 'on_hold')"
RAW_SELECTION = (
    "SELECT id FROM sla_slaclock WHERE next_check_at <= now() ORDER BY next_check_at, id"
)
DUE = "SELECT count(*) FROM sla_slaclock WHERE next_check_at <= now()"


def clocks_create(db: Database, due_every: int) -> tuple[int, int]:
    """A running resolution clock per open ticket, on the 24×7 calendar; every `due_every`-th
    is already past its target, the others have used nothing yet."""
    db.execute(
        f"""
        INSERT INTO sla_slaclock (
            ticket_id, metric, policy_id, policy_name, calendar_id, target, warning_thresholds,
            breach_action, state, started_at, elapsed_before, running_since, due_at, warned,
            next_check_at)
        SELECT t.id, 'resolution', p.id, p.name, c.id, make_interval(mins => p.resolution_minutes),
               '[75, 90]'::jsonb, p.breach_action, 'running', s.since, interval '0', s.since,
               s.since + make_interval(mins => p.resolution_minutes), '[]'::jsonb,
               CASE WHEN t.id % {due_every} = 0
                    THEN s.since + make_interval(mins => p.resolution_minutes)
                    ELSE s.since + make_interval(mins => p.resolution_minutes) * 0.75 END
        FROM tickets_ticket t
        JOIN sla_slapolicy p ON p.priority = t.priority AND p.name = 'P' || t.priority || ' standard'
        CROSS JOIN (SELECT id FROM sla_businesscalendar WHERE always_open) c
        CROSS JOIN LATERAL (
            SELECT CASE WHEN t.id % {due_every} = 0
                        THEN now() - make_interval(mins => p.resolution_minutes + 5)
                        ELSE now() END AS since) s
        WHERE t.status IN {OPEN}
        """
    )
    db.execute("ANALYZE sla_slaclock")
    total = db.execute("SELECT count(*) FROM sla_slaclock")[0][0]
    due = db.execute(DUE)[0][0]
    return total, due


def raw_selection_seconds(db: Database, runs: int = 5) -> tuple[float, int]:
    import psycopg

    timings, rows = [], 0
    with psycopg.connect(db.dsn) as conn:
        for _ in range(runs):
            started = time.perf_counter()
            rows = len(conn.execute(RAW_SELECTION).fetchall())
            timings.append(time.perf_counter() - started)
    return statistics.median(timings), rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--open-tickets",
        type=int,
        default=1_000_000,
        help="open tickets wanted; the bulk seed makes about 70 %% of its tickets open",
    )
    parser.add_argument("--due-every", type=int, default=100, help="1 in N clocks is due")
    args = parser.parse_args()

    with Database("sla_sweep") as db:
        # Delivery of the outbox rows belongs to the workers, as in production: the sweep only
        # hands them to the broker (in memory here).
        env = Environment(db, jobs="celery")
        try:
            servicedesk(env, "migrate")
            started = time.perf_counter()
            servicedesk(env, "seed", "--tickets", str(math.ceil(args.open_tickets / 0.7)))
            seeded = time.perf_counter() - started
            total, due = clocks_create(db, args.due_every)
            tickets = db.execute("SELECT count(*) FROM tickets_ticket")[0][0]
            print(
                f"## SLA sweep: {tickets:,} tickets, {total:,} open with running clocks, {due:,} due"
            )
            print(f"seeded in {seeded:.0f} s; PostgreSQL {db.execute('SHOW server_version')[0][0]}")

            plan = "\n".join(r[0] for r in db.execute("EXPLAIN " + RAW_SELECTION))
            print("plan of the selection:\n  " + plan.replace("\n", "\n  "))

            raw_seconds, raw_rows = raw_selection_seconds(db)

            env.django_setup()
            from django.db import connection
            from django.test.utils import CaptureQueriesContext
            from django.utils import timezone

            from servicedesk.core.due import due_ids, due_sweep
            from servicedesk.sla.models import SlaClock

            orm_timings = []
            for _ in range(5):
                begin = time.perf_counter()
                ids = due_ids(model=SlaClock, now=timezone.now(), limit=10 * due + 1)
                orm_timings.append(time.perf_counter() - begin)
            orm_seconds = statistics.median(orm_timings)

            # Keep every query of the sweep for the checks below (Django keeps 9,000 by default).
            connection.queries_log = collections.deque(maxlen=10_000_000)
            with CaptureQueriesContext(connection) as queries:
                begin, cpu_begin = time.perf_counter(), time.process_time()
                processed = due_sweep(now=timezone.now())["sla.SlaClock"]
                sweep_seconds = time.perf_counter() - begin
                sweep_cpu = time.process_time() - cpu_begin
            left = db.execute(DUE)[0][0]
            breached = db.execute(
                "SELECT count(*) FROM sla_slaclock WHERE breached_at IS NOT NULL"
            )[0][0]

            ticket_reads = [q["sql"] for q in queries if '"tickets_ticket"' in q["sql"]]
            # A ticket is read by its own primary key, or joined to its clock's claim by the
            # clock's primary key.
            unkeyed = [
                sql
                for sql in ticket_reads
                if sql.lstrip().upper().startswith("SELECT")
                and not re.search(r'"(tickets_ticket|sla_slaclock)"\."id" = \d+', sql)
                and "IN (" not in sql
            ]
        finally:
            env.cleanup()

    rows = [
        ("reference: raw SQL selection (psycopg)", raw_rows, raw_seconds, 1.0),
        (
            "sweep selection (ORM, core.due.due_ids)",
            len(ids),
            orm_seconds,
            orm_seconds / raw_seconds,
        ),
        (
            "whole sweep (core.due.due_sweep: select + claim + process each)",
            processed,
            sweep_seconds,
            sweep_seconds / raw_seconds,
        ),
    ]
    print()
    print("| row | clocks | seconds | ms per clock | ratio to reference |")
    print("|---|---|---|---|---|")
    for label, count, seconds, ratio in rows:
        per = seconds * 1000 / count if count else 0
        print(f"| {label} | {count:,} | {seconds:.3f} | {per:.3f} | {ratio:,.1f} |")
    print()
    print(
        f"queries during the sweep: {len(queries):,} ({len(queries) / max(processed, 1):.1f} per clock)"
    )
    # Wall time moves with whatever else runs on the machine; this process's CPU much less.
    print(
        f"CPU of this process during the sweep: {sweep_cpu:.3f} s "
        f"({sweep_cpu * 1000 / max(processed, 1):.3f} ms per clock; the database's is not counted)"
    )
    print(
        f"queries touching tickets_ticket: {len(ticket_reads):,}; not by primary key: {len(unkeyed)}"
    )
    ok = verdict(
        processed == due, f"the sweep processed exactly the {due:,} due clocks ({processed:,})"
    )
    ok &= verdict(
        left == 0 and breached == due, f"none left due ({left}); {breached:,} breaches recorded"
    )
    ok &= verdict(
        "sla_slaclock_due_idx" in plan, "the selection uses the partial index sla_slaclock_due_idx"
    )
    ok &= verdict(not unkeyed, "the sweep read no ticket except the due ones, each by primary key")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
