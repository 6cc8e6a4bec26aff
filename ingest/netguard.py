"""Which addresses the fetcher may talk to, and an httpx transport that connects only to addresses it checked.

Feeds are written by strangers: an entry's link, or a redirect, can point at `http://169.254.169.254/`, at
`http://localhost:6379/`, at a LAN printer. Every URL we fetch is therefore checked against the addresses its
host resolves to, in every spelling an address can take (IPv6, IPv4-mapped or embedded IPv6, decimal, octal and
hex IPv4: the system resolver turns all of those into one canonical address, which is what we check).

Checking a name and then letting the HTTP library resolve it again leaves a gap (DNS rebinding: the first answer
is public, the second private). `GuardedTransport` closes it: its connection pool resolves the name itself, checks
every address, and connects to the address it checked. Requests that may reach private addresses (a source the
user configured on their own network) go through a separate pool, so a connection opened for one can never be
reused for the other.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from graph.errors import WikigraphError

# Request extension that lets one request reach private addresses (set by the Fetcher, read by the transport).
ALLOW_PRIVATE = "wikigraph.allow_private"
# Ranges that are not "global" in practice, some of which the standard library still counts as global.
_NOT_PUBLIC = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
    )
)
_NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


class AddressNotAllowed(WikigraphError):
    """The URL's host is (or resolves to) a private, loopback, link-local or otherwise non-public address."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (numeric forms such as `2130706433` or `0x7f.1` included)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public_address(text: str) -> bool:
    """False for loopback, private, link-local, shared, reserved, multicast and unspecified addresses, and for
    IPv6 addresses that carry such an IPv4 address inside them (mapped, compatible, 6to4, NAT64, Teredo)."""
    address = ipaddress.ip_address(text.split("%")[0])  # drop an IPv6 zone ("fe80::1%eth0")
    return all(_plainly_public(each) for each in _with_embedded(address))


def _with_embedded(address: Address) -> list[Address]:
    if not isinstance(address, ipaddress.IPv6Address):
        return [address]
    found: list[Address] = [address]
    if address.ipv4_mapped:
        found.append(address.ipv4_mapped)
    if address.sixtofour:
        found.append(address.sixtofour)
    if address.teredo:
        found.extend(address.teredo)
    last_32_bits = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _IPV4_COMPATIBLE or any(address in prefix for prefix in _NAT64_PREFIXES):
        found.append(last_32_bits)
    return found


def _plainly_public(address: Address) -> bool:
    if any(address.version == net.version and address in net for net in _NOT_PUBLIC):
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return True  # judged by the IPv4 address inside it
    return address.is_global and not address.is_multicast


def check_url(url: str, allow_private: bool, resolver: Resolver = system_resolver) -> None:
    """Refuse non-http(s) URLs, and hosts resolving to any non-public address unless `allow_private`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressNotAllowed(f"{url}: not an http(s) URL", url)
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = resolver(parts.hostname, port)
    except (OSError, ValueError, UnicodeError) as exc:
        raise AddressNotAllowed(f"{url}: cannot resolve host {parts.hostname!r}: {exc}", url) from exc
    _refuse_non_public(parts.hostname, addresses, url)


def is_on_private_network(url: str, resolver: Resolver = system_resolver) -> bool:
    """True when the URL's host resolves, and to a non-public address (a name that does not resolve is not)."""
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    try:
        addresses = resolver(parts.hostname, parts.port or 80)
    except (OSError, ValueError, UnicodeError):
        return False
    return any(not is_public_address(address) for address in addresses)


def _refuse_non_public(host: str, addresses: Iterable[str], url: str) -> None:
    for address in addresses:
        if not is_public_address(address):
            raise AddressNotAllowed(
                f"{url}: host {host!r} resolves to non-public address {address}; "
                "set allow_private: true on this source to fetch it",
                url,
            )


class _CheckedBackend(httpcore.NetworkBackend):
    """Resolves the host once, checks every address, and connects to those addresses only."""

    def __init__(self, allow_private: bool, resolver: Resolver) -> None:
        self.allow_private = allow_private
        self.resolver = resolver
        self.inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        where = f"{host}:{port}"
        try:
            addresses = self.resolver(host, port)
        except (OSError, ValueError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve host {host!r}: {exc}") from exc
        if not self.allow_private:
            _refuse_non_public(host, addresses, where)
        failure: Exception = httpcore.ConnectError(f"{where}: no address to connect to")
        for address in addresses:
            try:
                # TLS still verifies the certificate against `host`: httpcore passes the request's host as SNI.
                return self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport with our network backend in its connection pool (httpx has no public parameter
    for the backend, so the pool it built is replaced by an equivalent one that has it)."""

    def __init__(self, allow_private: bool, resolver: Resolver, ssl_context: ssl.SSLContext, limits: httpx.Limits):
        super().__init__(verify=ssl_context, limits=limits, trust_env=False)
        self._pool.close()
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_CheckedBackend(allow_private, resolver),
        )


class GuardedTransport(httpx.BaseTransport):
    """Two pinned pools: public-only (the default) and private-allowed (requests carrying ALLOW_PRIVATE)."""

    def __init__(self, resolver: Resolver = system_resolver, limits: httpx.Limits | None = None) -> None:
        context = httpx.create_ssl_context()
        limits = limits or httpx.Limits(max_connections=20, max_keepalive_connections=10)
        self.public = _PinnedTransport(False, resolver, context, limits)
        self.private = _PinnedTransport(True, resolver, context, limits)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        pool = self.private if request.extensions.get(ALLOW_PRIVATE) else self.public
        return pool.handle_request(request)

    def close(self) -> None:
        self.public.close()
        self.private.close()
