"""The SSRF-safe POST: what it refuses before connecting, and what a real receiver on 127.0.0.1 sees.

Every test runs with two guards (tests/notifications/conftest.py): a socket may only connect to
127.0.0.1 (any other attempt fails the test), and host names are answered by the `dns` fixture,
never by a real resolver.
"""

import contextlib
import ipaddress
import shutil
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook

from servicedesk.notifications.http import DeliveryFailed, TargetRefused, post_json, target_check
from servicedesk.notifications.signing import webhook_headers, webhook_secret_new


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.received: list[Received] = []
        self.server_names: list[str | None] = []
        self.stopping = threading.Event()
        if tls is not None:
            tls.sni_callback = lambda _sock, name, _context: self.server_names.append(name)
            self.socket = tls.wrap_socket(self.socket, server_side=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str = "/hooks", *, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


class ReceiverHandler(BaseHTTPRequestHandler):
    """Records each POST; the path chooses the answer (/redirect, /fail, /big-fail, /slow)."""

    server: Receiver

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.server.received.append(Received(path=self.path, headers=headers, body=body))
        if self.path == "/slow":
            self.server.stopping.wait(3)
        status, answer = {
            "/redirect": (302, b""),
            "/fail": (500, b"database on fire"),
            "/big-fail": (500, b"x" * 100_000),
        }.get(self.path, (200, b"ok"))
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/hooks")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def handle(self):
        # A client that gives up (a timeout, a certificate it refused) is what some tests want.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()

    def log_message(self, format, *args):
        pass


def serve(server: Receiver):
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.stopping.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def receiver():
    yield from serve(Receiver())


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A throwaway CA and a certificate it issued for hooks.example.test, made with openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make test certificates")
    folder = tmp_path_factory.mktemp("tls")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    (folder / "leaf.ext").write_text(
        "subjectAltName=DNS:hooks.example.test\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid\n"
    )
    for command in (
        ["req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1"]
        + ["-subj", "/CN=Webhook test CA"]
        + ["-addext", "basicConstraints=critical,CA:TRUE"]
        + ["-addext", "keyUsage=critical,keyCertSign"],
        ["req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=hooks.example.test"],
        ["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key"]
        + ["-CAcreateserial", "-out", "leaf.pem", "-days", "1", "-extfile", "leaf.ext"],
    ):
        subprocess.run(["openssl", *command], cwd=folder, check=True, capture_output=True)
    return folder


@pytest.fixture
def tls_receiver(certificates):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates / "leaf.pem", certificates / "leaf.key")
    yield from serve(Receiver(tls=context))


@pytest.fixture
def trusted_test_ca(monkeypatch, certificates):
    """Make post_json trust the throwaway CA instead of the public ones."""
    monkeypatch.setattr(
        "servicedesk.notifications.http.certifi.where", lambda: str(certificates / "ca.pem")
    )


pytestmark = pytest.mark.usefixtures("connections", "dns")
BODY = b'{"event": "ticket.created", "ticket": "INC-7"}'


def test_a_post_to_an_allowed_loopback_receiver_arrives_signed(receiver, connections):
    secret = webhook_secret_new()
    headers = webhook_headers(
        secret=secret, message_id="msg_1", timestamp=int(time.time()), body=BODY
    )

    status = post_json(
        receiver.url("/hooks?source=desk"), body=BODY, headers=headers, allowed=["127.0.0.1"]
    )

    assert status == 200
    [request] = receiver.received
    assert request.path == "/hooks?source=desk"
    assert request.body == BODY
    assert request.headers["host"] == f"127.0.0.1:{receiver.port}"
    assert request.headers["user-agent"] == "servicedesk-webhooks/1"
    assert request.headers["content-type"] == "application/json"
    assert Webhook(secret).verify(request.body, request.headers)["ticket"] == "INC-7"
    assert connections == [("127.0.0.1", receiver.port)]


