"""One strict parse of the base URL: what parsers would read differently is refused; what is kept
is read alike by urllib3 (which sends the request), urllib.parse and requests."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import example, given
from hypothesis import strategies as st
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from components.errors import ConfigError
from components.providers.base_url import DEFAULT_PORTS, BaseURL, parse_base_url
from components.providers.settings import resolve_settings

OP_KEY = "sk-operator-0123456789abcdef"
OPERATOR = "https://yewu.bcwhkj.cn/v1"

# (text, reason): every one is refused, for that reason
REFUSED = [
    # the red-team's string and its family: "\" read as a path by urllib3, as a host by urlsplit
    ("https://evil.example\\@yewu.bcwhkj.cn/v1", "base_url_characters"),
    ("https://evil.example/\\@yewu.bcwhkj.cn/v1", "base_url_characters"),
    ("http:\\\\evil.example/v1", "base_url_characters"),
    ("https:\\\\yewu.bcwhkj.cn\\v1", "base_url_characters"),
    # "@" anywhere, encoded or not
    ("https://yewu.bcwhkj.cn@evil.example/v1", "base_url_userinfo"),
    ("https://user:pass@evil.example/v1", "base_url_userinfo"),
    ("https://@yewu.bcwhkj.cn/v1", "base_url_userinfo"),
    ("https://evil.example%2F@yewu.bcwhkj.cn/v1", "base_url_userinfo"),
    ("https://yewu.bcwhkj.cn/v1@evil.example", "base_url_userinfo"),
    ("http://a.com?@b.com", "base_url_userinfo"),
    ("https://evil.example%40yewu.bcwhkj.cn/v1", "base_url_host"),
    # fragments and query strings
    ("http://a.com#@b.com", "base_url_userinfo"),
    ("https://yewu.bcwhkj.cn#.evil.example/v1", "base_url_query"),
    ("https://yewu.bcwhkj.cn/v1#frag", "base_url_query"),
    ("https://yewu.bcwhkj.cn/v1?", "base_url_query"),
    ("http://127.0.0.1:8080/admin/users?q=", "base_url_query"),
    # whitespace and control characters inside, including invisible ones
    ("https://evil.example\t.yewu.bcwhkj.cn/v1", "base_url_characters"),
    ("https://yewu.bcwhkj.cn\n@evil.example/v1", "base_url_characters"),
    ("https://yewu.bcwhkj.cn\r\nHost: evil.example/v1", "base_url_characters"),
    ("https://yewu.bcwhkj.cn\x00.evil.example/v1", "base_url_characters"),
    ("https://yewu.bcwhkj.cn\u200b/v1", "base_url_characters"),  # zero-width space
    ("https://yewu.bcwhkj.cn\u3000/v1", "base_url_characters"),  # ideographic space
    ("https://yewu.bcwhkj.cn /v1", "base_url_characters"),
    ("https://yewu.bcwhkj.cn:44 3/v1", "base_url_characters"),
    # percent signs in the host; unicode dots and full-width look-alikes
    ("https://yewu.bcwhkj.cn%2Eevil.example/v1", "base_url_host"),
    ("https://yewu%2ebcwhkj.cn/v1", "base_url_host"),
    ("https://yewu\u3002bcwhkj\u3002cn/v1", "base_url_host"),  # 。
    ("https://yewu\uff0ebcwhkj\uff0ecn/v1", "base_url_host"),  # ．
    ("https://yewu\uff61bcwhkj.cn/v1", "base_url_host"),  # ｡
    ("https://\uff59\uff45\uff57\uff55.bcwhkj.cn/v1", "base_url_host"),  # ｙｅｗｕ
    ("https://yewu.bcwhkj.cn\uff0fv1", "base_url_host"),  # ／
    # IPv6: zone ids, missing brackets
    ("https://[fe80::1%25eth0]/v1", "base_url_host"),
    ("https://[fe80::1%eth0]:8080/v1", "base_url_host"),
    ("https://[::1/v1", "base_url_host"),
    ("https://::1/v1", "base_url_host"),
    ("https://[evil.example]/v1", "base_url_host"),
    ("https://[::1]evil.example/v1", "base_url_host"),
    # numbers resolvers read as IPv4 in other forms
    ("http://2130706433/v1", "base_url_host"),
    ("http://0177.0.0.1/v1", "base_url_host"),
    ("http://0x7f.0.0.1/v1", "base_url_host"),
    ("http://127.1/v1", "base_url_host"),
    ("http://127.0.0.01/v1", "base_url_host"),
    ("http://0x7f000001/v1", "base_url_host"),
    ("http://1.2.3.4.5/v1", "base_url_host"),
    # empty or invalid hosts
    ("http://", "base_url_host"),
    ("https:///yewu.bcwhkj.cn/v1", "base_url_host"),
    ("https://./v1", "base_url_host"),
    ("https://a..b/v1", "base_url_host"),
    ("https://-evil.example/v1", "base_url_host"),
    ("https://" + "a" * 64 + ".example/v1", "base_url_host"),
    ("https://evil.example:443:443/v1", "base_url_host"),
    # ports
    ("https://yewu.bcwhkj.cn:0/v1", "base_url_port"),
    ("https://yewu.bcwhkj.cn:65536/v1", "base_url_port"),
    ("https://yewu.bcwhkj.cn:443443/v1", "base_url_port"),
    ("https://yewu.bcwhkj.cn:-1/v1", "base_url_port"),
    ("https://yewu.bcwhkj.cn:/v1", "base_url_port"),
    ("https://yewu.bcwhkj.cn:\uff14\uff14\uff13/v1", "base_url_port"),  # ４４３
    # schemes and shapes that are not http(s)://host
    ("", "bad_base_url"),
    ("yewu.bcwhkj.cn/v1", "bad_base_url"),
    ("//yewu.bcwhkj.cn/v1", "bad_base_url"),
    ("http:/evil.example/v1", "bad_base_url"),
    ("http:evil.example/v1", "bad_base_url"),
    ("ftp://yewu.bcwhkj.cn/v1", "bad_base_url"),
    ("file:///etc/passwd", "bad_base_url"),
    ("javascript://yewu.bcwhkj.cn/v1", "bad_base_url"),
    ("gopher://127.0.0.1:6379/_FLUSHALL", "bad_base_url"),
    # paths: dot segments, encoded delimiters, odd characters
    ("https://yewu.bcwhkj.cn/v1/../admin", "base_url_path"),
    ("https://yewu.bcwhkj.cn/v1/./x", "base_url_path"),
    ("https://yewu.bcwhkj.cn/v1/%2e%2e/admin", "base_url_path"),
    ("https://yewu.bcwhkj.cn/v1%2fchat", "base_url_path"),
    ("https://yewu.bcwhkj.cn/v1%5c", "base_url_path"),
    ("https://yewu.bcwhkj.cn/v1%00", "base_url_path"),
    ("https://yewu.bcwhkj.cn/v1%20", "base_url_path"),
    ("https://yewu.bcwhkj.cn/v1%40evil", "base_url_path"),
    ("https://yewu.bcwhkj.cn/v1%", "base_url_path"),
    ("https://yewu.bcwhkj.cn/v1%zz", "base_url_path"),
    ("https://yewu.bcwhkj.cn/v1/é", "base_url_path"),
    ('https://yewu.bcwhkj.cn/v1"', "base_url_path"),
]

# (text, scheme, host, port, path): accepted, written one way
ACCEPTED = [
    (OPERATOR, "https", "yewu.bcwhkj.cn", 443, "/v1"),
    ("HTTPS://YEWU.BCWHKJ.CN:443/v1/", "https", "yewu.bcwhkj.cn", 443, "/v1"),
    ("https://yewu.bcwhkj.cn./v1", "https", "yewu.bcwhkj.cn", 443, "/v1"),
    ("  https://yewu.bcwhkj.cn/v1\n", "https", "yewu.bcwhkj.cn", 443, "/v1"),
    ("https://yewu.bcwhkj.cn/%76%31", "https", "yewu.bcwhkj.cn", 443, "/v1"),
    ("https://yewu.bcwhkj.cn:0443/v1", "https", "yewu.bcwhkj.cn", 443, "/v1"),
    ("https://例子.测试/v1", "https", "xn--fsqu00a.xn--0zwm56d", 443, "/v1"),
    ("https://xn--fsqu00a.xn--0zwm56d/v1", "https", "xn--fsqu00a.xn--0zwm56d", 443, "/v1"),
    ("http://[::1]:8080/v1", "http", "::1", 8080, "/v1"),
    ("http://[0:0:0:0:0:0:0:1]:8080/v1/", "http", "::1", 8080, "/v1"),
    ("http://[::FFFF:127.0.0.1]/v1", "http", "::ffff:7f00:1", 80, "/v1"),
    ("http://127.0.0.1:11434/v1", "http", "127.0.0.1", 11434, "/v1"),
    ("http://localhost:11434/v1", "http", "localhost", 11434, "/v1"),
    ("https://open.bigmodel.cn/api/paas/v4", "https", "open.bigmodel.cn", 443, "/api/paas/v4"),
    ("http://my_relay.internal", "http", "my_relay.internal", 80, ""),
    ("https://relay.example/", "https", "relay.example", 443, ""),
    ("https://relay.example//v1", "https", "relay.example", 443, "//v1"),
    ("https://relay.example/v1;x=1/a:b", "https", "relay.example", 443, "/v1;x=1/a:b"),
]


def _urllib3_reads(text: str) -> tuple[str, object, int]:
    """Return (scheme, host, port) as urllib3 reads ``text``, written like ours."""
    parts = parse_url(text)
    scheme = (parts.scheme or "").lower()
    host = (parts.host or "").lower().removeprefix("[").removesuffix("]").rstrip(".")
    try:
        host_value: object = ipaddress.ip_address(host)
    except ValueError:
        host_value = host
    return scheme, host_value, parts.port or DEFAULT_PORTS.get(scheme, 0)


def _urlsplit_reads(text: str) -> tuple[str, object, int]:
    parts = urlsplit(text)
    host = (parts.hostname or "").rstrip(".")
    try:
        host_value: object = ipaddress.ip_address(host)
    except ValueError:
        host_value = host
    return parts.scheme, host_value, parts.port or DEFAULT_PORTS.get(parts.scheme, 0)


def _ours(base: BaseURL) -> tuple[str, object, int]:
    return base.scheme, base.ip or base.host, base.port


def _assert_every_parser_agrees(text: str, base: BaseURL) -> None:
    """urllib3 reads the text as we do; every parser reads the URL we send as we do."""
    assert _urllib3_reads(text.strip()) == _ours(base), text
    sent = base.endpoint("chat/completions")
    assert parse_base_url(str(base)) == base
    assert _urllib3_reads(sent) == _ours(base)
    assert _urlsplit_reads(sent) == _ours(base)
    prepared = requests.Request("POST", sent).prepare().url or ""
    assert _urllib3_reads(prepared) == _ours(base)
    assert parse_url(prepared).path == base.path + "/chat/completions"


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_what_no_honest_base_url_contains_is_refused(text, reason):
    with pytest.raises(ConfigError) as info:
        parse_base_url(text)
    assert info.value.reason == reason
    for lang in ("zh", "en"):
        message = info.value.message(lang)
        assert message != f"config.{reason}" and "{" not in message


@pytest.mark.parametrize(("text", "scheme", "host", "port", "path"), ACCEPTED)
def test_honest_base_urls_are_written_one_way_and_every_parser_agrees(
    text, scheme, host, port, path
):
    base = parse_base_url(text)
    assert (base.scheme, base.host, base.port, base.path) == (scheme, host, port, path)
    _assert_every_parser_agrees(text, base)


@pytest.mark.parametrize(
    "same",
    [
        [OPERATOR, "https://yewu.bcwhkj.cn/v1/", "HTTPS://YEWU.bcwhkj.CN:443/v1", OPERATOR + "//"],
        ["https://yewu.bcwhkj.cn./v1", "https://yewu.bcwhkj.cn/%76%31", " " + OPERATOR + " "],
        ["https://例子.测试/v1", "https://xn--fsqu00a.xn--0zwm56d/v1", "https://例子.测试./v1/"],
        ["http://[::1]/v1", "http://[0::1]:80/v1", "http://[0000:0000::0001]/v1"],
    ],
)
def test_equal_servers_compare_equal(same):
    assert len({parse_base_url(text) for text in same}) == 1


@pytest.mark.parametrize(
    "other",
    [
        "http://yewu.bcwhkj.cn/v1",
        "https://yewu.bcwhkj.cn:8443/v1",
        "https://yewu.bcwhkj.cn/V1",
        "https://yewu.bcwhkj.cn//v1",
        "https://yewu.bcwhkj.cn/v1/chat",
        "https://yewu.bcwhkj.cn.evil.example/v1",
        "https://evil.example/yewu.bcwhkj.cn/v1",
    ],
)
def test_other_servers_or_paths_compare_unequal(other):
    assert parse_base_url(other) != parse_base_url(OPERATOR)


def test_request_url_is_built_from_the_parts():
    base = parse_base_url("HTTPS://YEWU.BCWHKJ.CN.:443/%76%31/")
    assert base.endpoint("chat/completions") == "https://yewu.bcwhkj.cn/v1/chat/completions"
    assert (
        parse_base_url("http://[::1]:8080/v1").endpoint("models") == "http://[::1]:8080/v1/models"
    )
    assert repr(base) == "BaseURL('https://yewu.bcwhkj.cn/v1')"
    with pytest.raises(ValueError):
        base.endpoint("../admin")


# --- the whole class: random URLs built from the pieces parsers disagree on ----------------

SCHEMES = ["http://", "https://", "HTTPS://", "http:", "http:/", "http:\\\\", "//", "ftp://", ""]
HOST_PIECES = [
    "yewu.bcwhkj.cn",
    "evil.example",
    "localhost",
    "127.0.0.1",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[fe80::1%25eth0]",
    "0177",
    "0x7f",
    "2130706433",
    "例子",
    ".",
    "..",
    "@",
    "%40",
    "%2e",
    "\\",
    "\u3002",
    "\uff0e",
    "\uff45",
    "\t",
    " ",
    "\u200b",
    "#",
    "?",
    ":",
    "-",
    "_",
]
PORTS = ["", "", ":443", ":80", ":8080", ":0", ":99999", ":", ":0443", ":\uff18"]
PATH_PIECES = [
    "/",
    "v1",
    "//",
    "/v1",
    "..",
    "%2e",
    "%2f",
    "%76",
    "%",
    "@",
    "\\",
    "?",
    "#",
    "é",
    ";",
]

HONEST_HOSTS = ["yewu.bcwhkj.cn", "evil.example", "localhost", "127.0.0.1", "[::1]", "例子.测试"]


def _url(scheme: str, host: list[str], port: str, path: list[str]) -> str:
    return scheme + "".join(host) + port + "".join(path)


# about a third come out acceptable, so the agreement is checked on many accepted strings
tricky_urls = st.builds(
    _url,
    st.one_of(st.sampled_from(["http://", "https://"]), st.sampled_from(SCHEMES)),
    st.one_of(
        st.lists(st.sampled_from(HONEST_HOSTS), min_size=1, max_size=1),
        st.lists(st.sampled_from(HOST_PIECES), min_size=1, max_size=4),
    ),
    st.one_of(st.just(""), st.sampled_from(PORTS)),
    st.one_of(
        st.lists(st.sampled_from(["/v1", "/", "/api", "/v4"]), max_size=2),
        st.lists(st.sampled_from(PATH_PIECES), max_size=4),
    ),
)


def _agree_or_refused(text: str) -> None:
    try:
        base = parse_base_url(text)
    except ConfigError:
        return
    try:
        _assert_every_parser_agrees(text, base)
    except LocationParseError:  # pragma: no cover - a failure worth seeing
        pytest.fail(f"we accept {text!r}, urllib3 cannot parse it")


@given(tricky_urls)
@example("https://evil.example\\@yewu.bcwhkj.cn/v1")
@example("https://yewu.bcwhkj.cn@evil.example/v1")
def test_random_tricky_urls_are_refused_or_read_alike_by_every_parser(text):
    _agree_or_refused(text)


@given(st.sampled_from(["http://", "https://"]), st.text(max_size=40))
def test_random_unicode_after_the_scheme_is_refused_or_read_alike(scheme, rest):
    _agree_or_refused(scheme + rest)


@given(tricky_urls)
@example("https://evil.example\\@yewu.bcwhkj.cn/v1")
@example("https://evil.example%2F@yewu.bcwhkj.cn/v1")
@example("\t")  # blank: unset, so the operator's default provider
def test_operator_key_goes_only_where_urllib3_connects_to_the_operator(text):
    try:
        settings = resolve_settings(
            base_url=text, environ={"KANTU_API_KEY": OP_KEY, "KANTU_HOSTED": "false"}
        )
    except ConfigError:
        return
    if settings.api_key == OP_KEY:
        sent = text.strip() or str(settings.base_url)  # blank is unset: the default provider's
        assert _urllib3_reads(sent) == ("https", "yewu.bcwhkj.cn", 443)
        assert parse_url(sent).path.rstrip("/") in ("/v1", "/%76%31")
