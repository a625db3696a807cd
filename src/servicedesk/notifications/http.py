"""POSTing JSON to a URL that someone typed in, without letting it reach what it should not.

A webhook URL is chosen by a user of the desk, and the request is sent from inside the
network, so an unchecked URL would let that user make the server call its own admin ports,
the database, other intranet hosts or the cloud metadata service (server-side request
forgery). The rules:

- only http and https, with a host;
- the host is resolved once, and the request is refused if ANY answer is loopback, private,
  link-local, multicast, reserved, unspecified, in the shared address space (100.64.0.0/10)
  or a cloud metadata address; IPv6 forms that carry an IPv4 address (::ffff:10.0.0.1,
  ::10.0.0.1, 64:ff9b::10.0.0.1, 6to4) are judged by the IPv4 address inside;
- an administrator allow-lists an internal target by host name, address or network
  (`allowed`); a host name on the list does not cover the metadata addresses, only an address
  or network entry does, because no webhook should reach them by a DNS accident;
- the connection goes to the checked address itself, not to the host name again: resolving
  twice would let a DNS answer that changes in between (DNS rebinding) send the request to an
  address that was never checked. The original host is still sent as `Host`, and for https
  as SNI and as the name the certificate must match;
- redirects are never followed (a 3xx is a failure), since the new location was not checked.
"""

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

import certifi
import urllib3
from urllib3.exceptions import HTTPError

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address
type Network = ipaddress.IPv4Network | ipaddress.IPv6Network

USER_AGENT = "servicedesk-webhooks/1"
RESPONSE_LIMIT = 64 * 1024
EXCERPT_LIMIT = 200
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class TargetRefused(Exception):
    """The URL may not be called: a bad scheme or host, or an address that is not public."""


class DeliveryFailed(Exception):
    """The target was allowed but the POST did not succeed (network, timeout, TLS, non-2xx).

    `status` is the HTTP status of a non-2xx answer (None when none came), so that a channel
    can tell a refusal that no retry mends (Slack's 404 `no_service`) from a passing one."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


def _split(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and request target (path and query) of an http(s) URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise TargetRefused(f"{url!r}: scheme must be http or https, not {scheme or 'none'!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise TargetRefused(f"{url!r}: no host")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(f"{host}: credentials in the URL are not supported")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise TargetRefused(f"{host}: invalid port") from exc
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port, target


def _embedded_ipv4(address: Address) -> Address:
    """The IPv4 address an IPv6 address stands for, if it stands for one; else the address."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _not_public(address: Address) -> str | None:
    """Why `address` is not a public destination, or None if it is one."""
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:
        return "a reserved address"
    if address in SHARED_ADDRESS_SPACE:
        return "a shared (100.64.0.0/10, carrier-grade NAT) address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "a non-global address"
    return None


def _allow_list(allowed: Iterable[str]) -> tuple[set[str], list[Network]]:
    """Host names and networks of an allow-list whose entries are names, addresses or CIDRs."""
    names: set[str] = set()
    networks: list[Network] = []
    for entry in allowed:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            names.add(entry.strip().lower().rstrip("."))
    return names, networks


def _is_name(host: str) -> bool:
    """Whether `host` is a name to resolve rather than a literal address."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return True
    return False


def _resolve(host: str, port: int) -> list[Address]:
    """Every address `host` stands for: itself if it is a literal, else all A/AAAA answers."""
    if not _is_name(host):
        return [ipaddress.ip_address(host)]
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise DeliveryFailed(f"{host}: cannot resolve ({exc.strerror})") from exc
    addresses: list[Address] = []
    for *_, sockaddr in answers:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def target_check(url: str, *, allowed: Iterable[str] = ()) -> list[Address]:
    """The addresses `url` may be sent to; TargetRefused unless every one is public or allowed.

    Raises DeliveryFailed if the host does not resolve, since that may pass on a retry.
    """
    _, host, port, _ = _split(url)
    names, networks = _allow_list(allowed)
    addresses = _resolve(host, port)
    for address in addresses:
        inner = _embedded_ipv4(address)
        if any(a in network for network in networks for a in (address, inner)):
            continue
        reason = _not_public(inner) or _not_public(address)
        if reason is None:
            continue
        if host.lower() in names and inner not in METADATA_ADDRESSES:
            continue
        shown = str(address) if inner == address else f"{address} ({inner})"
        if _is_name(host):
            raise TargetRefused(f"{host} resolves to {reason} {shown}")
        raise TargetRefused(f"{shown} is {reason}")
    return addresses


def post_json(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float = 10.0,
    allowed: Iterable[str] = (),
) -> int:
    """POST `body` to `url` with `headers`, connecting only to an address `target_check` passed.

    Returns the 2xx status. Raises TargetRefused before any connection for a URL that may not
    be called, and DeliveryFailed for anything else that keeps the POST from succeeding.
    """
    scheme, host, port, target = _split(url)
    address = str(target_check(url, allowed=allowed)[0])
    default_port = 443 if scheme == "https" else 80
    host_name = f"[{host}]" if ":" in host else host
    request_headers = urllib3.HTTPHeaderDict(headers)
    request_headers["Host"] = host_name if port == default_port else f"{host_name}:{port}"
    request_headers["User-Agent"] = USER_AGENT
    pool_options = {
        "timeout": urllib3.Timeout(connect=timeout, read=timeout),
        "retries": False,
        "maxsize": 1,
    }
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            **pool_options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, **pool_options)
    try:
        response = pool.urlopen(
            "POST",
            target,
            body=body,
            headers=request_headers,
            redirect=False,
            retries=False,
            assert_same_host=False,
            preload_content=False,
            decode_content=False,
        )
        excerpt = response.read(RESPONSE_LIMIT)
        response.release_conn()
    except (HTTPError, OSError) as exc:
        raise DeliveryFailed(f"POST to {host} failed: {exc}") from exc
    finally:
        pool.close()
    if not 200 <= response.status < 300:
        text = excerpt[:EXCERPT_LIMIT].decode("utf-8", errors="replace")
        raise DeliveryFailed(
            f"POST to {host} answered {response.status}: {text!r}", status=response.status
        )
    return response.status
