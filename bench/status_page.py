"""The public status page under an outage's crowd, beside the bare view served by the same
processes.

    GET /status/

with 50 components (in 5 groups), 1,000 past public incidents of 3 updates each spread over two
years, and 90 days of status history behind the uptime bars. The database is filled in this
process with bulk inserts of the status page's own models (the seed is data, not what is
measured), then, in this run:
- reference: the bare Django JSON view (bench/bare_urls.py) at the same concurrency;
- the status page, anonymous, English (and Romanian, `?lang=ro`, a second cached copy).
It also prints, measured in process, the queries and time of a cold page (cache emptied).

Target: the status page's req/s at concurrency 16 ≥ 50 % of the bare view's.

    .venv/bin/python bench/status_page.py [--concurrency 16] [--duration 10] [--rounds 1]
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import BARE_PATH
from bench import _harness as h

TARGET_RATIO = 0.5
COMPONENTS = 50
GROUPS = 5
INCIDENTS = 1_000
UPDATES = ("investigating", "identified", "resolved")


def seed() -> dict:
    """50 components, 1,000 resolved incidents with their updates and status changes."""
    from django.utils import timezone

    from servicedesk.catalog.models import Service
    from servicedesk.statuspage.models import (
        Component,
        ComponentGroup,
        ComponentStatusChange,
        IncidentUpdate,
        PublicIncident,
    )

    rng = random.Random(42)
    now = timezone.now()
    start = now - timedelta(days=730)
    groups = ComponentGroup.objects.bulk_create(
        ComponentGroup(name=f"Group {g}", name_ro=f"Grupul {g}", position=g, created_at=start)
        for g in range(GROUPS)
    )
    services = Service.objects.bulk_create(
        Service(name=f"Bench service {n}", name_en=f"Bench service {n}") for n in range(COMPONENTS)
    )
    components = Component.objects.bulk_create(
        Component(
            service=service,
            group=groups[n % GROUPS],
            name=f"Component {n}",
            name_ro=f"Componenta {n}",
            description=f"What component {n} does",
            position=n,
            created_at=start,
            updated_at=start,
        )
        for n, service in enumerate(services)
    )
    incidents, updates, changes, links = [], [], [], []
    for n in range(INCIDENTS):
        opened = start + timedelta(seconds=rng.uniform(0, 729 * 86400))
        length = timedelta(minutes=rng.randint(10, 600))
        incidents.append(
            PublicIncident(
                title=f"Incident {n}: slow responses",
                status="resolved",
                impact=rng.choice(["minor", "major", "critical"]),
                created_at=opened,
                updated_at=opened + length,
                resolved_at=opened + length,
            )
        )
    incidents = PublicIncident.objects.bulk_create(incidents)
    Through = PublicIncident.components.through
    for incident in incidents:
        affected = rng.sample(components, rng.randint(1, 3))
        status = rng.choice(["degraded_performance", "partial_outage", "major_outage"])
        for step, name in enumerate(UPDATES):
            at = incident.created_at + (incident.resolved_at - incident.created_at) * step / 2
            updates.append(
                IncidentUpdate(incident=incident, status=name, body=f"{name} …", created_at=at)
            )
        for component in affected:
            links.append(Through(publicincident=incident, component=component))
            changes.append(
                ComponentStatusChange(
                    component=component,
                    status=status,
                    previous="operational",
                    incident=incident,
                    at=incident.created_at,
                )
            )
            changes.append(
                ComponentStatusChange(
                    component=component,
                    status="operational",
                    previous=status,
                    incident=incident,
                    at=incident.resolved_at,
                )
            )
    IncidentUpdate.objects.bulk_create(updates, batch_size=2000)
    Through.objects.bulk_create(links, batch_size=2000)
    changes.sort(key=lambda c: c.at)
    ComponentStatusChange.objects.bulk_create(changes, batch_size=2000)
    recent = sum(1 for c in changes if c.at >= now - timedelta(days=90))
    return {"updates": len(updates), "changes": len(changes), "recent_changes": recent}


def cold_page() -> tuple[int, float, int]:
    """Queries, milliseconds and bytes of one page rendered with an empty cache (in process)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.get("/status/")
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get("/status/")
        elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"/status/ answered {response.status_code}")
    return len(captured.captured_queries), elapsed, len(response.content)


