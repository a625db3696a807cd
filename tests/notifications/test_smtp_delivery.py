"""The outbox delivering to a real SMTP server (an aiosmtpd sink on 127.0.0.1): the mails parse,
each carries its own List-Unsubscribe headers and its stable Message-ID, and a delivery that dies
after its claim is sent again once the lease runs out, with no second row in the outbox."""

import email
import email.policy
import socket
from contextlib import closing
from datetime import UTC, datetime

import pytest
from aiosmtpd.controller import Controller

from servicedesk.notifications import channels, topics
from servicedesk.notifications.models import OutboxMessage
from servicedesk.notifications.services import (
    CLAIM_LEASE,
    Recipient,
    notify,
    outbox_pending_deliver,
)
from servicedesk.notifications.topics import Topic

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Sink:
    """What the SMTP server received: each message's envelope and bytes."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def parsed(self) -> dict[str, list[email.message.EmailMessage]]:
        by_recipient: dict[str, list] = {}
        for recipients, data in self.received:
            mail = email.message_from_bytes(data, policy=email.policy.default)
            for to in recipients:
                by_recipient.setdefault(to, []).append(mail)
        return by_recipient


@pytest.fixture
def sink(settings):
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": settings.SERVICEDESK_SMTP_BACKEND,
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    yield handler
    controller.stop()


@pytest.fixture
def subscribers(settings, monkeypatch):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {
                            "smtp/update.txt": "Sign-in: resolved — ăîșț\nAll fine again.\n"
                            "Unsubscribe: {{ recipient_values.unsubscribe_url }}"
                        },
                    )
                ]
            },
        }
    ]
    monkeypatch.setitem(
        topics._topics, "smtp.update", Topic("smtp.update", "update", "smtp/update.txt")
    )
    people = []
    for n in range(6):
        url = f"https://status.test/unsubscribe/{n}/"
        people.append(
            Recipient(
                "email",
                f"sub{n}@example.test",
                values=(("unsubscribe_url", url),),
                headers=(
                    ("List-Unsubscribe", f"<{url}>"),
                    ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                ),
            )
        )
    return people


def test_delivered_mails_parse_with_their_own_headers_and_message_ids(sink, subscribers):
    rows = notify("smtp.update", None, subscribers, {}, "status:1")

    assert outbox_pending_deliver() == 6

    received = sink.parsed()
    assert sorted(received) == [p.destination for p in subscribers]
    for n, row in enumerate(rows):
        [mail] = received[row.destination]
        assert mail["Message-ID"] == row.message_id
        assert mail["List-Unsubscribe"] == f"<https://status.test/unsubscribe/{n}/>"
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert mail["To"] == row.destination
        assert mail["Subject"] == "Sign-in: resolved — ăîșț"
        assert mail["Content-Transfer-Encoding"] == "8bit"
        assert (
            mail.get_content().replace("\r\n", "\n")  # CRLF on the wire
            == f"All fine again.\nUnsubscribe: https://status.test/unsubscribe/{n}/\n"
        )
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_a_delivery_dead_after_its_claim_is_sent_again_when_the_lease_runs_out(
    sink, subscribers, time_machine, monkeypatch
):
    time_machine.move_to(T0, tick=False)
    rows = notify("smtp.update", None, subscribers, {}, "status:1")
    real_send = channels.CHANNELS["email"]

    def dies_half_way(batch):
        real_send(batch[:3])
        raise SystemExit("the worker was stopped")  # before it recorded anything

    monkeypatch.setitem(channels.CHANNELS, "email", dies_half_way)
    with pytest.raises(SystemExit):
        outbox_pending_deliver()
    monkeypatch.setitem(channels.CHANNELS, "email", real_send)
    assert len(sink.received) == 3
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("pending", 1)}

    # Within the lease nobody takes the claimed messages.
    time_machine.move_to(T0 + CLAIM_LEASE / 2, tick=False)
    assert outbox_pending_deliver() == 0
    assert len(sink.received) == 3

    time_machine.move_to(T0 + CLAIM_LEASE, tick=False)
    assert outbox_pending_deliver() == 6

    assert OutboxMessage.objects.count() == 6
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("sent", 2)}
    received = sink.parsed()
    for row in rows:
        mails = received[row.destination]
        # The three sent before the stop arrive twice, with the same Message-ID.
        assert len(mails) == (
            2
            if row.destination in {"sub0@example.test", "sub1@example.test", "sub2@example.test"}
            else 1
        )
        assert {mail["Message-ID"] for mail in mails} == {row.message_id}
    assert len(sink.received) == 9
