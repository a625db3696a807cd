"""The console's queue page beside the API's queue listing of the same tickets.

    GET /desk/?queue=groups                     the HTML page an agent opens (session cookie)
    GET /desk/?queue=groups  + HX-Request        its htmx refresh: the rows and the counts only
    GET /api/tickets/?assignment_group=<ids>&status=open&ordering=priority,created_at&page_size=50

All three show the first 50 open tickets of the agent's groups, by priority then age. The page
does more than the listing (a count per queue, capped at 1,000; saved views; the filter form's
choices; HTML), and this benchmark says how much that costs. One fresh PostgreSQL database,
filled by the product's seeder (`servicedesk seed --tickets N`); rows measured in this run:
- reference: the bare Django JSON view (bench/bare_urls.py), same processes and concurrency;
- reference: the API's queue listing (token auth);
- the queue page, and its htmx refresh (session auth).
It also times each request in this process with Django's test client (no network, no load
generator): the server's own time, median of warm requests, and its number of queries.

Target: the queue page's p50 under load ≤ 3 × the API listing's p50, and the same for the
in-process server time.

    .venv/bin/python bench/queue_page.py [--tickets 100000] [--duration 10] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import BARE_PATH
from bench import _harness as h

TARGET_RATIO = 3.0
AGENT = "agent.l1"  # the demo desk's L1 agent, member of the group with most open tickets
PAGE = "/desk/?queue=groups"
HTMX_HEADERS = {"HX-Request": "true", "HX-Target": "queue-rows"}


def fixture() -> dict:
    """A session and an API token for the demo L1 agent, and the API path of their queue."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from servicedesk.accounts.models import User
    from servicedesk.accounts.permissions import group_ids_of

    agent = User.objects.get(username=AGENT)
    session = SessionStore()
    session[SESSION_KEY] = str(agent.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
    session.create()
    groups = ",".join(str(g) for g in sorted(group_ids_of(agent)))
    return {
        "agent": agent,
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        "token": Token.objects.get_or_create(user=agent)[0].key,
        "api": (
            f"/api/tickets/?assignment_group={groups}&status=open"
            "&ordering=priority,created_at&page_size=50"
        ),
    }


def in_process(fx: dict, repeat: int) -> dict[str, tuple[float, int]]:
    """Median server time (ms) of warm requests, and queries per request, through the test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    page_client = Client()
    page_client.force_login(fx["agent"])
    api_client = Client(HTTP_AUTHORIZATION=f"Token {fx['token']}")
    requests = {
        "api": lambda: api_client.get(fx["api"]),
        "page": lambda: page_client.get(PAGE),
        "htmx": lambda: page_client.get(PAGE, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-rows"),
    }
    results = {}
    for name, call in requests.items():
        response = call()
        if response.status_code != 200:
            raise RuntimeError(f"{name} answered {response.status_code}")
        with CaptureQueriesContext(connection) as captured:
            call()
        # Read now: the next request's request_started signal empties the query log.
        queries = len(captured.captured_queries)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        results[name] = (statistics.median(times), queries)
    return results


def check(base_url: str, fx: dict) -> int:
    """One request of each by hand: both 200, the page showing as many rows as the listing."""
    import json

    api = urllib.request.Request(
        base_url + fx["api"], headers={"Authorization": f"Token {fx['token']}"}
    )
    with urllib.request.urlopen(api, timeout=30) as response:
        listed = [row["number"] for row in json.loads(response.read())["results"]]
    page = urllib.request.Request(base_url + PAGE, headers={"Cookie": fx["cookie"]})
    with urllib.request.urlopen(page, timeout=30) as response:
        html = response.read().decode()
    shown = html.count('name="tickets"')
    if shown != len(listed) or any(number not in html for number in listed):
        raise RuntimeError(f"the page shows {shown} rows, the listing {len(listed)}")
    return shown


def run(args) -> bool:
    config = h.ServerConfig(workers=args.workers, threads=args.threads)
    h.banner(
        "The console's queue page beside the API's queue listing",
        config,
        [
            f"{args.tickets:,} tickets; concurrency {args.concurrency}, {args.duration:g} s per"
            f" step (+{args.warmup:g} s warm-up), {args.rounds} round(s), jobs={args.jobs}"
        ],
    )
    with h.Database("queue_page") as db:
        env = h.Environment(db, jobs=args.jobs)
        try:
            started = time.monotonic()
            h.servicedesk(env, "seed", "--tickets", str(args.tickets))
            db.execute("VACUUM (ANALYZE)")
            print(f"seeded {args.tickets:,} tickets in {time.monotonic() - started:.0f} s")
            env.django_setup()
            fx = fixture()
            timings = in_process(fx, args.repeat)
            sys.stdout.flush()
            rows, shown = measure(args, env, config, fx)
        finally:
            env.cleanup()

    bare, api, page, htmx = rows
    api.ratio = f"{api.p50_ms / bare.p50_ms:.2f}× bare p50 (reference)"
    page.ratio = f"{page.p50_ms / api.p50_ms:.2f}× API p50"
    htmx.ratio = f"{htmx.p50_ms / api.p50_ms:.2f}× API p50"
    print()
    print(f"rows per page: {shown} (page and listing alike)")
    print("in-process server time (Django test client, warm, median):")
    for name, label in (("api", "API listing"), ("page", "queue page"), ("htmx", "htmx refresh")):
        ms, queries = timings[name]
        print(f"    {label:<13} {ms:7.2f} ms  {queries:3d} queries")
    print()
    h.print_table(rows)
    print()
    print(f"load average at the end: {h.load_average()}")
    ok = h.verdict(all(r.errors == 0 for r in rows), "no errors")
    under_load = page.p50_ms / api.p50_ms
    ok &= h.verdict(
        under_load <= TARGET_RATIO,
        f"queue page p50 under load is {under_load:.2f}× the API listing's"
        f" (target ≤ {TARGET_RATIO:g}×)",
    )
    server = timings["page"][0] / timings["api"][0]
    ok &= h.verdict(
        server <= TARGET_RATIO,
        f"queue page server time is {server:.2f}× the API listing's (target ≤ {TARGET_RATIO:g}×)",
    )
    return ok


def measure(args, env, config, fx) -> tuple[list[h.LoadResult], int]:
    runs: dict[str, list[h.LoadResult]] = {"bare": [], "api": [], "page": [], "htmx": []}
    with h.Server(env, config) as server:
        shown = check(server.base_url, fx)
        steps = [
            ("bare", f"bare Django JSON view (GET {BARE_PATH})", BARE_PATH, {}, True),
            (
                "api",
                "API queue listing (token)",
                fx["api"],
                {"Authorization": f"Token {fx['token']}"},
                True,
            ),
            ("page", f"queue page (GET {PAGE}, session)", PAGE, {"Cookie": fx["cookie"]}, False),
            (
                "htmx",
                "queue page, htmx refresh (rows + counts)",
                PAGE,
                {"Cookie": fx["cookie"], **HTMX_HEADERS},
                False,
            ),
        ]
        for _ in range(args.rounds):
            for key, label, path, headers, reference in steps:
                url = server.base_url + path
                if args.warmup:
                    h.run_load(
                        "warm-up",
                        url,
                        connections=args.concurrency,
                        duration=args.warmup,
                        headers=headers,
                    )
                runs[key].append(
                    h.run_load(
                        label,
                        url,
                        connections=args.concurrency,
                        duration=args.duration,
                        headers=headers,
                        reference=reference,
                    )
                )
    return [h.median_result(runs[key]) for key in ("bare", "api", "page", "htmx")], shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=10, help="seconds per measured step")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per step")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1, help="repeat; report the medians")
    parser.add_argument("--repeat", type=int, default=30, help="in-process requests per kind")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--jobs", choices=["thread", "inline"], default="thread")
    args = parser.parse_args()
    try:
        ok = run(args)
    except subprocess.CalledProcessError as error:
        print(f"a step failed: {error}\n{error.stdout or ''}{error.stderr or ''}", file=sys.stderr)
        sys.exit(2)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