def test_a_named_host_goes_in_the_host_header_while_the_checked_address_is_dialled(
    receiver, connections, dns
):
    dns.answer("hooks.example.test", ["127.0.0.1"])

    post_json(
        receiver.url(host="hooks.example.test"),
        body=BODY,
        headers={"content-type": "application/json", "HOST": "evil.example.test"},
        allowed=["hooks.example.test"],
    )

    [request] = receiver.received
    assert request.headers["host"] == f"hooks.example.test:{receiver.port}"
    assert connections == [("127.0.0.1", receiver.port)]


def test_loopback_is_refused_without_an_allow_list_before_connecting(receiver, connections):
    with pytest.raises(TargetRefused, match=r"^127\.0\.0\.1 is a loopback address$"):
        post_json(receiver.url(), body=BODY, headers={})

    assert connections == []
    assert receiver.received == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1/", r"^10\.0\.0\.1 is a private address$"),
        ("http://169.254.169.254/latest/meta-data/", "is a cloud metadata address"),
        ("http://[fd00:ec2::254]/", "is a cloud metadata address"),
        ("http://[::ffff:10.0.0.1]/", r"\(10\.0\.0\.1\) is a private address"),
        ("http://[::ffff:127.0.0.1]:8000/", r"\(127\.0\.0\.1\) is a loopback address"),
        ("http://0.0.0.0/", "is an unspecified address"),
        ("http://100.64.0.7/", r"100\.64\.0\.0/10"),
        ("http://[fe80::1]/", "is a link-local address"),
        ("http://224.0.0.251/", "is a multicast address"),
        ("ftp://x/", "scheme must be http or https"),
        ("http:///hooks", "no host"),
        ("http://user:pw@hooks.example.test/", "credentials"),
        (
            "http://internal.example.test/",
            r"^internal\.example\.test resolves to a private address 10\.1\.2\.3$",
        ),
    ],
)
def test_targets_that_are_not_public_are_refused_before_connecting(url, reason, dns, connections):
    dns.answer("internal.example.test", ["10.1.2.3"])

    with pytest.raises(TargetRefused, match=reason):
        post_json(url, body=BODY, headers={})

    assert connections == []


def test_one_private_answer_among_public_ones_refuses_the_host(dns):
    dns.answer("mixed.example.test", ["93.184.215.14", "10.1.2.3"])

    with pytest.raises(TargetRefused, match="resolves to a private address 10.1.2.3"):
        target_check("https://mixed.example.test/hooks")


def test_public_answers_are_all_returned(dns):
    dns.answer("public.example.test", ["93.184.215.14", "2606:2800:21f:cb07::1", "93.184.215.14"])

    assert target_check("https://public.example.test/hooks") == [
        ipaddress.ip_address("93.184.215.14"),
        ipaddress.ip_address("2606:2800:21f:cb07::1"),
    ]


def test_an_allow_list_covers_addresses_networks_and_host_names(dns):
    dns.answer("internal.example.test", ["10.1.2.3"])
    url = "http://internal.example.test/hooks"

    assert target_check(url, allowed=["10.0.0.0/8"]) == [ipaddress.ip_address("10.1.2.3")]
    assert target_check(url, allowed=["10.1.2.3"]) == [ipaddress.ip_address("10.1.2.3")]
    assert target_check(url, allowed=["Internal.Example.Test"]) == [
        ipaddress.ip_address("10.1.2.3")
    ]
    assert target_check("http://[::ffff:127.0.0.1]/", allowed=["127.0.0.0/8"])
    with pytest.raises(TargetRefused):
        target_check("http://127.0.0.2/", allowed=["127.0.0.1"])
    with pytest.raises(TargetRefused):
        target_check(url, allowed=["other.example.test", "10.1.2.4"])


def test_an_allowed_host_name_does_not_cover_the_metadata_address(dns):
    dns.answer("hooks.internal", ["169.254.169.254"])

    with pytest.raises(TargetRefused, match="cloud metadata address 169.254.169.254"):
        target_check("http://hooks.internal/", allowed=["hooks.internal"])
    assert target_check("http://hooks.internal/", allowed=["169.254.169.254"])


def test_a_host_that_does_not_resolve_is_a_delivery_failure(dns, connections):
    dns.answer("nowhere.example.test", [])

    with pytest.raises(DeliveryFailed, match="nowhere.example.test: cannot resolve"):
        post_json("https://nowhere.example.test/", body=BODY, headers={})
    assert connections == []


