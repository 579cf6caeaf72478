"""The visitor's address behind the operator's reverse proxies: forwarding headers are believed
only from a trusted proxy, read from the right, and a hostile header never raises or wins."""

from __future__ import annotations

import ipaddress
import re

from hypothesis import example, given
from hypothesis import strategies as st
from streamlit.runtime.context import StreamlitHeaders

from components.hosting.client_address import (
    MAX_HEADER_CHARS,
    SETTING,
    TrustedProxies,
    client_address,
    forwarding_headers,
    trusted_proxies,
)
from components.settings_source import SettingsSource

LB = "10.0.0.2"
VISITOR = "203.0.113.7"
SPOOF = "198.51.100.66"
TRUSTED = trusted_proxies(SettingsSource(environ={SETTING: "10.0.0.0/24, 2001:db8:1::/48"}))


def test_without_trusted_proxies_the_headers_are_ignored() -> None:
    headers = {"X-Forwarded-For": VISITOR}
    assert client_address(LB, headers, TrustedProxies()) == LB


def test_a_trusted_balancer_names_its_visitor() -> None:
    assert client_address(LB, {"X-Forwarded-For": VISITOR}, TRUSTED) == VISITOR
    assert client_address(LB, {"x-forwarded-for": f" {VISITOR}:51234 "}, TRUSTED) == VISITOR


def test_a_spoofed_left_entry_does_not_win() -> None:
    # the visitor sent "X-Forwarded-For: SPOOF"; the balancer appended the real address
    assert client_address(LB, {"X-Forwarded-For": f"{SPOOF}, {VISITOR}"}, TRUSTED) == VISITOR


def test_the_walk_passes_every_trusted_hop_and_stops_at_the_first_other() -> None:
    chain = f"{SPOOF}, {VISITOR}, 10.0.0.9, 10.0.0.5"
    assert client_address(LB, {"X-Forwarded-For": chain}, TRUSTED) == VISITOR


def test_headers_sent_straight_to_the_replica_are_not_believed() -> None:
    headers = {"X-Forwarded-For": SPOOF, "Forwarded": f"for={SPOOF}"}
    assert client_address(VISITOR, headers, TRUSTED) == VISITOR
    assert client_address(None, headers, TRUSTED) is None  # Streamlit's "no address" stays so


def test_a_balancers_own_header_line_after_the_visitors_is_the_one_believed() -> None:
    # HAProxy's "option forwardfor" adds a line of its own; Streamlit's headers[...] gives the first
    lines = StreamlitHeaders(
        [("X-Forwarded-For", SPOOF), ("Host", "x"), ("x-forwarded-for", VISITOR)]
    )
    headers = forwarding_headers(lines.get_all)
    assert headers == {"x-forwarded-for": f"{SPOOF}, {VISITOR}"}
    assert client_address(LB, headers, TRUSTED) == VISITOR


def test_rfc_7239_forwarded_is_read_with_quotes_ports_and_ipv6() -> None:
    header = f'for={SPOOF};proto=http, For="[2001:db8:cafe::17]:4711";by=x, for="10.0.0.3"'
    assert client_address(LB, {"Forwarded": header}, TRUSTED) == "2001:db8:cafe::17"


def test_an_unknown_or_garbage_hop_ends_at_the_proxy_that_reported_it() -> None:
    assert client_address(LB, {"Forwarded": "for=unknown"}, TRUSTED) == LB
    assert client_address(LB, {"Forwarded": "for=_hidden, for=10.0.0.3"}, TRUSTED) == "10.0.0.3"
    assert client_address(LB, {"X-Forwarded-For": "not an address"}, TRUSTED) == LB


def test_both_headers_at_once_believe_neither() -> None:
    # HAProxy writes X-Forwarded-For and passes a visitor's own Forwarded on untouched
    headers = {"X-Forwarded-For": VISITOR, "Forwarded": f"for={SPOOF}"}
    assert client_address(LB, headers, TRUSTED) == LB


