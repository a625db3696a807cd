"""Threading a reply through the mail pipeline against adding the same comment through the API.

Both in this process, against the same PostgreSQL database, timed per call the same way
(`time.perf_counter` around one call), interleaved round by round:
- reference: `POST /api/tickets/<number>/comments/` by the requester (token auth, JSON body),
  through the whole Django stack with DRF's test client (URL routing, middleware,
  authentication, serializer, `tickets.services.ticket_comment`, the response);
- the mail pipeline: a reply of the requester's mail client (In-Reply-To the desk's email about
  the ticket, a quoted original and a signature) stored raw (`mailin.services.inbound_store`,
  its own transaction) and processed (`inbound_process`: parse, strip the quote, thread by
  Message-ID, `ticket_comment`, notify).

Target: the pipeline's median per reply ≤ 2 × the API's median per comment.

Run: .venv/bin/python bench/mail_threading.py [--tickets 50] [--rounds 4]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import Database, Environment, LoadResult, print_table, servicedesk, verdict  # noqa: E402

REPLY = """From: {name} <{email}>
To: Service Desk <desk@example.test>
Subject: Re: [{number}] New reply: {title}
Date: Tue, 01 Dec 2026 11:05:00 +0000
Message-ID: <bench-{n}@mail.example.test>
In-Reply-To: {message_id}
References: {thread} {message_id}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

It still prints blank pages after the restart ({n}).

Ana

On Tue, 1 Dec 2026 at 10:30, Service Desk <desk@example.test> wrote:
> Please restart the printer and tell us if it helps.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=50, help="comments per row and round")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    with Database("mail_threading") as db:
        env = Environment(database=db, jobs="inline")
        try:
            servicedesk(env, "migrate", "--verbosity", "0")
            env.django_setup()
            return _run(args)
        finally:
            env.cleanup()


def _run(args) -> int:
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from servicedesk.accounts.models import Role, User
    from servicedesk.mailin.selectors import mailbox_default
    from servicedesk.mailin.services import inbound_process, inbound_store
    from servicedesk.notifications.models import OutboxMessage
    from servicedesk.tickets import services

    agent = User.objects.create_user("bench.agent", "agent@example.test", role=Role.AGENT)
    people, tickets = [], []
    for n in range(args.tickets):
        person = User.objects.create_user(
            f"bench{n}", f"bench{n}@example.test", first_name="Ana", role=Role.REQUESTER
        )
        ticket = services.ticket_log(actor=person, title=f"Printer {n} prints blank pages")
        services.ticket_comment(ticket=ticket, actor=agent, body="Please restart the printer.")
        reply = OutboxMessage.objects.about(ticket).get(topic="ticket.reply")
        people.append(person)
        tickets.append((ticket, reply.message_id, reply.thread))
    clients = []
    for person in people:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=person)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        clients.append(client)
    mailbox = mailbox_default()

    def api_comment(i: int, n: int) -> None:
        ticket = tickets[i][0]
        response = clients[i].post(
            f"/api/tickets/{ticket.number}/comments/",
            {"body": f"It still prints blank pages after the restart ({n})."},
            format="json",
        )
        if response.status_code != 201:
            raise RuntimeError(f"API comment: {response.status_code} {response.content[:300]}")

    def mail_reply(i: int, n: int) -> None:
        ticket, message_id, thread = tickets[i]
        person = people[i]
        raw = REPLY.format(
            name="Ana",
            email=person.email,
            number=ticket.number,
            title=ticket.title,
            n=n,
            message_id=message_id,
            thread=thread,
        ).encode()
        row, _new = inbound_store(mailbox=mailbox, raw=raw, process=False)
        inbound_process(message_id=row.pk)

    # Warm-up: one of each, not measured.
    api_comment(0, -1)
    mail_reply(0, -1)
    api_times: list[float] = []
    mail_times: list[float] = []
    n = 0
    for _round in range(args.rounds):
        for i in range(len(tickets)):
            n += 1
            for fn, times in ((api_comment, api_times), (mail_reply, mail_times)):
                started = time.perf_counter()
                fn(i, n)
                times.append(time.perf_counter() - started)

    from servicedesk.mailin.models import InboundMessage
    from servicedesk.tickets.models import TicketEvent

    threaded = TicketEvent.objects.filter(type="comment", data__via="email").count()
    failed = InboundMessage.objects.exclude(status="processed").count()

    def row(label, times, reference=False) -> LoadResult:
        ordered = sorted(times)
        return LoadResult(
            label=label,
            requests=len(times),
            seconds=sum(times),
            p50_ms=statistics.median(times) * 1000,
            p95_ms=ordered[int(len(ordered) * 0.95) - 1] * 1000,
            p99_ms=ordered[int(len(ordered) * 0.99) - 1] * 1000,
            errors=0,
            reference=reference,
        )

    api = row("POST /api/tickets/<n>/comments/ (in process)", api_times, reference=True)
    mail = row("mail reply: store raw + parse, thread, comment, notify", mail_times)
    ratio = mail.p50_ms / api.p50_ms
    mail.ratio = f"{ratio:.2f} × (p50)"
    print("## Threading a reply by email vs. the same comment by the API (PostgreSQL)")
    print(f"{args.tickets} tickets × {args.rounds} rounds, interleaved; times per call")
    print_table([api, mail])
    ok = verdict(
        threaded == len(mail_times) + 1 and failed == 0,
        f"{threaded} replies threaded, {failed} not processed",
    )
    ok &= verdict(
        ratio <= 2.0,
        f"mail pipeline p50 {mail.p50_ms:.1f} ms ≤ 2 × API p50 {api.p50_ms:.1f} ms ({ratio:.2f} ×)",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
