"""Who a visitor's address is when Kantu runs behind the operator's reverse proxies.

Streamlit gives the address of the connection's other end (the ``peer``): behind a load balancer
that is the balancer, for every visitor. The balancer says who it serves in ``X-Forwarded-For``
(or RFC 7239 ``Forwarded``), but anyone can send those headers, so they are believed only as far
as the operator's proxies vouch for them (``KANTU_TRUSTED_PROXIES``: addresses or CIDRs):

- the peer is not a trusted proxy (or there is none): the peer is the visitor;
- else the chain is walked from the right (the hop nearest Kantu first), and the first hop that
  is not a trusted proxy is the visitor; entries left of it were written by the visitor and are
  never read. A hop that is not an address (``unknown``, an obfuscated name, garbage) ends the walk
  at the proxy that reported it.

Both headers at once (a client's own ``Forwarded`` passed on by a proxy that writes
``X-Forwarded-For``, or the other way round) cannot tell which one the proxy wrote: neither is
believed and the peer is the visitor. Headers are read from their right end only, at most
``MAX_HEADER_CHARS`` and ``MAX_HOPS`` hops of them, and a malformed one never raises.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from components.settings_source import SettingsSource

log = logging.getLogger(__name__)

SETTING = "KANTU_TRUSTED_PROXIES"
FORWARDED_FOR = "x-forwarded-for"
FORWARDED = "forwarded"
FORWARDING_HEADERS = (FORWARDED_FOR, FORWARDED)
MAX_HEADER_CHARS = 4096  # a chain of 100 IPv6 hops; the rest (the left, the visitor's own) is cut
MAX_HOPS = 32  # more proxies than any real chain

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    """The operator's reverse proxies, whose forwarding headers are believed (empty: none)."""

    networks: tuple[IPNetwork, ...] = ()

    def trusts(self, address: IPAddress) -> bool:
        """Return whether ``address`` is one of the trusted proxies."""
        address = _unmapped(address)
        return any(address in network for network in self.networks)


def trusted_proxies(settings: SettingsSource) -> TrustedProxies:
    """Return the proxies named by ``KANTU_TRUSTED_PROXIES``; an entry that is not an address or
    CIDR is logged and left out (trusting less, never more)."""
    networks: list[IPNetwork] = []
    for entry in settings.strings(SETTING):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            log.warning("%s: %r is not an address or CIDR; ignored", SETTING, entry)
    return TrustedProxies(tuple(networks))


def client_address(
    peer: str | None, headers: Mapping[str, str], trusted: TrustedProxies
) -> str | None:
    """Return the visitor's address: ``peer`` (the connection's other end, None when unknown),
    or, when ``peer`` is a trusted proxy, the first untrusted hop of its forwarding chain read
    from the right. Returns a canonical address text, or ``peer`` as given. Never raises."""
    peer_address = parse_address(peer) if peer else None
    if peer_address is None or not trusted.trusts(peer_address):
        return peer
    forwarded_for = _header(headers, FORWARDED_FOR)
    forwarded = _header(headers, FORWARDED)
    if forwarded_for is not None and forwarded is not None:
        return peer  # which one did our proxy write? Believe neither.
    if forwarded_for is not None:
        hops = _tail(_split_commas(forwarded_for, quotes=False))
        chain = [parse_address(hop) for hop in hops]
    elif forwarded is not None:
        elements = _tail(_split_commas(forwarded, quotes=True))
        chain = [_forwarded_for(element) for element in elements]
    else:
        return peer
    visitor = peer_address
    for hop in reversed(chain):
        if hop is None:  # not an address: the proxy right of it is as far as we know
            break
        visitor = hop
        if not trusted.trusts(hop):
            break
    return str(_unmapped(visitor))


def forwarding_headers(get_all: Callable[[str], list[str]]) -> dict[str, str]:
    """Return the forwarding headers of a request whose lines of one name ``get_all`` returns,
    each name's lines joined as one comma-separated list (RFC 9110 5.3): a proxy may add its own
    line after the visitor's rather than append to it, and the last hop is the one to believe."""
    joined: dict[str, str] = {}
    for name in FORWARDING_HEADERS:
        lines = [line for line in get_all(name) if isinstance(line, str)]
        if lines:
            joined[name] = ", ".join(lines)
    return joined


def parse_address(text: str) -> IPAddress | None:
    """Return the address in one hop's text: ``1.2.3.4``, ``1.2.3.4:80``, ``2001:db8::1``,
    ``[2001:db8::1]:80``, quoted or not; None for anything else (``unknown``, ``_hidden``)."""
    text = text.strip().strip('"').strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Return the header ``name`` (any case) cut to its last ``MAX_HEADER_CHARS``; None if absent."""
    for key in headers:
        if isinstance(key, str) and key.lower() == name:
            value = headers[key]
            if not isinstance(value, str):
                return None
            if len(value) > MAX_HEADER_CHARS:  # keep whole hops only: drop the one cut through
                value = value[-MAX_HEADER_CHARS:].partition(",")[2]
            return value
    return None


def _split_commas(text: str, *, quotes: bool) -> list[str]:
    """Split ``text`` on commas (outside double quotes when ``quotes``: RFC 7239's quoted-string)."""
    if not quotes:
        return text.split(",")
    parts: list[str] = []
    start, quoted, escaped = 0, False, False
    for i, char in enumerate(text):
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _tail(hops: list[str]) -> list[str]:
    """Return the last ``MAX_HOPS`` hops: the ones nearest Kantu, the only ones worth reading."""
    return hops[-MAX_HOPS:]


def _forwarded_for(element: str) -> IPAddress | None:
    """Return the address of an RFC 7239 element's ``for=`` parameter; None without one."""
    for pair in element.split(";"):
        name, sep, value = pair.partition("=")
        if sep and name.strip().lower() == "for":
            return parse_address(value)
    return None


def _unmapped(address: IPAddress) -> IPAddress:
    """Return an IPv4-mapped IPv6 address (``::ffff:10.0.0.1``) as the IPv4 address it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
