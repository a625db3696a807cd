"""What the notification preferences and chat subscriptions add to one `notify()` call.

`notify()` drops what each person of its audience turned off with one query for the whole
audience (`notifications.preferences.preferences_apply`), and finds the subscribed chat channels
from the cached list (`notifications.subscriptions.chat_recipients`). Rows, each the median of
`--repeat` runs, on PostgreSQL, for an audience of `--people` people:
- reference: resolving the audience into Recipients (in memory, what notify() already does);
- reference: one query of the same shape as the filter's (`User ... WHERE id IN (…)`, counted);
- the filter with no choice stored, with 10 % of the audience having turned the topic off;
- the chat subscriptions of a ticket's event with `--channels` active channels (cache warm).
Targets: the filter makes exactly one query whatever the audience, and takes at most 2 × the
same-shape reference query; the subscriptions make no query once cached.

Run: .venv/bin/python bench/notify_preferences.py [--people 1000] [--channels 20]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import Database, Environment, servicedesk, verdict  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, int]:
    """Median milliseconds of `fn()` and the queries one call makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm
    with CaptureQueriesContext(connection) as queries:
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), len(queries)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with Database("notify_prefs") as db:
        env = Environment(db, jobs="inline")
        servicedesk(env, "migrate", timeout=900)
        env.django_setup()
        from django.core.cache import cache

        from servicedesk.accounts.models import SupportGroup, User
        from servicedesk.notifications.models import ChatChannel, NotificationPreference
        from servicedesk.notifications.preferences import preferences_apply
        from servicedesk.notifications.services import Recipient, person_recipient
        from servicedesk.notifications.subscriptions import chat_recipients
        from servicedesk.tickets.models import Ticket

        people = User.objects.bulk_create(
            User(username=f"p{n}", email=f"p{n}@example.test") for n in range(args.people)
        )
        group = SupportGroup.objects.create(name="Network", tier=2)
        for n in range(args.channels):
            channel = ChatChannel.objects.create(
                name=f"c{n}",
                kind="slack" if n % 2 else "teams",
                webhook_url="https://hooks.example.test/x",
                topics=["ticket.logged", "ticket.resolved"],
                priorities=["P1", "P2"] if n % 3 else [],
            )
            if n % 4 == 0:
                channel.groups.add(group)
        ids = [p.pk for p in people]
        audience = lambda: [r for p in people for r in person_recipient(p)]  # noqa: E731
        recipients = audience()
        same_shape = lambda: list(  # noqa: E731
            User.objects.filter(pk__in=ids, is_active=False).values_list("pk", "email")
        )
        ticket = Ticket(pk=1, number="INC1", title="x", priority=1, assignment_group=group)
        cache.clear()
        rows = [
            ("reference: audience → Recipients", *timed(audience, args.repeat)),
            ("reference: one IN query, same size", *timed(same_shape, args.repeat)),
            (
                "filter, no choice stored",
                *timed(lambda: preferences_apply("ticket.logged", recipients), args.repeat),
            ),
        ]
        NotificationPreference.objects.bulk_create(
            NotificationPreference(person_id=pk, topic="ticket.logged", channel="email")
            for pk in ids[::10]
        )
        kept = []
        rows.append(
            (
                "filter, 10 % turned off",
                *timed(
                    lambda: kept.append(preferences_apply("ticket.logged", recipients)), args.repeat
                ),
            )
        )
        rows.append(
            (
                f"chat subscriptions, {args.channels} channels",
                *timed(lambda: chat_recipients("ticket.logged", ticket, Recipient), args.repeat),
            )
        )
        print(f"notify() preferences and chat subscriptions — {args.people} people, PostgreSQL")
        print(f"{'step':<40} {'median ms':>10} {'queries':>8} {'× reference query':>18}")
        reference = rows[1][1]
        for name, ms, queries in rows:
            print(f"{name:<40} {ms:>10.3f} {queries:>8} {ms / reference:>18.2f}")
        ok = all(
            [
                verdict(rows[2][2] == 1 and rows[3][2] == 1, "the filter makes one query"),
                verdict(rows[3][1] <= 2 * reference, "the filter ≤ 2 × the same-shape query"),
                verdict(len(kept[-1]) == args.people - len(ids[::10]), "it drops exactly the 10 %"),
                verdict(rows[4][2] == 0, "chat subscriptions make no query once cached"),
            ]
        )
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
