"""Keep a hosted Kantu from being used as a probe of its own network (SSRF), and never follow
redirects.

When Kantu is hosted (``KANTU_HOSTED``), a visitor's custom base URL may reach only public
addresses. Three checks, so neither a DNS answer nor a redirect can slip past:

1. ``check_literal_host`` at configuration: an IP literal or a ``localhost`` name is refused
   before anything is sent (the sidebar can say so at once);
2. after DNS resolution: every address the name resolves to must be public;
3. at connect time: the socket's real peer address must be public, checked on the bare TCP
   socket before a single byte (TLS included) is sent, so a DNS answer that changes between
   the lookup and the connect (rebinding) is caught too.

``GuardedAdapter`` is a ``requests`` adapter doing 2 and 3 (``public_only=True``) and refusing
every redirect (always): a 3xx answer becomes a ``RedirectError`` naming the Location host instead
of a second request that could carry the key or the pictures somewhere else. ``mount_guard``
mounts one on a session.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any, ClassVar
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from requests.utils import select_proxy
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from components.errors import BlockedAddressError, ConfigError, RedirectError, mask_secrets
from components.providers.base_url import BaseURL
from components.providers.in_flight import AbortableConnection

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_public_address(address: str | IPAddress) -> bool:
    """Return whether ``address`` is a public unicast address.

    Loopback, private, link-local (169.254.169.254, the cloud metadata address, included),
    CGNAT, unspecified, multicast and reserved addresses are not, nor are IPv6 forms that embed
    one of them (IPv4-mapped, NAT64, 6to4, Teredo). An unparsable address is not public.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # the socket reaches the IPv4 address itself
            return is_public_address(ip.ipv4_mapped)
        embedded = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public_address(embedded):
            return False
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return False
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_reserved
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_unspecified
        or ip.is_private
    )


def check_literal_host(base: BaseURL) -> None:
    """Refuse a base URL whose host is a non-public IP literal or a ``localhost`` name.

    Raises ConfigError("private_address"). Names are checked when connecting (no DNS here).
    """
    local_name = base.host == "localhost" or base.host.endswith(".localhost")
    if local_name or (base.ip is not None and not is_public_address(base.ip)):
        raise ConfigError("private_address", f"{base.host} is not public", host=base.host)


def check_resolved(host: str, port: int) -> None:
    """Resolve ``host`` and refuse it when any of its addresses is not public.

    Raises BlockedAddressError. A name that does not resolve is left to the connection to report.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return
    for *_, sockaddr in infos:
        if not is_public_address(str(sockaddr[0])):
            raise BlockedAddressError(f"{host} resolves to a non-public address", host=host)


def check_peer(sock: socket.socket, host: str) -> None:
    """Refuse a connected socket whose peer is not public (closing it).

    Raises BlockedAddressError.
    """
    try:
        peer = str(sock.getpeername()[0])
    except OSError:
        peer = ""
    if not is_public_address(peer):
        sock.close()
        raise BlockedAddressError(f"{host} connected to a non-public address", host=host)


class _PublicOnly:
    """Mixin for urllib3 connections: check the resolved addresses, then the real peer."""

    host: str
    port: int

    # _new_conn is the one seam where urllib3 holds the TCP socket before anything is sent
    def _new_conn(self) -> socket.socket:
        check_resolved(self.host, self.port)
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]  # a mixin over urllib3's
        check_peer(sock, self.host)
        return sock


class AbortableHTTPConnection(AbortableConnection, HTTPConnection):
    """An HTTP connection whose socket a Stop can shut down (see ``in_flight``)."""


class AbortableHTTPSConnection(AbortableConnection, HTTPSConnection):
    """An HTTPS connection whose socket a Stop can shut down (see ``in_flight``)."""


class PublicOnlyHTTPConnection(_PublicOnly, AbortableHTTPConnection):
    """An HTTP connection that reaches only public addresses (raises BlockedAddressError)."""


class PublicOnlyHTTPSConnection(_PublicOnly, AbortableHTTPSConnection):
    """An HTTPS connection that reaches only public addresses (raises BlockedAddressError)."""


class AbortableHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = AbortableHTTPConnection


class AbortableHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = AbortableHTTPSConnection


class PublicOnlyHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = PublicOnlyHTTPConnection


class PublicOnlyHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = PublicOnlyHTTPSConnection


_ABORTABLE_POOLS = {"http": AbortableHTTPConnectionPool, "https": AbortableHTTPSConnectionPool}
_PUBLIC_ONLY_POOLS = {"http": PublicOnlyHTTPConnectionPool, "https": PublicOnlyHTTPSConnectionPool}


def _location_host(url: str, location: str) -> str:
    try:
        host = parse_url(urljoin(url, location)).host or "?"
    except (LocationParseError, ValueError):
        host = "?"
    printable = "".join(ch for ch in host if ch.isascii() and ch.isprintable())
    return mask_secrets(printable[:100]) or "?"


class GuardedAdapter(HTTPAdapter):
    """An HTTPAdapter that never follows a redirect and, with ``public_only``, connects only to
    public addresses.

    ``send`` raises RedirectError on a 3xx answer with a Location, and BlockedAddressError when
    ``public_only`` and the destination is not public; other kwargs go to ``HTTPAdapter``.
    """

    # types-requests declares ``__attrs__`` an instance variable; requests makes it a class one.
    __attrs__: ClassVar[list[str]] = [*HTTPAdapter.__attrs__, "public_only"]  # type: ignore[misc]

    def __init__(self, *, public_only: bool = False, **kwargs: Any) -> None:
        self.public_only = public_only  # before super().__init__, which builds the pool manager
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        pools = _PUBLIC_ONLY_POOLS if self.public_only else _ABORTABLE_POOLS
        self.poolmanager.pool_classes_by_scheme = pools

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        url = request.url or ""
        proxies = kwargs.get("proxies") or (args[4] if len(args) > 4 else None)
        if self.public_only and select_proxy(url, proxies or {}):
            # a proxy connects for us, so only the DNS answer seen here can be checked
            parsed = parse_url(url)
            check_resolved(
                parsed.host or "", parsed.port or (443 if parsed.scheme == "https" else 80)
            )
        response = super().send(request, *args, **kwargs)
        if response.is_redirect:
            host = _location_host(url, response.headers.get("Location", ""))
            status = response.status_code
            response.close()
            raise RedirectError(
                f"HTTP {status} redirect to {host}; redirects are not followed",
                status=status,
                location_host=host,
            )
        return response


def mount_guard(
    session: requests.Session, *, public_only: bool, **adapter_kwargs: Any
) -> GuardedAdapter:
    """Mount a ``GuardedAdapter`` for http:// and https:// on ``session`` and return it.

    ``adapter_kwargs`` go to ``HTTPAdapter`` (e.g. ``max_retries``).
    """
    adapter = GuardedAdapter(public_only=public_only, **adapter_kwargs)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return adapter
