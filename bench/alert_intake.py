"""Alert intake under load: PagerDuty Events v2 triggers, 80 % repeats, beside the bare view.

Rows, all measured in this run against one fresh PostgreSQL database and the same
`servicedesk serve` processes:
- reference: the bare Django JSON view (bench/bare_urls.py) at the same concurrency;
- POST /v2/enqueue: the routing key checked (by its hash, cached), the body validated, the raw
  event stored (one INSERT), processing handed to the job backbone (a memory broker here: the
  batch processor is measured by bench/alert_processing.py), 202 answered. 80 % of the events
  repeat one of 1,200 keys, 20 % are new keys (bench/alert_intake.lua).

Target: intake req/s ≥ 25 % of the bare view's req/s.

    .venv/bin/python bench/alert_intake.py [--duration 10] [--concurrency 16] [--rounds 1]
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

TARGET_RATIO = 0.25
KEYS, REPEATS = 1200, 0.8


def make_integration() -> str:
    from servicedesk.alerts.services import integration_create

    _integration, key = integration_create(
        name="Bench PagerDuty", source="pagerduty", rate_limit=100_000_000
    )
    return key


def queries_per_event(key: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    body = json.dumps(
        {
            "routing_key": key,
            "event_action": "trigger",
            "dedup_key": "q",
            "payload": {"summary": "s", "source": "h", "severity": "error"},
        }
    )
    client.post("/v2/enqueue", body, content_type="application/json")
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/v2/enqueue", body, content_type="application/json")
    if response.status_code != 202:
        raise RuntimeError(f"intake failed: {response.status_code} {response.content[:300]}")
    return len(captured.captured_queries)


def intake_load(url: str, key: str, args, label: str) -> h.LoadResult:
    command = [
        "wrk",
        f"-t{args.concurrency}",
        f"-c{args.concurrency}",
        f"-d{max(1, round(args.duration))}s",
        "--timeout",
        "30s",
        "-s",
        str(Path(__file__).with_name("alert_intake.lua")),
        url,
        "--",
        key,
        str(KEYS),
        str(REPEATS),
    ]
    return h.measure(label, command, duration=args.duration)


def run(args) -> bool:
    if h.load_generator() != "wrk":
        print("alert_intake needs wrk (apt-get install wrk): the bodies come from its Lua script")
        return False
    config = h.ServerConfig(workers=args.workers, threads=args.threads)
    h.banner(
        "Alert intake (POST /v2/enqueue, PagerDuty Events v2)",
        config,
        [
            f"concurrency {args.concurrency}, {args.duration:g} s per step, {args.rounds} "
            f"round(s); {REPEATS:.0%} repeats over {KEYS} keys; jobs=celery (memory broker)"
        ],
    )
    with h.Database("alert_intake") as db:
        env = h.Environment(db, jobs="celery")
        try:
            h.servicedesk(env, "migrate", "--verbosity", "0")
            env.django_setup()
            key = make_integration()
            print(f"queries per accepted event (warm): {queries_per_event(key)}")
            sys.stdout.flush()
            bare_runs, intake_runs = [], []
            with h.Server(env, config) as server:
                bare_url = server.base_url + BARE_PATH
                url = server.base_url + "/v2/enqueue"
                for _ in range(args.rounds):
                    if args.warmup:
                        h.run_load(
                            "warm-up", bare_url, connections=args.concurrency, duration=args.warmup
                        )
                    bare_runs.append(
                        h.run_load(
                            f"bare Django JSON view (GET {BARE_PATH})",
                            bare_url,
                            connections=args.concurrency,
                            duration=args.duration,
                            reference=True,
                        )
                    )
                    intake_runs.append(
                        intake_load(url, key, args, "POST /v2/enqueue (PagerDuty v2 trigger)")
                    )
            stored = db.execute("SELECT count(*) FROM alerts_rawevent")[0][0]
        finally:
            env.cleanup()
    bare, intake = h.median_result(bare_runs), h.median_result(intake_runs)
    intake.ratio = f"{intake.rps / bare.rps:.3f} of bare req/s"
    print()
    h.print_table([bare, intake])
    print()
    print(f"load average at the end: {h.load_average()}")
    print(f"raw events stored: {stored:,} (every accepted request is one row)")
    ok = bare.errors == 0 and intake.errors == 0
    h.verdict(ok, f"no errors (bare view {bare.errors}, intake {intake.errors})")
    ratio = intake.rps / bare.rps
    passed = h.verdict(
        ratio >= TARGET_RATIO,
        f"intake throughput is {ratio:.1%} of the bare view's (target ≥ {TARGET_RATIO:.0%})",
    )
    return ok and passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    try:
        ok = run(args)
    except subprocess.CalledProcessError as error:
        print(f"a step failed: {error}\n{error.stdout or ''}{error.stderr or ''}", file=sys.stderr)
        sys.exit(2)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
