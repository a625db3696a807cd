"""The webhook channel end to end: events of subscribed topics reach a real receiver on 127.0.0.1,
signed as Standard Webhooks (checked here by hand, with the published algorithm), once per event
after dedup by webhook-id — also when the delivering process is killed mid-batch — and targets
that are not public are refused before any connection, with the reason on the outbox row.

Every test runs with the network guards of tests/notifications/conftest.py.
"""

import base64
import contextlib
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.utils import timezone

from servicedesk.notifications.models import OutboxMessage, WebhookEndpoint
from servicedesk.notifications.services import notify, outbox_pending_deliver
from servicedesk.notifications.signing import webhook_secret_new
from servicedesk.notifications.topics import topic_choices
from servicedesk.tickets import services
from servicedesk.tickets.payloads import ticket_payload
from tests.processes import process_env
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.usefixtures("connections", "dns")


# ---------------------------------------------------------------------------------------------
# A receiver on 127.0.0.1 that records every request and answers as a test scripts it


@dataclass
class Request:
    headers: dict[str, str]
    body: bytes
    received_at: float

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Script:
    """How the receiver answers: the statuses of its first requests (then 200), how long it
    takes over each, and the request (by its number, from 1) it holds until `release` is set."""

    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    hold: int | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.script = Script()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks"


class ReceiverHandler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {name.lower(): value for name, value in self.headers.items()}
        script = self.server.script
        with self.server.lock:
            self.server.requests.append(Request(headers, body, time.time()))
            number = len(self.server.requests)
            status = script.statuses.pop(0) if script.statuses else 200
        if number == script.hold:
            script.holding.set()
            script.release.wait(120)
        time.sleep(script.delay)
        answer = b"ok" if status == 200 else b"try again"
        self.send_response(status)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def handle(self):
        # The sender killed mid-request is what one test wants.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def receiver():
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.script.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(db, receiver, settings):
    settings.SERVICEDESK_WEBHOOK_ALLOWED_TARGETS = ["127.0.0.1"]
    return WebhookEndpoint.objects.create(
        name="Monitoring",
        url=receiver.url,
        secret=webhook_secret_new(),
        topics=["ticket.logged", "ticket.resolved"],
    )


