"""One parse of a base URL: the same value decides whose server it is and builds the request URL.

Parsers disagree on odd URLs: ``urllib.parse`` reads ``https://evil.example\\@api.test/v1`` as a URL
on ``api.test``, while urllib3 (which sends the request) reads a backslash as the start of the path
and connects to ``evil.example``. So Kantu parses a base URL once, strictly, into a ``BaseURL``,
and everything else (key routing, preset matching, the request URL) uses that value, never the
text. Whatever an honest base URL never contains is refused rather than interpreted: userinfo or
any ``@``, backslashes, whitespace or control characters, a query string or fragment, percent
signs in the host, dot segments, numeric hosts that are not a plain dotted quad (``2130706433``,
``0177.0.0.1``). What remains is written one way: lower-case scheme and host, IDNA (A-label)
names, no trailing dot, an explicit port, no trailing slash, so equal servers compare equal.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, TypeGuard
from urllib.parse import unquote

import idna

from components.errors import ConfigError

Scheme = Literal["http", "https"]
DEFAULT_PORTS: dict[str, int] = {"http": 80, "https": 443}

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(.*)", re.DOTALL)
_BRACKETED = re.compile(r"\[([^\[\]]*)\](?::(.*))?")
_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_\-]{0,61}[a-z0-9_])?")
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")
_PORT = re.compile(r"[0-9]{1,5}")
# RFC 3986 path characters without "%" (escapes are checked apart) and without "@"
_PATH_CHARS = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:/\-]*")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_VISIBLE_ASCII = re.compile(r"[\x21-\x5b\x5d-\x7e]*")  # without the backslash (0x5c)


@dataclass(frozen=True)
class BaseURL:
    """A validated, normalised base URL; compare two with ``==``.

    ``host`` is lower-case ASCII: an IDNA name without a trailing dot, or an IP address (IPv6
    without brackets). ``path`` is ``""`` or starts with ``/``, never ends with one.
    """

    scheme: Scheme
    host: str
    port: int
    path: str

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = "" if DEFAULT_PORTS[self.scheme] == self.port else f":{self.port}"
        return f"{self.scheme}://{host}{port}{self.path}"

    def __repr__(self) -> str:
        return f"BaseURL({str(self)!r})"

    def endpoint(self, name: str) -> str:
        """Return the URL of the API endpoint ``name`` (e.g. ``"chat/completions"``).

        Raises ValueError for a name that is not a plain relative path.
        """
        if not _PATH_CHARS.fullmatch(name) or name.startswith("/") or ".." in name:
            raise ValueError(f"not an endpoint name: {name!r}")
        return f"{self}/{name}"

    @property
    def ip(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        """The host as an IP address, or None for a name."""
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None


def _refused_character(text: str) -> bool:
    """Whether ``text`` holds a backslash, whitespace, or a control or format character."""
    if _VISIBLE_ASCII.fullmatch(text):
        return False
    for ch in text:
        if ch == "\\" or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            return True
    return False


def parse_base_url(text: str) -> BaseURL:
    """Parse and normalise a base URL, refusing anything an honest base URL does not contain.

    Surrounding whitespace is ignored. Raises ConfigError with ``reason``: ``bad_base_url`` (not
    ``http://`` or ``https://``), ``base_url_characters`` (backslash, whitespace, control
    characters), ``base_url_userinfo`` (``@``), ``base_url_query`` (``?`` or ``#``),
    ``base_url_host``, ``base_url_port`` or ``base_url_path``.
    """
    text = text.strip()
    if _refused_character(text):
        raise ConfigError("base_url_characters", "whitespace, control character or backslash")
    match = _SCHEME.fullmatch(text)
    scheme = match.group(1).lower() if match else ""
    if not _is_scheme(scheme) or not match or not match.group(2).startswith("//"):
        raise ConfigError("bad_base_url", "the base URL must start with http:// or https://")
    rest = match.group(2)[2:]
    if "@" in rest:
        raise ConfigError("base_url_userinfo", "'@' in the base URL")
    if "?" in rest or "#" in rest:
        raise ConfigError("base_url_query", "query string or fragment in the base URL")
    slash = rest.find("/")
    authority, path = (rest, "") if slash < 0 else (rest[:slash], rest[slash:])
    host, port_text = _split_authority(authority)
    port = _port(port_text, scheme)
    return BaseURL(scheme, _host(host), port, _path(path))


def _is_scheme(text: str) -> TypeGuard[Scheme]:
    return text in DEFAULT_PORTS


def _split_authority(authority: str) -> tuple[str, str | None]:
    if authority.startswith("["):
        bracketed = _BRACKETED.fullmatch(authority)
        if not bracketed:
            raise ConfigError("base_url_host", "unbalanced brackets")
        return "[" + bracketed.group(1) + "]", bracketed.group(2)
    if authority.count(":") > 1:
        raise ConfigError("base_url_host", "an IPv6 address must be in brackets")
    host, colon, port = authority.partition(":")
    return host, port if colon else None


def _port(text: str | None, scheme: str) -> int:
    if text is None:
        return DEFAULT_PORTS[scheme]
    if not _PORT.fullmatch(text) or not 1 <= int(text) <= 65535:
        raise ConfigError("base_url_port", "the port must be a number from 1 to 65535")
    return int(text)


def _host(host: str) -> str:
    if "%" in host:  # percent-encoded names, IPv6 zone ids
        raise ConfigError("base_url_host", "'%' in the host")
    if host.startswith("["):
        try:
            return ipaddress.IPv6Address(host[1:-1]).compressed
        except ValueError:
            raise ConfigError("base_url_host", "not an IPv6 address") from None
    if not host.isascii():
        try:
            # IDNA 2008 as urllib3 applies it: look-alikes such as full-width letters or "。"
            # are refused here, not mapped, so every parser reads the same name
            host = idna.encode(host.lower(), strict=True, std3_rules=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            raise ConfigError("base_url_host", "not a valid international name") from None
    host = host.lower()
    host = host[:-1] if host.endswith(".") else host
    labels = host.split(".")
    if not host or len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ConfigError("base_url_host", "not a valid host name")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        # resolvers read 2130706433, 0177.0.0.1, 127.1 or 0x7f.1 as IPv4: allow only the plain form
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            raise ConfigError("base_url_host", "not a plain dotted IPv4 address") from None
    return host


def _path(path: str) -> str:
    if not path.isascii() or not _PATH_CHARS.fullmatch(_ESCAPE.sub("", path)):
        raise ConfigError("base_url_path", "characters a base URL path does not hold")
    decoded = unquote(path)
    if (
        not _PATH_CHARS.fullmatch(decoded)
        or decoded.count("/") != path.count("/")
        or any(segment in (".", "..") for segment in decoded.split("/"))
    ):
        raise ConfigError("base_url_path", "dot segments or encoded delimiters in the path")
    # the decoded path holds only characters that need no escaping: store it, so %41 == A
    return decoded.rstrip("/")