def test_an_ipv4_mapped_balancer_is_trusted_and_ipv6_networks_work() -> None:
    assert client_address(f"::ffff:{LB}", {"X-Forwarded-For": VISITOR}, TRUSTED) == VISITOR
    assert client_address("2001:db8:1::5", {"X-Forwarded-For": VISITOR}, TRUSTED) == VISITOR


def test_a_huge_header_is_read_from_its_right_end_only() -> None:
    chain = ", ".join([SPOOF] * 100_000 + [VISITOR])
    assert client_address(LB, {"X-Forwarded-For": chain}, TRUSTED) == VISITOR
    trusted_only = ", ".join(["10.0.0.7"] * 100_000)  # all trusted: the nearest ones we read
    assert client_address(LB, {"X-Forwarded-For": trusted_only}, TRUSTED) == "10.0.0.7"


def test_bad_entries_in_the_setting_trust_less_not_more() -> None:
    trusted = trusted_proxies(SettingsSource(environ={SETTING: "nonsense, 10.0.0.2, 300.1.1.1/8"}))
    assert trusted.networks == (ipaddress.ip_network("10.0.0.2/32"),)
    assert trusted_proxies(SettingsSource()) == TrustedProxies()


hop_text = st.one_of(
    st.ip_addresses().map(str),
    st.ip_addresses(v=4).map(lambda a: f"{a}:{a.packed[0]}"),
    st.ip_addresses(v=6).map(lambda a: f'"[{a}]:80"'),
    st.text(max_size=30),
)
header_text = st.lists(hop_text, max_size=40).map(", ".join) | st.text(
    max_size=MAX_HEADER_CHARS * 2
)
headers_strategy = st.dictionaries(
    st.sampled_from(["X-Forwarded-For", "x-forwarded-for", "Forwarded", "FORWARDED", "Via"]),
    header_text,
    max_size=3,
)
peers = st.one_of(st.none(), st.ip_addresses().map(str), st.just(LB), st.text(max_size=20))


@given(peers, headers_strategy)
@example(LB, {"X-Forwarded-For": '"[::ffff:0:0]:80"'})  # an IPv4-mapped hop in hex: 0.0.0.0
def test_the_answer_is_always_the_peer_or_an_address_in_a_header(
    peer: str | None, headers: dict[str, str]
) -> None:
    found = client_address(peer, headers, TRUSTED)
    if found == peer:
        return
    assert found is not None
    ipaddress.ip_address(found)  # an address, canonical
    assert any(found in value or _same(found, value) for value in headers.values())


@given(st.lists(st.ip_addresses(v=4).map(str), max_size=10), st.ip_addresses(v=4).map(str))
def test_nothing_left_of_the_real_hop_ever_wins(spoofed: list[str], real: str) -> None:
    headers = {"X-Forwarded-For": ", ".join([*spoofed, real])}
    found = client_address(LB, headers, TRUSTED)
    if not TRUSTED.trusts(ipaddress.ip_address(real)):
        assert found == real


@given(peers, headers_strategy)
def test_an_untrusted_peer_is_the_visitor_whatever_it_sends(
    peer: str | None, headers: dict[str, str]
) -> None:
    assert client_address(peer, headers, TrustedProxies()) == peer


def _same(found: str, value: str) -> bool:
    """Whether ``found`` is one of ``value``'s hops written another way (IPv4-mapped in either
    notation, ``::ffff:0:0`` or ``::ffff:0.0.0.0``; case; zeros left out)."""
    wanted = ipaddress.ip_address(found)
    for run in re.findall(r"[0-9A-Fa-f:.]+", value):
        for text in (run, run.rsplit(":", 1)[0]):  # with, then without, a port
            try:
                address = ipaddress.ip_address(text)
            except ValueError:
                continue
            mapped = getattr(address, "ipv4_mapped", None)
            if wanted in (address, mapped):
                return True
    return False