def test_a_redirect_is_a_failure_and_is_not_followed(receiver):
    with pytest.raises(DeliveryFailed, match="answered 302"):
        post_json(receiver.url("/redirect"), body=BODY, headers={}, allowed=["127.0.0.1"])

    assert [request.path for request in receiver.received] == ["/redirect"]


def test_a_server_error_names_the_status_and_the_start_of_the_answer(receiver):
    with pytest.raises(DeliveryFailed, match="answered 500: 'database on fire'"):
        post_json(receiver.url("/fail"), body=BODY, headers={}, allowed=["127.0.0.1"])

    with pytest.raises(DeliveryFailed, match="answered 500") as failure:
        post_json(receiver.url("/big-fail"), body=BODY, headers={}, allowed=["127.0.0.1"])
    assert len(str(failure.value)) < 300


def test_a_receiver_slower_than_the_timeout_fails_quickly(receiver):
    started = time.monotonic()

    with pytest.raises(DeliveryFailed, match="timed out"):
        post_json(receiver.url("/slow"), body=BODY, headers={}, timeout=0.5, allowed=["127.0.0.1"])

    assert time.monotonic() - started < 1.5


def test_https_to_a_receiver_that_does_not_speak_tls_fails(receiver):
    with pytest.raises(DeliveryFailed, match="POST to 127.0.0.1 failed"):
        post_json(
            f"https://127.0.0.1:{receiver.port}/hooks",
            body=BODY,
            headers={},
            timeout=2,
            allowed=["127.0.0.1"],
        )


def test_the_address_is_pinned_so_a_changing_dns_answer_cannot_redirect_the_post(
    receiver, dns, connections
):
    dns.answer("rebind.example.test", ["127.0.0.1"], ["10.9.9.9"])
    url = receiver.url(host="rebind.example.test")

    assert post_json(url, body=BODY, headers={}, allowed=["127.0.0.1"]) == 200
    # One lookup for the check; the connection used its answer, not a second lookup.
    assert dns.lookups == ["rebind.example.test"]
    assert connections == [("127.0.0.1", receiver.port)]

    with pytest.raises(TargetRefused, match="resolves to a private address 10.9.9.9"):
        post_json(url, body=BODY, headers={}, allowed=["127.0.0.1"])
    assert dns.lookups == ["rebind.example.test", "rebind.example.test"]
    assert connections == [("127.0.0.1", receiver.port)]
    assert len(receiver.received) == 1


def test_https_dials_the_checked_address_and_verifies_the_certificate_for_the_host_name(
    tls_receiver, trusted_test_ca, dns, connections
):
    dns.answer("hooks.example.test", ["127.0.0.1"])

    status = post_json(
        f"https://hooks.example.test:{tls_receiver.port}/hooks",
        body=BODY,
        headers={},
        allowed=["127.0.0.1"],
    )

    assert status == 200
    assert tls_receiver.server_names == ["hooks.example.test"]
    [request] = tls_receiver.received
    assert request.headers["host"] == f"hooks.example.test:{tls_receiver.port}"
    assert connections == [("127.0.0.1", tls_receiver.port)]


def test_https_refuses_a_certificate_for_another_name(tls_receiver, trusted_test_ca, dns):
    dns.answer("other.example.test", ["127.0.0.1"])

    with pytest.raises(DeliveryFailed, match="other.example.test"):
        post_json(
            f"https://other.example.test:{tls_receiver.port}/hooks",
            body=BODY,
            headers={},
            timeout=2,
            allowed=["127.0.0.1"],
        )
    assert tls_receiver.received == []


def test_https_refuses_a_certificate_from_an_untrusted_issuer(tls_receiver, dns):
    dns.answer("hooks.example.test", ["127.0.0.1"])

    with pytest.raises(DeliveryFailed, match="CERTIFICATE_VERIFY_FAILED"):
        post_json(
            f"https://hooks.example.test:{tls_receiver.port}/hooks",
            body=BODY,
            headers={},
            timeout=2,
            allowed=["127.0.0.1"],
        )
    assert tls_receiver.received == []