def assert_signed(request: Request, secret: str) -> None:
    """Standard Webhooks, written out: HMAC-SHA256, keyed with the base64 after `whsec_`, of
    `{id}.{timestamp}.{body}`, base64; one of the space-separated `v1,` signatures must match."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}."
    digest = hmac.new(key, signed.encode() + request.body, hashlib.sha256).digest()
    expected = base64.b64encode(digest).decode()
    offered = [
        entry.removeprefix("v1,")
        for entry in request.headers["webhook-signature"].split()
        if entry.startswith("v1,")
    ]
    assert offered, request.headers["webhook-signature"]
    assert any(hmac.compare_digest(expected, signature) for signature in offered)


def _webhook_rows(**filters) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(channel="webhook", **filters).order_by("id"))


# ---------------------------------------------------------------------------------------------
# Subscribed topics, signed, with the ticket's JSON


def test_a_subscribed_endpoint_receives_signed_json_for_its_topics_only(
    desk, endpoint, receiver, connections
):
    ticket = ticket_logged(requester=desk.requester, title="VPN down")
    services.ticket_assign(ticket=ticket, actor=desk.l1_agent, assignee=desk.l1_agent)
    services.ticket_resolve(
        ticket=ticket,
        actor=desk.l1_agent,
        resolution_code="solved_remotely",
        resolution_notes="Reset the token.",
        service_restored=True,
    )
    ticket.refresh_from_db()
    resolved_payload = ticket_payload(ticket)
    services.ticket_comment(ticket=ticket, actor=desk.l1_agent, body="It works again?")
    assert OutboxMessage.objects.about(ticket).filter(topic="ticket.reply").exists()

    outbox_pending_deliver()

    rows = _webhook_rows()
    assert [(m.topic, m.destination, m.status) for m in rows] == [
        ("ticket.logged", str(endpoint.pk), "sent"),
        ("ticket.resolved", str(endpoint.pk), "sent"),
    ]
    assert [r.event["type"] for r in receiver.requests] == ["ticket.logged", "ticket.resolved"]
    for request, row in zip(receiver.requests, rows, strict=True):
        assert_signed(request, endpoint.secret)
        assert request.webhook_id == row.message_id
        assert abs(int(request.headers["webhook-timestamp"]) - request.received_at) <= 2
        assert request.headers["content-type"] == "application/json"
        event = request.event
        assert set(event) == {"type", "timestamp", "data"}
        assert abs(datetime.fromisoformat(event["timestamp"]) - timezone.now()) < timedelta(
            seconds=30
        )
        assert event["data"]["subject"]["number"] == ticket.number
        assert request.body.decode() == row.body
    logged, resolved = (r.event["data"]["subject"] for r in receiver.requests)
    assert (logged["status"], logged["title"], logged["resolved_at"]) == ("new", "VPN down", None)
    assert resolved == resolved_payload
    assert resolved["status"] == "resolved"
    assert resolved["resolution_notes"] == "Reset the token."
    assert connections == [("127.0.0.1", receiver.server_address[1])] * 2


def test_a_retried_event_keeps_its_webhook_id_and_is_signed_afresh(
    desk, endpoint, receiver, time_machine
):
    time_machine.move_to(timezone.now(), tick=True)
    receiver.script.statuses = [500]
    ticket_logged(requester=desk.requester)

    outbox_pending_deliver()

    [row] = _webhook_rows()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "answered 500: 'try again'" in row.last_error
    outbox_pending_deliver()  # not yet: the message waits out its back-off
    assert len(receiver.requests) == 1

    time_machine.shift(timedelta(minutes=3))
    outbox_pending_deliver()

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    first, second = receiver.requests
    assert first.webhook_id == second.webhook_id == row.message_id
    assert first.body == second.body
    for request in (first, second):
        assert_signed(request, endpoint.secret)
    later = int(second.headers["webhook-timestamp"]) - int(first.headers["webhook-timestamp"])
    assert 180 <= later <= 185
    assert abs(int(second.headers["webhook-timestamp"]) - time.time()) <= 2


# ---------------------------------------------------------------------------------------------
# Targets that are not public


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("{receiver}", "Refused: 127.0.0.1 is a loopback address"),
        ("http://10.0.0.1/hook", "Refused: 10.0.0.1 is a private address"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "Refused: 169.254.169.254 is a cloud metadata address",
        ),
        (
            "https://hooks.internal.test/",
            "Refused: hooks.internal.test resolves to a private address 10.1.2.3",
        ),
    ],
)
def test_a_target_that_is_not_public_ends_the_message_dead_before_connecting(
    desk, receiver, settings, dns, connections, url, reason
):
    settings.SERVICEDESK_WEBHOOK_ALLOWED_TARGETS = []
    dns.answer("hooks.internal.test", ["10.1.2.3"])
    WebhookEndpoint.objects.create(
        name="Target",
        url=url.format(receiver=receiver.url),
        secret=webhook_secret_new(),
        topics=["ticket.logged"],
    )
    ticket_logged(requester=desk.requester)

    outbox_pending_deliver()

    [row] = _webhook_rows()
    assert (row.status, row.attempts, row.last_error) == ("dead", 1, reason)
    assert connections == []
    assert receiver.requests == []


# ---------------------------------------------------------------------------------------------
# The admin


def test_the_admin_creates_an_endpoint_with_registered_topics_and_a_new_secret(admin_client):
    page = admin_client.get("/admin/notifications/webhookendpoint/add/")
    for name, _label in topic_choices():
        assert f'value="{name}"' in page.content.decode()
    form = {
        "name": "Status page",
        "url": "https://status.example.test/hooks",
        "topics": ["ticket.logged", "ticket.resolved"],
        "secret": "",
        "is_active": "on",
    }

    refused = admin_client.post(
        "/admin/notifications/webhookendpoint/add/", {**form, "topics": ["ticket.deleted"]}
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    response = admin_client.post("/admin/notifications/webhookendpoint/add/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint = WebhookEndpoint.objects.get(name="Status page")
    assert endpoint.topics == ["ticket.logged", "ticket.resolved"]
    assert endpoint.secret.startswith("whsec_")
    assert len(base64.b64decode(endpoint.secret.removeprefix("whsec_"))) == 32


def test_a_dead_webhook_message_shows_in_the_outbox_admin_with_its_error(
    desk, admin_client, settings
):
    settings.SERVICEDESK_WEBHOOK_ALLOWED_TARGETS = []
    WebhookEndpoint.objects.create(
        name="Metadata",
        url="http://169.254.169.254/latest/meta-data/",
        secret=webhook_secret_new(),
        topics=["ticket.logged"],
    )
    ticket_logged(requester=desk.requester)
    outbox_pending_deliver()

    page = admin_client.get("/admin/notifications/outboxmessage/", {"status": "dead"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "Refused: 169.254.169.254 is a cloud metadata address" in text
    assert "Ticket logged" in text  # the webhook message's title
    assert "1 outbox message" in text


# ---------------------------------------------------------------------------------------------
# Restricted subjects


def test_a_restricted_subject_reaches_neither_webhooks_nor_group_addresses(desk, endpoint):
    """Tickets have no restricted flag yet: one set on the instance stands in for it."""
    desk.l2.email = "apps-team@example.test"
    desk.l2.save()
    ticket = ticket_logged(requester=desk.requester, title="Breach suspected")
    OutboxMessage.objects.all().delete()
    ticket.is_restricted = True

    written = notify(
        "ticket.resolved",
        ticket,
        [desk.l2, desk.l3, desk.requester, desk.other_requester],
        {"ticket": ticket},
        dedup_key="restricted",
    )

    assert sorted((m.channel, m.destination) for m in written) == sorted(
        [("email", desk.l3_agent.email), ("email", desk.requester.email)]
    )
    ticket.is_restricted = False
    unrestricted = notify(
        "ticket.resolved", ticket, [desk.l2], {"ticket": ticket}, dedup_key="open"
    )
    assert sorted((m.channel, m.destination) for m in unrestricted) == [
        ("email", "apps-team@example.test"),
        ("webhook", str(endpoint.pk)),
    ]


# ---------------------------------------------------------------------------------------------
# At least once, with the delivering process killed mid-batch

DELIVER = """
import socket

