"""The network guards of the webhook tests: only 127.0.0.1 may be dialled, and host names are
answered by a fake resolver. A test module opts in with `pytest.mark.usefixtures("connections",
"dns")`; a refusal is then proven to happen before any connection."""

import ipaddress
import socket

import pytest


class FakeDNS:
    """Answers for host names, one list of addresses per lookup; the last list repeats."""

    def __init__(self) -> None:
        self.table: dict[str, list[list[str]]] = {}
        self.lookups: list[str] = []

    def answer(self, host: str, *answers: list[str]) -> None:
        self.table[host] = list(answers)

    def getaddrinfo(self, host, port, *args, **kwargs):
        if host not in self.table:
            raise AssertionError(f"unexpected DNS lookup of {host!r}")
        self.lookups.append(host)
        answers = self.table[host]
        addresses = answers.pop(0) if len(answers) > 1 else answers[0]
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]


@pytest.fixture
def connections(monkeypatch):
    """Every address a socket connected to; connecting anywhere but 127.0.0.1 fails the test."""
    made: list[tuple] = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        if address[0] != "127.0.0.1":
            raise AssertionError(f"connection attempted to {address!r}")
        made.append(address[:2])
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(
        socket.socket, "connect_ex", lambda sock, address: pytest.fail(f"connect_ex {address!r}")
    )
    return made


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDNS()
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return fake.getaddrinfo(host, port, *args, **kwargs)
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return fake
