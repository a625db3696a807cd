"""Alert processing: a burst of raw events to deduplicated alerts and incidents, beside raw
PostgreSQL INSERTs of the same event rows.

Rows, measured in this run on one fresh PostgreSQL database, in interleaved rounds (a fresh
burst each), medians:
- reference: raw INSERTs of the burst's raw-event rows (psycopg, 500 rows per transaction, no
  ORM): what the database costs to take the rows in;
- the batch processor in this process (`alerts.services.alerts_process`) on those very rows:
  claim, deduplicate into alerts, correlate into incidents (ticket_log), one timeline row per
  incident per batch, mark processed — events per second of processing;
- two worker processes (`servicedesk manage alerts_process`) on a second burst of the same
  shape, one of them killed with SIGKILL after it has started: the counts must come out exact.

The burst: 20,000 PagerDuty triggers over 1,200 keys (every key once, the rest repeats, 94 %
repeats in all) on two integrations; each key's host is key mod 12, so alerts correlate into
one incident per integration and host (tests/alerts/burst.py, shared with the suite's test).

Target: processing events/s ≥ 20 % of the raw INSERT rate.

    .venv/bin/python bench/alert_processing.py [--events 20000] [--keys 1200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h

TARGET_RATIO = 0.20


def raw_insert(db: h.Database, rows) -> float:
    """Seconds to INSERT `rows` (RawEvent objects, unsaved) with psycopg; returns the time."""
    import psycopg
    from psycopg.types.json import Jsonb

    sql = (
        "INSERT INTO alerts_rawevent (integration_id, received_at, body, items, error)"
        " VALUES (%s, %s, %s, %s, '')"
    )
    values = [(r.integration_id, r.received_at, r.body, Jsonb(r.items)) for r in rows]
    with psycopg.connect(db.dsn) as conn:
        started = time.perf_counter()
        for start in range(0, len(values), 500):
            with conn.transaction(), conn.cursor() as cursor:
                cursor.executemany(sql, values[start : start + 500])
        return time.perf_counter() - started


def counts(prefix: str) -> dict:
    from django.db.models import Sum

    from servicedesk.alerts.models import Alert, RawEvent
    from servicedesk.tickets.models import Ticket, TicketEvent

    alerts = Alert.objects.filter(integration__name__startswith=prefix)
    incidents = Ticket.objects.filter(alerts__integration__name__startswith=prefix).distinct()
    rows = TicketEvent.objects.filter(ticket__in=incidents, type="note")
    opened = sum(r.data["alerts"].get("opened_count", 0) for r in rows)
    repeats = sum(r.data["alerts"].get("repeats", 0) for r in rows)
    return {
        "alerts": alerts.count(),
        "count_sum": alerts.aggregate(s=Sum("count"))["s"] or 0,
        "incidents": incidents.count(),
        "pending": RawEvent.objects.filter(
            integration__name__startswith=prefix, processed_at__isnull=True
        ).count(),
        "opened_in_timelines": opened,
        "repeats_in_timelines": repeats,
    }


def expected(events: int, keys: int) -> dict:
    from tests.alerts.burst import HOSTS

    return {
        "alerts": keys,
        "count_sum": events,
        "incidents": len({(k % 2, k % HOSTS) for k in range(keys)}),
        "pending": 0,
        "opened_in_timelines": keys,
        "repeats_in_timelines": events - keys,
    }


def two_workers(env: h.Environment, db: h.Database) -> tuple[float, bool]:
    def start(name: str, batch: int) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "servicedesk.cli", "manage", "alerts_process"]
            + ["--batch", str(batch)],
            env=env.subprocess_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            cwd=h.REPO,
        )

    def pending() -> int:
        return db.execute("SELECT count(*) FROM alerts_rawevent WHERE processed_at IS NULL")[0][0]

    total = pending()
    started = time.perf_counter()
    victim, survivor = start("a", 500), start("b", 500)
    while pending() == total and time.perf_counter() - started < 120:
        time.sleep(0.05)
    time.sleep(0.3)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    ok = survivor.wait(timeout=1800) == 0
    ok = start("c", 500).wait(timeout=1800) == 0 and ok
    return time.perf_counter() - started, ok


def run(args) -> bool:
    print("## Alert processing: raw events → alerts and incidents")
    print(f"burst: {args.events:,} events over {args.keys:,} keys on two integrations")
    with h.Database("alert_processing") as db:
        env = h.Environment(db, jobs="celery")
        try:
            h.servicedesk(env, "migrate", "--verbosity", "0")
            env.django_setup()
            from tests.alerts.burst import burst_events

            from servicedesk.accounts.models import SupportGroup
            from servicedesk.alerts.services import alerts_process, integration_create

            group = SupportGroup.objects.create(name="Service Desk", tier=1)

            def integrations(prefix):
                return [
                    integration_create(
                        name=f"{prefix} {n}", source="pagerduty", assignment_group=group
                    )[0]
                    for n in (1, 2)
                ]

            # Rounds, each on a fresh burst of its own integrations: the reference INSERT of
            # the rows, then the processor on those very rows. Medians are judged.
            inserts, processes, singles = [], [], []
            for r in range(args.rounds):
                prefix = f"Single{r}"
                rows = burst_events(
                    integrations(prefix), events=args.events, keys=args.keys, seed=7 + r
                )
                inserts.append(raw_insert(db, rows))
                db.execute("ANALYZE alerts_rawevent")
                begin = time.perf_counter()
                processed = alerts_process(batch=args.batch)
                processes.append(time.perf_counter() - begin)
                singles.append(counts(prefix))
            from django.conf import settings

            batch_size = args.batch or settings.SERVICEDESK_ALERTS_BATCH
            insert_seconds = statistics.median(inserts)
            process_seconds = statistics.median(processes)
            single = singles[0] if all(c == singles[0] for c in singles) else singles

            two = integrations("Pair")
            raw_insert(db, burst_events(two, events=args.events, keys=args.keys, seed=11))
            pair_seconds, pair_ok = two_workers(env, db)
            pair = counts("Pair")
        finally:
            env.cleanup()
    want = expected(args.events, args.keys)
    insert_rate = args.events / insert_seconds
    process_rate = processed / process_seconds
    pair_rate = args.events / pair_seconds
    header = ("row", "events", "seconds", "events/s", "ratio to reference")
    table = [
        (
            "reference: raw PostgreSQL INSERT of the event rows (psycopg, 500/transaction)",
            args.events,
            insert_seconds,
            insert_rate,
            "1.00 (reference)",
        ),
        (
            f"batch processor, one worker in process (batch {batch_size})",
            processed,
            process_seconds,
            process_rate,
            f"{process_rate / insert_rate:.3f}",
        ),
        (
            "two worker processes, one killed with SIGKILL mid-run, then a third drains",
            args.events,
            pair_seconds,
            pair_rate,
            f"{pair_rate / insert_rate:.3f} (not judged)",
        ),
    ]
    widths = [max(len(str(header[i])), *(len(_cell(r[i])) for r in table)) for i in range(5)]
    print("| " + " | ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in table:
        print("| " + " | ".join(_cell(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    print()
    print(
        "rounds (s): insert "
        + ", ".join(f"{x:.3f}" for x in inserts)
        + "; process "
        + ", ".join(f"{x:.3f}" for x in processes)
    )
    print(f"expected:          {json.dumps(want)}")
    print(f"one worker:        {json.dumps(single)}")
    print(f"two workers, kill: {json.dumps(pair)}")
    ok = h.verdict(single == want, "one worker: exact alerts, counts, incidents, timelines")
    ok = h.verdict(pair_ok and pair == want, "two workers and a SIGKILL: the same numbers") and ok
    ratio = process_rate / insert_rate
    return (
        h.verdict(
            ratio >= TARGET_RATIO,
            f"processing is {ratio:.1%} of the raw INSERT rate (target ≥ {TARGET_RATIO:.0%})",
        )
        and ok
    )


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--keys", type=int, default=1_200)
    parser.add_argument(
        "--batch", type=int, default=None, help="default: the product's SERVICEDESK_ALERTS_BATCH"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved; the medians count")
    args = parser.parse_args()
    try:
        ok = run(args)
    except subprocess.CalledProcessError as error:
        print(f"a step failed: {error}\n{error.stdout or ''}{error.stderr or ''}", file=sys.stderr)
        sys.exit(2)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