def check_page(base_url: str, path: str) -> int:
    with urllib.request.urlopen(base_url + path, timeout=30) as response:
        body = response.read().decode()
    days = [
        sum(int(n or 1) for n in re.findall(r'<i class="d."(?: style="flex:(\d+)")?', bars))
        for bars in re.findall(r'<div class="bars"[^>]*>(.*?)</div>', body)
    ]
    if days != [90] * COMPONENTS:
        raise RuntimeError("the page does not show 90 days of bars for each component")
    return len(body)


def run(args) -> bool:
    config = h.ServerConfig(workers=args.workers, threads=args.threads)
    h.banner(
        "The public status page (GET /status/)",
        config,
        [
            f"{COMPONENTS} components, {INCIDENTS:,} past incidents; concurrency"
            f" {args.concurrency}, {args.duration:g} s per step (+{args.warmup:g} s warm-up),"
            f" {args.rounds} round(s), jobs={args.jobs}"
        ],
    )
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    rows: list[h.LoadResult] = []
    results = {}
    with h.Database("status") as db:
        env = h.Environment(db, jobs=args.jobs)
        try:
            h.servicedesk(env, "migrate", "--verbosity", "0")
            env.django_setup()
            started = time.monotonic()
            seeded = seed()
            db.execute("ANALYZE")
            print(
                f"seeded in {time.monotonic() - started:.0f} s: {seeded['updates']:,} updates,"
                f" {seeded['changes']:,} status changes ({seeded['recent_changes']:,} in the"
                " last 90 days)"
            )
            queries, cold_ms, size = cold_page()
            print(
                f"cold page (empty cache, in process): {queries} queries, {cold_ms:.0f} ms,"
                f" {size / 1024:.0f} KiB"
            )
            sys.stdout.flush()
            with h.Server(env, config) as server:
                check_page(server.base_url, "/status/")
                for concurrency in concurrencies:
                    runs = {"bare": [], "en": [], "ro": []}
                    for _ in range(args.rounds):
                        for key, label, path, reference in (
                            ("bare", f"bare Django JSON view, c={concurrency}", BARE_PATH, True),
                            ("en", f"GET /status/, c={concurrency}", "/status/", False),
                            (
                                "ro",
                                f"GET /status/?lang=ro, c={concurrency}",
                                "/status/?lang=ro",
                                False,
                            ),
                        ):
                            url = server.base_url + path
                            if args.warmup:
                                h.run_load(
                                    "warm-up", url, connections=concurrency, duration=args.warmup
                                )
                            runs[key].append(
                                h.run_load(
                                    label,
                                    url,
                                    connections=concurrency,
                                    duration=args.duration,
                                    reference=reference,
                                )
                            )
                    bare, en, ro = (h.median_result(runs[k]) for k in ("bare", "en", "ro"))
                    for row in (en, ro):
                        row.ratio = f"{row.rps / bare.rps:.2f}× bare req/s; p95 {row.p95_ms / bare.p95_ms:.1f}×"
                    rows += [bare, en, ro]
                    results[concurrency] = (bare, en, ro)
        finally:
            env.cleanup()
    print()
    h.print_table(rows)
    print()
    print(f"load average at the end: {h.load_average()}")
    ok = h.verdict(all(r.errors == 0 for triple in results.values() for r in triple), "no errors")
    ok &= h.verdict(queries <= 12, f"a cold page costs {queries} queries (bound 12)")
    judged = 16 if 16 in results else max(results)
    bare, en, ro = results[judged]
    for row, name in ((en, "English"), (ro, "Romanian")):
        ratio = row.rps / bare.rps
        ok &= h.verdict(
            ratio >= TARGET_RATIO,
            f"status page ({name}) at concurrency {judged} serves {ratio:.0%} of the bare view's"
            f" req/s (target ≥ {TARGET_RATIO:.0%})",
        )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per measured step")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per step")
    parser.add_argument("--concurrency", default="16", help="comma-separated concurrencies")
    parser.add_argument("--rounds", type=int, default=1, help="repeat; report the medians")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--jobs", choices=["inline", "thread"], default="inline")
    args = parser.parse_args()
    try:
        ok = run(args)
    except subprocess.CalledProcessError as error:
        print(f"a step failed: {error}", file=sys.stderr)
        sys.exit(2)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
