"""The agent's queue listing on a large desk, beside the bare view served by the same processes.

    GET /api/tickets/?assignment_group=<id>&status=open&ordering=priority,created_at

is the first page (50 rows) of a group's open tickets, by priority then age. For each size the
database is filled by the product's own seeder (`servicedesk seed --tickets N`; each run adds
tickets, so the sizes are reached one after the other in one database), then, in this run:
- reference: the bare Django JSON view (bench/bare_urls.py) at the same concurrency;
- the queue of the support group with the most open tickets (the worst queue).
At the largest size it prints EXPLAIN (ANALYZE, BUFFERS) of the SQL the view sent, which should
use the partial index ticket_open_queue_idx.

Target: queue p95 at 1,000,000 tickets ≤ 5 × the bare view's p95.

    .venv/bin/python bench/queue_listing.py [--sizes 100000,1000000] [--concurrency 1,16]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.request
from contextlib import closing
from pathlib import Path

import psycopg

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import BARE_PATH
from bench import _harness as h

TARGET_P95_RATIO = 5.0
TARGET_SIZE = 1_000_000
INDEX = "ticket_open_queue_idx"


def queue_path(group_id: int) -> str:
    return f"/api/tickets/?assignment_group={group_id}&status=open&ordering=priority,created_at"


def agent_token() -> str:
    """A desk agent (staff see every ticket of the desk) with an API token."""
    from rest_framework.authtoken.models import Token

    from servicedesk.accounts.models import Role, User

    agent = User.objects.create_user(
        username="bench.queue.agent",
        email="queue.agent@bench.test",
        first_name="Queue",
        last_name="Agent",
        role=Role.AGENT,
        password=None,
    )
    return Token.objects.create(user=agent).key


def busiest_group(db: h.Database) -> tuple[int, int]:
    """The support group with the most open tickets, and how many it has."""
    from servicedesk.tickets.states import OPEN_STATUSES

    rows = db.execute(
        "SELECT assignment_group_id, count(*) FROM tickets_ticket"
        " WHERE status = ANY(%s) AND assignment_group_id IS NOT NULL"
        " GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
        [sorted(OPEN_STATUSES)],
    )
    return rows[0]


def check_page(base_url: str, path: str, token: str) -> int:
    """One request by hand: 200, a full page, sorted by priority then age. Returns its size."""
    request = urllib.request.Request(base_url + path, headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read())
    rows = body["results"]
    keys = [(r["priority"], r["created_at"]) for r in rows]
    if keys != sorted(keys):
        raise RuntimeError("the queue page is not ordered by priority, then age")
    return len(rows)


def view_sql(path: str, token: str) -> tuple[str, int]:
    """The SQL of the ticket page that the view sends (captured in this process), and how many
    queries a warm request makes (the first one also fills the token and reference data caches)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.get(path, HTTP_AUTHORIZATION=f"Token {token}")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, HTTP_AUTHORIZATION=f"Token {token}")
    if response.status_code != 200:
        raise RuntimeError(f"queue listing failed: {response.status_code}")
    queries = [q["sql"] for q in captured.captured_queries]
    page = next(q for q in queries if 'FROM "tickets_ticket"' in q and "ORDER BY" in q)
    return page, len(queries)


def explain(db: h.Database, sql: str) -> str:
    """The plan of the second of two runs on one connection: its catalog caches are warm, as in
    the server's persistent connections."""
    with closing(psycopg.connect(db.dsn, autocommit=True)) as conn:
        conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql).fetchall()
    return "\n".join(r[0] for r in rows)


