"""API ticket creation under load, beside what the same machine does with no application work.

Rows, all measured in this run against one fresh PostgreSQL database:
- reference: the bare Django JSON view (bench/bare_urls.py), served by the same `servicedesk
  serve` processes, at the same concurrency: the ceiling of server + Django + load generator;
- reference: raw PostgreSQL inserts of the same ticket row (psycopg, one row per transaction,
  same concurrency): the database's own cost of a ticket, with no Python web stack;
- POST /api/tickets/ with token auth and a JSON body, a distinct title each time.

Target: API create req/s ≥ 15 % of the bare view's req/s.

    .venv/bin/python bench/api_create.py [--duration 10] [--concurrency 16] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import BARE_PATH
from bench import _harness as h

TARGET_RATIO = 0.15
BODY = json.dumps(
    {
        "title": "Printer on the 3rd floor jams on every page {n}",
        "description": "Since this morning the printer by the lifts jams; the tray is full.",
        "impact": "medium",
        "urgency": "high",
    }
)


def make_fixture() -> dict:
    """An L1 agent (with an email, so the requester is notified) and the groups of a small desk."""
    from rest_framework.authtoken.models import Token

    from servicedesk.accounts.models import Role, SupportGroup, User

    agent = User.objects.create_user(
        username="bench.agent",
        email="agent@bench.test",
        first_name="Bench",
        last_name="Agent",
        role=Role.AGENT,
        password=None,
    )
    l1 = SupportGroup.objects.create(name="Service Desk", tier=1)
    SupportGroup.objects.create(name="Applications", tier=2)
    SupportGroup.objects.create(name="Engineering", tier=3)
    l1.members.add(agent)
    token = Token.objects.create(user=agent)
    return {"user": agent.pk, "group": l1.pk, "token": token.key}


def queries_per_create(token: str, *, show: bool) -> tuple[int, int]:
    """Queries of one warm API create, through the real middleware and view (in this process).

    Returns the count and the id of the ticket created, the template of the raw insert row.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from servicedesk.tickets.models import Ticket

    client = Client()

    def post(n: str):
        response = client.post(
            "/api/tickets/",
            BODY.replace("{n}", n),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
        if response.status_code != 201:
            raise RuntimeError(f"create failed: {response.status_code} {response.content[:500]}")
        return response.json()["number"]

    post("warm-up")
    with CaptureQueriesContext(connection) as captured:
        number = post("counted")
    if show:
        for query in captured.captured_queries:
            print(f"    {query['sql'][:160]}")
    return len(captured.captured_queries), Ticket.objects.get(number=number).pk


def run(args) -> bool:
    config = h.ServerConfig(workers=args.workers, threads=args.threads)
    h.banner(
        "API ticket creation (POST /api/tickets/)",
        config,
        [
            f"concurrency {args.concurrency}, {args.duration:g} s per step"
            f" (+{args.warmup:g} s warm-up), {args.rounds} round(s), jobs={args.jobs},"
            " mail: dummy backend"
        ],
    )
    with h.Database("api_create") as db:
        env = h.Environment(db, jobs=args.jobs)
        try:
            h.servicedesk(env, "migrate", "--verbosity", "0")
            env.django_setup()
            fixture = make_fixture()
            count, fixture["template"] = queries_per_create(
                fixture["token"], show=args.show_queries
            )
            print(f"queries per API create (warm, CaptureQueriesContext): {count}")
            sys.stdout.flush()
            rows = measure_all(args, env, db, config, fixture)
            created = db.execute("SELECT count(*) FROM tickets_ticket WHERE channel = 'api'")
            outbox = db.execute("SELECT count(*) FROM notifications_outboxmessage")
        finally:
            env.cleanup()
    bare, raw, api = rows
    raw.ratio = f"{raw.rps / bare.rps:.2f}× bare req/s (reference)"
    api.ratio = f"{api.rps / bare.rps:.3f} of bare req/s; {api.rps / raw.rps:.3f} of raw insert"
    print()
    h.print_table(rows)
    print()
    print(f"load average at the end: {h.load_average()}")
    print(f"tickets written: {created[0][0]} (API + raw rows), outbox messages: {outbox[0][0]}")
    ok = api.errors == 0 and bare.errors == 0
    h.verdict(ok, f"no errors (bare view {bare.errors}, API create {api.errors})")
    ratio = api.rps / bare.rps
    passed = h.verdict(
        ratio >= TARGET_RATIO,
        f"API create throughput is {ratio:.1%} of the bare view's (target ≥ {TARGET_RATIO:.0%})",
    )
    return ok and passed


def measure_all(args, env, db, config, fixture) -> list[h.LoadResult]:
    bare_runs, raw_runs, api_runs = [], [], []
    with h.Server(env, config) as server:
        bare_url = server.base_url + BARE_PATH
        api_url = server.base_url + "/api/tickets/"
        api_headers = {
            "Authorization": f"Token {fixture['token']}",
            "Content-Type": "application/json",
        }
        for _ in range(args.rounds):
            if args.warmup:
                h.run_load("warm-up", bare_url, connections=args.concurrency, duration=args.warmup)
            bare_runs.append(
                h.run_load(
                    f"bare Django JSON view (GET {BARE_PATH})",
                    bare_url,
                    connections=args.concurrency,
                    duration=args.duration,
                    reference=True,
                )
            )
            raw_runs.append(raw_insert(args, db, fixture))
            if args.warmup:
                h.run_load(
                    "warm-up",
                    api_url,
                    connections=args.concurrency,
                    duration=args.warmup,
                    method="POST",
                    headers=api_headers,
                    body_template=BODY.replace("{n}", "w{n}"),
                )
            api_runs.append(
                h.run_load(
                    "API create (POST /api/tickets/, token auth, JSON)",
                    api_url,
                    connections=args.concurrency,
                    duration=args.duration,
                    method="POST",
                    headers=api_headers,
                    body_template=BODY,
                )
            )
    return [h.median_result(bare_runs), h.median_result(raw_runs), h.median_result(api_runs)]


def raw_insert(args, db, fixture) -> h.LoadResult:
    command = [
        sys.executable,
        "-m",
        "bench._pg_insert",
        "--dsn",
        db.dsn,
        "--connections",
        str(args.concurrency),
        "--duration",
        str(args.duration),
        "--template",
        str(fixture["template"]),
    ]
    return h.measure(
        f"raw PostgreSQL INSERT of a ticket row (psycopg, {args.concurrency} conns, autocommit)",
        command,
        duration=args.duration,
        reference=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per measured step")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per step")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1, help="repeat; report the medians")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--jobs", choices=["thread", "inline"], default="thread")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of a create")
    args = parser.parse_args()
    try:
        ok = run(args)
    except subprocess.CalledProcessError as error:
        print(f"a step failed: {error}\n{error.stdout or ''}{error.stderr or ''}", file=sys.stderr)
        sys.exit(2)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