real_connect = socket.socket.connect


def connect(sock, address):
    # The same guard as the tests': nothing but 127.0.0.1 may be dialled.
    if address[0] != "127.0.0.1":
        raise OSError(f"test guard: connection to {address!r} refused")
    return real_connect(sock, address)


socket.socket.connect = connect

import django

django.setup()
from servicedesk.notifications.services import outbox_pending_deliver

outbox_pending_deliver(batch=10)
"""


def _env(tmp_path: Path) -> dict:
    return process_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="servicedesk.settings",
        SERVICEDESK_WEBHOOK_ALLOWED_TARGETS="127.0.0.1",
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_batch_loses_no_event_and_repeats_only_those_in_flight(
    desk, endpoint, receiver, tmp_path, monkeypatch
):
    events, batch, killed_during = 30, 10, 15
    # Only the process started below delivers: not this one, after each commit.
    monkeypatch.setattr(
        "servicedesk.notifications.services.job_enqueue_on_commit", lambda *args: None
    )
    ticket = ticket_logged(requester=desk.requester)
    OutboxMessage.objects.all().delete()
    for number in range(events):
        notify("ticket.resolved", ticket, [], {"ticket": ticket, "run": number}, f"run:{number}")
    rows = {m.message_id: m for m in _webhook_rows()}
    assert len(rows) == events
    receiver.script.delay = 0.2
    receiver.script.hold = killed_during
    log = tmp_path / "deliver.log"

    worker = subprocess.Popen(
        [sys.executable, "-c", DELIVER],
        env=_env(tmp_path),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert receiver.script.holding.wait(90), log.read_text()
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(5) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        receiver.script.release.set()
    seen_by_then = {r.webhook_id for r in receiver.requests}
    assert len(seen_by_then) == killed_during
    sent = set(OutboxMessage.objects.filter(status="sent").values_list("message_id", flat=True))
    in_flight = set(
        OutboxMessage.objects.filter(status="pending", attempts=1).values_list(
            "message_id", flat=True
        )
    )
    assert len(sent) == batch  # the first batch was recorded; the second died with the process
    assert len(in_flight) == batch

    # The lease runs out (what waiting CLAIM_LEASE means), and a worker delivers the rest.
    OutboxMessage.objects.filter(message_id__in=in_flight).update(next_attempt_at=timezone.now())
    receiver.script.delay = 0.05
    assert outbox_pending_deliver(batch=batch) == events - batch

    assert OutboxMessage.objects.exclude(status="sent").count() == 0
    received = Counter(r.webhook_id for r in receiver.requests)
    assert set(received) == set(rows)
    for request in receiver.requests:
        assert request.body.decode() == rows[request.webhook_id].body
        assert_signed(request, endpoint.secret)
    by_id = {r.webhook_id: r.event for r in receiver.requests}
    assert sorted(e["data"]["details"]["run"] for e in by_id.values()) == list(range(events))
    repeated = {webhook_id for webhook_id, count in received.items() if count > 1}
    assert repeated <= in_flight
    assert repeated == in_flight & seen_by_then
    assert max(received.values()) == 2


# ---------------------------------------------------------------------------------------------
# A secret that is not base64


def test_a_malformed_secret_ends_its_message_dead_and_holds_back_nothing_else(
    desk, endpoint, receiver
):
    broken = WebhookEndpoint.objects.create(
        name="Mis-pasted",
        url=receiver.url,
        secret="whsec_not base64!",
        topics=["ticket.logged"],
    )
    ticket = ticket_logged(requester=desk.requester)

    outbox_pending_deliver()

    rows = {m.channel + m.destination: m for m in OutboxMessage.objects.about(ticket)}
    assert {key: m.status for key, m in rows.items()} == {
        f"email{desk.requester.email}": "sent",
        f"webhook{endpoint.pk}": "sent",
        f"webhook{broken.pk}": "dead",
    }
    assert rows[f"webhook{broken.pk}"].last_error == (
        "The endpoint's signing secret is invalid: "
        "webhook secret must be 'whsec_' followed by base64"
    )
    assert [r.webhook_id for r in receiver.requests] == [rows[f"webhook{endpoint.pk}"].message_id]


def test_the_admin_refuses_a_secret_that_is_not_base64(admin_client):
    response = admin_client.post(
        "/admin/notifications/webhookendpoint/add/",
        {
            "name": "Mis-pasted",
            "url": "https://status.example.test/hooks",
            "topics": ["ticket.logged"],
            "secret": "whsec_not base64!",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert "followed by base64" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()