def run(args) -> bool:
    sizes = sorted(int(s) for s in args.sizes.split(","))
    config = h.ServerConfig(workers=args.workers, threads=args.threads)
    h.banner(
        "Agent's queue listing (GET /api/tickets/?assignment_group=…&status=open"
        "&ordering=priority,created_at)",
        config,
        [
            f"sizes {', '.join(f'{s:,}' for s in sizes)}; concurrency {args.concurrency},"
            f" {args.duration:g} s per step (+{args.warmup:g} s warm-up), {args.rounds} round(s),"
            f" jobs={args.jobs}"
        ],
    )
    rows: list[h.LoadResult] = []
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    results: dict[tuple[int, int], tuple[h.LoadResult, h.LoadResult]] = {}
    plan = ""
    with h.Database("queue") as db:
        env = h.Environment(db, jobs=args.jobs)
        try:
            seeded = 0
            token = None
            for size in sizes:
                started = time.monotonic()
                output = h.servicedesk(env, "seed", "--tickets", str(size - seeded))
                seeded = size
                db.execute("VACUUM (ANALYZE) tickets_ticket")
                said = output.strip().splitlines()[-1] if output.strip() else ""
                print(f"seeded to {size:,} tickets in {time.monotonic() - started:.0f} s ({said})")
                if token is None:
                    env.django_setup()
                    token = agent_token()
                group, open_count = busiest_group(db)
                path = queue_path(group)
                sql, query_count = view_sql(path, token)
                print(
                    f"  queue of group {group}: {open_count:,} open tickets;"
                    f" {query_count} {'query' if query_count == 1 else 'queries'} per warm listing"
                )
                sys.stdout.flush()
                for concurrency in concurrencies:
                    bare, queue = measure_size(args, env, config, size, concurrency, path, token)
                    results[size, concurrency] = (bare, queue)
                    rows += [bare, queue]
                if size == sizes[-1]:
                    plan = explain(db, sql)
        finally:
            env.cleanup()

    print()
    h.print_table(rows)
    print()
    print(f"load average at the end: {h.load_average()}")
    print(f"EXPLAIN (ANALYZE, BUFFERS) of the queue page at {sizes[-1]:,} tickets:")
    print("\n".join("    " + line for line in plan.splitlines()))
    print()
    ok = h.verdict(all(b.errors == 0 and q.errors == 0 for b, q in results.values()), "no errors")
    ok &= h.verdict(INDEX in plan, f"the queue query uses the partial index {INDEX}")
    judged = TARGET_SIZE if TARGET_SIZE in sizes else sizes[-1]
    note = "" if judged == TARGET_SIZE else f" ({TARGET_SIZE:,} was not run)"
    for concurrency in concurrencies:
        bare, queue = results[judged, concurrency]
        ratio = queue.p95_ms / bare.p95_ms
        ok &= h.verdict(
            ratio <= TARGET_P95_RATIO,
            f"queue p95 at {judged:,} tickets, concurrency {concurrency}, is {ratio:.1f}× the"
            f" bare view's p95 (target ≤ {TARGET_P95_RATIO:g}×){note}",
        )
    return ok


def measure_size(
    args, env, config, size, concurrency, path, token
) -> tuple[h.LoadResult, h.LoadResult]:
    bare_runs, queue_runs = [], []
    with h.Server(env, config) as server:
        page = check_page(server.base_url, path, token)
        headers = {"Authorization": f"Token {token}"}
        for _ in range(args.rounds):
            for label, url, extra, runs, reference in (
                (
                    f"bare Django JSON view @ {size:,}, c={concurrency}",
                    server.base_url + BARE_PATH,
                    {},
                    bare_runs,
                    True,
                ),
                (
                    f"queue listing, first page ({page} rows) @ {size:,}, c={concurrency}",
                    server.base_url + path,
                    headers,
                    queue_runs,
                    False,
                ),
            ):
                if args.warmup:
                    h.run_load(
                        "warm-up",
                        url,
                        connections=concurrency,
                        duration=args.warmup,
                        headers=extra,
                    )
                runs.append(
                    h.run_load(
                        label,
                        url,
                        connections=concurrency,
                        duration=args.duration,
                        headers=extra,
                        reference=reference,
                    )
                )
    bare, queue = h.median_result(bare_runs), h.median_result(queue_runs)
    queue.ratio = f"p95 {queue.p95_ms / bare.p95_ms:.1f}× bare; req/s {queue.rps / bare.rps:.2f}×"
    return bare, queue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated ticket counts")
    parser.add_argument("--duration", type=float, default=10, help="seconds per measured step")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per step")
    parser.add_argument(
        "--concurrency",
        default="1,16",
        help="comma-separated: 1 shows the service time, 16 a loaded server (as in api_create)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="repeat; report the medians")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--jobs",
        choices=["inline", "thread"],
        default="inline",
        help="inline: no embedded scheduler sweeping the seeded year of tickets while measuring",
    )
    args = parser.parse_args()
    try:
        ok = run(args)
    except subprocess.CalledProcessError as error:
        print(f"a step failed: {error}", file=sys.stderr)
        sys.exit(2)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
