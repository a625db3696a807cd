"""Delivering queued mail to a local SMTP sink: the outbox against a raw `smtplib` loop.

An `aiosmtpd` sink in its own process on 127.0.0.1 counts what it receives. Each round queues N
messages of one incident update (one `notify()` call for N subscribers, each with their own
unsubscribe link and List-Unsubscribe headers, committed), then:
- reference: a raw `smtplib` loop sends the same N messages, built beforehand (the very bytes
  the outbox would send: same size, same headers), over one connection;
- `outbox_pending_deliver()` delivers the N queued messages to the sink (claim, build, send,
  record), as the outbox job does after commit.

Rounds interleaved, medians. Target: the outbox delivers at no less than 60 % of the raw
loop's rate. The sink's count must grow by N for each row.

Run: .venv/bin/python bench/mail_delivery.py [--messages 2000] [--rounds 3] [--quick]
"""

import argparse
import email.policy
import smtplib
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import (  # noqa: E402
    HOST,
    REPO,
    Database,
    Environment,
    load_average,
    servicedesk,
    verdict,
)
from bench.outbox_fanout import TEMPLATE, UPDATE, recipients_for  # noqa: E402

TARGET = 0.60


class Sink:
    """bench/_smtp_sink.py in a subprocess; `count()` asks it how many messages it has had."""

    def __enter__(self) -> "Sink":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench._smtp_sink"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.port = int(self.process.stdout.readline().split()[1])
        return self

    def count(self) -> int:
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline().split()[0])

    def __exit__(self, *exc) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def queue(n: int, round_no: int) -> None:
    from django.db import transaction

    from servicedesk.notifications.services import notify

    context = {
        "service": "Sign-in",
        "incident": "Slow sign-ins",
        "state": "Monitoring",
        "update": UPDATE,
        "number": 42,
    }
    with transaction.atomic():
        notify("status.update", None, recipients_for(n, round_no), context, f"mail:{round_no}")


def prebuilt(round_no: int) -> list[tuple[str, str, bytes]]:
    """The queued messages of a round as (from, to, bytes): what the raw loop sends."""
    from django.conf import settings

    from servicedesk.notifications.channels.email import email_of
    from servicedesk.notifications.models import OutboxMessage

    rows = OutboxMessage.objects.filter(dedup_key__startswith=f"mail:{round_no}:", status="pending")
    return [
        (
            settings.DEFAULT_FROM_EMAIL,
            m.destination,
            email_of(m).message(policy=email.policy.SMTP).as_bytes(),
        )
        for m in rows
    ]


def raw_send(port: int, messages: list[tuple[str, str, bytes]]) -> float:
    started = time.perf_counter()
    with smtplib.SMTP(HOST, port, timeout=20) as connection:
        for sender, to, data in messages:
            connection.sendmail(sender, [to], data)
    return time.perf_counter() - started


def run(args) -> bool:
    with Database("mail_delivery") as db, Sink() as sink:
        env = Environment(db, jobs="celery")
        try:
            servicedesk(env, "migrate")
            env.django_setup()
            from django.test.utils import override_settings

            from servicedesk.core.envparse import parse_email_url
            from servicedesk.notifications.topics import Topic, topic_register

            topic_register(Topic("status.update", "Status page update", "bench/status.txt"))
            templates = [
                {
                    "BACKEND": "django.template.backends.django.DjangoTemplates",
                    "OPTIONS": {
                        "loaders": [
                            (
                                "django.template.loaders.locmem.Loader",
                                {"bench/status.txt": TEMPLATE},
                            )
                        ]
                    },
                }
            ]
            from django.conf import settings

            mailers = {
                "default": parse_email_url(
                    f"smtp://{HOST}:{sink.port}", smtp_backend=settings.SERVICEDESK_SMTP_BACKEND
                )
            }
            with override_settings(TEMPLATES=templates, MAILERS=mailers):
                return measure(args, db, sink)
        finally:
            env.cleanup()


def measure(args, db, sink) -> bool:
    from servicedesk.notifications import services as _s
    from servicedesk.notifications.models import OutboxMessage

    outbox_pending_deliver = _s.outbox_pending_deliver

    n = args.messages
    print(f"## Mail delivery: {n:,} queued messages to a local aiosmtpd sink, {args.rounds} rounds")
    print(
        f"PostgreSQL {db.execute('SHOW server_version')[0][0]}; sink on {HOST}:{sink.port}"
        f" (another process); load average at start {load_average()}"
    )
    queue(20, 0)  # warm-up: template, translations, the mail library
    outbox_pending_deliver()
    timings = {"raw": [], "outbox": [], "outbox_cpu": []}
    counted_ok = True
    sizes = []
    for r in range(1, args.rounds + 1):
        queue(n, r)
        messages = prebuilt(r)
        sizes += [len(data) for _, _, data in messages[:50]]
        before = sink.count()
        timings["raw"].append(raw_send(sink.port, messages))
        middle = sink.count()
        started, cpu = time.perf_counter(), time.process_time()
        sent = outbox_pending_deliver()
        timings["outbox"].append(time.perf_counter() - started)
        timings["outbox_cpu"].append(time.process_time() - cpu)
        after = sink.count()
        counted_ok &= middle - before == n and after - middle == n and sent == n
    pending = OutboxMessage.objects.filter(status="pending").count()

    raw = statistics.median(timings["raw"])
    outbox = statistics.median(timings["outbox"])
    share = raw / outbox
    print()
    print("| row | messages | seconds (median) | messages/s | ms per message | share of raw rate |")
    print("|---|---|---|---|---|---|")
    for label, seconds in (
        ("reference: raw smtplib loop, prebuilt messages, one connection", raw),
        ("outbox_pending_deliver() (claim, build, send, record)", outbox),
    ):
        print(
            f"| {label} | {n:,} | {seconds:.3f} | {n / seconds:,.0f} |"
            f" {seconds * 1000 / n:.2f} | {raw / seconds:.0%} |"
        )
    print()
    print(
        "rounds (s): "
        + "; ".join(f"{k} " + ", ".join(f"{t:.3f}" for t in v) for k, v in timings.items())
    )
    print(
        f"mean message size {statistics.mean(sizes):,.0f} octets;"
        f" CPU of this process in delivery {statistics.median(timings['outbox_cpu']):.3f} s;"
        f" load average at the end {load_average()}"
    )
    ok = verdict(counted_ok, f"the sink received {n:,} messages from each row in every round")
    ok &= verdict(pending == 0, f"no message left pending ({pending})")
    ok &= verdict(
        share >= TARGET,
        f"the outbox delivers at {share:.0%} of the raw loop's rate (target ≥ {TARGET:.0%})",
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved; the medians count")
    parser.add_argument("--quick", action="store_true", help="200 messages, 1 round (smoke)")
    args = parser.parse_args()
    if args.quick:
        args.messages, args.rounds = 200, 1
    try:
        ok = run(args)
    except Exception:  # noqa: BLE001 - a step failed: say so and exit 2, as the others do
        traceback.print_exc()
        sys.exit(2)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
