"""Hosted Kantu is no probe of its own network: a custom base URL reaches only public addresses,
checked at configuration, after DNS and on the connected socket; redirects are never followed.

Everything runs on loopback: the refused destinations are real FakeUpstreams on 127.0.0.1.
"""

from __future__ import annotations

import socket

import pytest
import requests

from components.devtools.upstream import FakeUpstream, raw, sse
from components.errors import BlockedAddressError, ConfigError, RedirectError
from components.i18n import t
from components.providers import address_guard
from components.providers.address_guard import (
    check_peer,
    is_public_address,
    mount_guard,
)
from components.providers.client import ChatClient
from components.providers.presets import get_preset
from components.providers.settings import ClientSettings, resolve_settings
from components.turns import ChatTurn

OP_KEY = "sk-operator-0123456789abcdef"
HOSTED = {"KANTU_API_KEY": OP_KEY, "KANTU_BASE_URL": "https://yewu.bcwhkj.cn/v1"}


def ask(settings: ClientSettings) -> str:
    with ChatClient(settings) as client:
        return "".join(client.stream_chat([ChatTurn("user", "hi")]))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # CGNAT
        "0.0.0.0",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "198.18.0.1",
        "192.0.2.1",
        "::1",
        "::",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2001:db8::1",
        "not an address",
        "",
    ],
)
def test_internal_addresses_are_not_public(address):
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::1"]
)
def test_public_addresses_are_public(address):
    assert is_public_address(address)


# --- at configuration ---------------------------------------------------------------------


def test_hosted_refuses_a_loopback_custom_url_before_sending(upstream):
    for url in (upstream.base_url, f"http://localhost:{upstream.port}/v1"):
        with pytest.raises(ConfigError) as info:
            resolve_settings(base_url=url, environ=HOSTED)
        assert info.value.reason == "private_address"
        for lang in ("zh", "en"):
            message = info.value.message(lang)
            assert "KANTU_HOSTED" in message and message != t("config.private_address", lang)
    assert upstream.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:169.254.169.254]/latest",
        "http://[::1]:8080/v1",
        "http://10.1.2.3/v1",
        "http://100.64.0.1/v1",
        "http://0.0.0.0:8080/v1",
        "http://api.localhost/v1",
    ],
)
def test_hosted_refuses_internal_literals_and_localhost_names(url):
    with pytest.raises(ConfigError) as info:
        resolve_settings(base_url=url, environ=HOSTED)
    assert info.value.reason == "private_address"


def test_not_hosted_reaches_a_loopback_custom_url(upstream):
    for environ in ({**HOSTED, "KANTU_HOSTED": "false"}, {}):  # explicit, or no operator key
        settings = resolve_settings(base_url=upstream.base_url, environ=environ)
        assert not settings.public_only
        assert ask(settings) == "你好"
    assert len(upstream.requests) == 2


def test_explicit_hosted_wins_without_an_operator_key(upstream):
    with pytest.raises(ConfigError):
        resolve_settings(base_url=upstream.base_url, environ={"KANTU_HOSTED": "yes"})


def test_hosted_trusts_the_operators_own_url_but_not_the_local_ollama_preset(upstream):
    env = {"KANTU_API_KEY": OP_KEY, "KANTU_BASE_URL": upstream.base_url}
    home = resolve_settings(environ=env)
    assert home.hosted and not home.public_only
    assert ask(home) == "你好"
    assert upstream.requests[0].headers["Authorization"] == f"Bearer {OP_KEY}"
    # On a hosted site the Ollama preset's localhost would be the server's own loopback.
    with pytest.raises(ConfigError) as refused:
        resolve_settings(preset_id="ollama", environ=env)
    assert refused.value.reason == "private_address"
    openai = resolve_settings(preset_id="openai", environ=env)
    assert openai.public_only and str(openai.base_url) == get_preset("openai").base_url
    local = resolve_settings(preset_id="ollama", environ={**env, "KANTU_HOSTED": "false"})
    assert not local.public_only and str(local.base_url) == get_preset("ollama").base_url


