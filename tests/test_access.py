"""The access code and the sign-in allow-list: who may spend the operator's key."""

from __future__ import annotations

import inspect

from components.hosting import access
from components.hosting.access import (
    FREE_TRIES,
    MAX_WAIT_S,
    Backoff,
    Visitor,
    admin_allowed,
    code_matches,
    refusal,
    user_allowed,
)
from components.hosting.config import HostingConfig, hosting_config


def test_any_of_several_codes_opens_and_near_misses_do_not():
    codes = ("orange-42", "苹果-7")
    assert code_matches("orange-42", codes)
    assert code_matches("  苹果-7 ", codes)  # pasted with spaces around
    for wrong in ("orange-4", "orange-420", "ORANGE-42", "", " ", "苹果"):
        assert not code_matches(wrong, codes), wrong
    assert not code_matches("", ())


def test_codes_are_compared_in_constant_time_against_every_code(monkeypatch):
    calls: list[tuple[bytes, bytes]] = []
    real = access.hmac.compare_digest
    monkeypatch.setattr(
        access.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b)
    )
    assert code_matches("first", ("first", "second", "third"))
    assert len(calls) == 3  # no early exit once the first code matched
    assert "==" not in inspect.getsource(code_matches)


def test_wrong_tries_wait_longer_each_time():
    backoff = Backoff()
    waits = []
    now = 1000.0
    for _ in range(FREE_TRIES + 4):
        backoff = backoff.after_failure(now)
        waits.append(backoff.wait_left(now))
    assert waits[: FREE_TRIES - 1] == [0.0] * (FREE_TRIES - 1)
    assert waits[FREE_TRIES - 1 :] == [1.0, 2.0, 4.0, 8.0, 16.0]
    for _ in range(30):
        backoff = backoff.after_failure(now)
    assert backoff.wait_left(now) == MAX_WAIT_S
    assert backoff.wait_left(now + MAX_WAIT_S) == 0


def test_allow_list_takes_addresses_and_domains():
    allowed = ("boss@example.com", "@team.example.cn")
    assert user_allowed("Boss@Example.com", allowed)
    assert user_allowed("anyone@team.example.cn", allowed)
    assert not user_allowed("boss@example.com.evil.io", allowed)
    assert not user_allowed("x@sub.team.example.cn", allowed)
    assert not user_allowed(None, allowed)
    assert user_allowed("anyone@anywhere.org", ())  # no list: every signed-in person


def test_only_the_operators_key_needs_the_code():
    config = HostingConfig(access_codes=("c",))
    assert refusal(config, "operator", Visitor()) == "access_code_required"
    assert refusal(config, "operator", Visitor(unlocked=True)) is None
    assert refusal(config, "argument", Visitor()) is None  # the visitor's own key
    assert refusal(config, "none", Visitor()) is None  # the local reader: no key at all
    assert refusal(HostingConfig(), "operator", Visitor()) is None  # no code configured


def test_visitor_keys_can_be_turned_off():
    config = hosting_config({"KANTU_ALLOW_VISITOR_KEYS": False}, {})
    assert refusal(config, "argument", Visitor()) == "visitor_keys_off"
    env = hosting_config({}, {"KANTU_ALLOW_VISITOR_KEYS": "no"})
    assert not env.allow_visitor_keys
    assert hosting_config({}, {}).allow_visitor_keys


def test_sign_in_replaces_the_code_when_login_is_configured():
    config = hosting_config(
        {"KANTU_ACCESS_CODE": "c", "KANTU_ALLOWED_USERS": ["@example.com"]},
        {},
        login_configured=True,
    )
    assert refusal(config, "operator", Visitor(unlocked=True)) == "sign_in_required"
    assert refusal(config, "operator", Visitor(True, "a@example.com")) is None
    assert refusal(config, "operator", Visitor(True, "a@other.com")) == "user_not_allowed"


def test_codes_come_from_a_list_or_comma_separated_text_and_never_show_in_a_repr():
    assert hosting_config({"KANTU_ACCESS_CODE": ["a1", " b2 "]}, {}).access_codes == ("a1", "b2")
    config = hosting_config({}, {"KANTU_ACCESS_CODE": "sesame-1, sesame-2"})
    assert config.access_codes == ("sesame-1", "sesame-2")
    assert "sesame" not in repr(config)


def test_operator_page_opens_with_its_code_or_an_operator_sign_in():
    config = HostingConfig(admin_codes=("boss",), admin_users=("boss@example.com",))
    assert not admin_allowed(config, Visitor(), unlocked=False)
    assert admin_allowed(config, Visitor(), unlocked=True)
    assert admin_allowed(config, Visitor(True, "boss@example.com"), unlocked=False)
    assert not admin_allowed(config, Visitor(True, "intern@example.com"), unlocked=False)
    assert not admin_allowed(HostingConfig(), Visitor(True, "x@y.z"), unlocked=True)