# --- after DNS, and on the connected socket -----------------------------------------------


def _public_only(url: str) -> ClientSettings:
    """Settings as resolve_settings makes them for a hosted custom URL, skipping its literal check
    so that the connection's own checks are what is tested."""
    return ClientSettings(
        base_url=url,
        api_key="",
        model="m",
        preset=get_preset("custom"),
        key_source="none",
        max_retries=0,
        hosted=True,
        public_only=True,
    )


def test_a_name_resolving_to_loopback_is_refused_after_dns(upstream):
    with pytest.raises(BlockedAddressError) as info:
        ask(_public_only(f"http://localhost:{upstream.port}/v1"))
    assert info.value.facts["host"] == "localhost"
    assert "localhost" in info.value.message("en") and "localhost" in info.value.message("zh")
    assert upstream.requests == []


def test_the_machines_own_name_is_refused_through_resolve_settings(upstream):
    name = socket.gethostname().lower()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, upstream.port)}
    except OSError:
        pytest.skip(f"{name} does not resolve here")
    if any(is_public_address(a) for a in addresses) or name.endswith("localhost"):
        pytest.skip(f"{name} is public or a localhost name here")
    settings = resolve_settings(base_url=f"http://{name}:{upstream.port}/v1", environ=HOSTED)
    assert settings.public_only  # a name: nothing to refuse before DNS
    with pytest.raises(BlockedAddressError):
        ask(settings)
    assert upstream.requests == []


def test_dns_rebinding_is_caught_on_the_real_peer(upstream, monkeypatch):
    # the lookup said "public"; the connection then reached loopback anyway
    monkeypatch.setattr(address_guard, "check_resolved", lambda host, port: None)
    with pytest.raises(BlockedAddressError):
        ask(_public_only(f"http://localhost:{upstream.port}/v1"))
    assert upstream.requests == []


def test_check_peer_closes_a_socket_connected_to_loopback(upstream):
    sock = socket.create_connection(("127.0.0.1", upstream.port))
    with pytest.raises(BlockedAddressError):
        check_peer(sock, "rebound.example")
    assert sock.fileno() == -1  # closed: nothing can be sent on it


# --- redirects ----------------------------------------------------------------------------


def test_a_redirect_is_not_followed_and_names_where_it_pointed(upstream):
    with FakeUpstream() as elsewhere:
        target = f"http://127.0.0.2:{elsewhere.port}/v1/chat/completions"
        upstream.enqueue(raw(307, {"Location": target}, b""))
        env = {"KANTU_API_KEY": OP_KEY, "KANTU_BASE_URL": upstream.base_url}
        with pytest.raises(RedirectError) as info:
            ask(resolve_settings(environ=env))
        assert info.value.facts["location_host"] == "127.0.0.2"
        assert "127.0.0.2" in info.value.message("en") and "127.0.0.2" in info.value.message("zh")
        assert elsewhere.requests == [] and len(upstream.requests) == 1


@pytest.mark.parametrize("status", [301, 302, 303, 308])
def test_no_redirect_is_followed_even_to_the_same_server(upstream, status):
    upstream.enqueue(raw(status, {"Location": "/v1/other"}, b""))
    upstream.default = sse(["should not be asked"])
    settings = resolve_settings(base_url=upstream.base_url, environ={})
    with pytest.raises(RedirectError) as info:
        ask(settings)
    assert info.value.status == status and info.value.facts["location_host"] == "127.0.0.1"
    assert len(upstream.requests) == 1


def test_mount_guard_makes_any_session_refuse_redirects(upstream):
    upstream.enqueue(raw(302, {"Location": "http://169.254.169.254/latest"}, b""))
    with requests.Session() as session:
        mount_guard(session, public_only=False)
        with pytest.raises(RedirectError) as info:
            session.get(upstream.base_url + "/models", timeout=5)
    assert info.value.facts["location_host"] == "169.254.169.254"
