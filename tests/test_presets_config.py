"""Presets are data; settings resolve explicit → operator → preset; the operator's key stays home."""

from __future__ import annotations

import re

import pytest

from components.devtools.upstream import FakeUpstream
from components.errors import ConfigError
from components.providers.base_url import parse_base_url
from components.providers.client import ChatClient
from components.providers.presets import (
    DEFAULT_PRESET_ID,
    MB,
    PRESETS,
    get_preset,
    preset_for_base_url,
)
from components.providers.settings import OperatorConfig, operator_config, resolve_settings
from components.turns import ChatTurn

OP_KEY = "sk-operator-0123456789abcdef"
VISITOR_KEY = "sk-visitor-0123456789abcdef"
BINGCHENG = "https://yewu.bcwhkj.cn/v1"

# --- presets ------------------------------------------------------------------------------


def test_every_provider_is_in_the_table_and_dated():
    assert set(PRESETS) == {
        "bingcheng",
        "openai",
        "openrouter",
        "dashscope",
        "siliconflow",
        "zhipu",
        "ollama",
        "local_ocr",
        "custom",
    }
    assert DEFAULT_PRESET_ID == "bingcheng"
    for preset in PRESETS.values():
        assert re.fullmatch(r"20\d\d-\d\d", preset.checked), preset.id
        assert preset.name_zh and preset.name_en and preset.key_help_zh and preset.key_help_en
        assert preset.max_image_bytes <= preset.max_request_image_bytes
        assert preset.default_model
        if preset.id != "custom":
            assert preset.default_model in preset.vision_models
        if preset.id != "custom" and not preset.local:
            assert str(parse_base_url(preset.base_url)) == preset.base_url
        assert preset.local == (preset.base_url == "" and preset.id != "custom")


@pytest.mark.parametrize(
    ("preset_id", "base_url", "model"),
    [
        ("bingcheng", BINGCHENG, "gpt-4o-mini"),
        ("openai", "https://api.openai.com/v1", "gpt-4o-mini"),
        ("openrouter", "https://openrouter.ai/api/v1", None),
        ("dashscope", "https://dashscope.aliyuncs.com/compatible-mode/v1", "qwen-vl-max"),
        ("siliconflow", "https://api.siliconflow.cn/v1", "Qwen/Qwen2.5-VL-72B-Instruct"),
        ("zhipu", "https://open.bigmodel.cn/api/paas/v4", "glm-4v-flash"),
        ("ollama", "http://localhost:11434/v1", None),
        ("custom", "", None),
    ],
)
def test_preset_addresses_and_models(preset_id, base_url, model):
    preset = get_preset(preset_id)
    assert preset.base_url == base_url
    if model:
        assert model in preset.vision_models or preset.default_model == model


def test_openai_limits_and_capabilities():
    openai = get_preset("openai")
    assert openai.max_image_bytes == 20 * MB and openai.max_request_image_bytes == 50 * MB
    assert openai.accepts_detail and openai.accepts_stream_options
    assert not get_preset("ollama").needs_key
    assert {"gpt-4o-mini", "gpt-4.1-mini", "gpt-4o"} <= set(openai.vision_models)
    assert {"qwen-vl-max", "qwen-vl-plus"} <= set(get_preset("dashscope").vision_models)
    assert {"glm-4v-flash", "glm-4v-plus"} <= set(get_preset("zhipu").vision_models)
    assert {"llava", "qwen2.5vl"} <= set(get_preset("ollama").vision_models)


def test_bingcheng_key_help_gives_both_routes_of_the_spec():
    preset = get_preset("bingcheng")
    for piece in ("公众号《冰橙云》", "冰橙AI助手", "右上角", "API密钥", "token"):
        assert piece in preset.key_help_zh
    for piece in ("https://yewu.bcwhkj.cn", "个人", "Token令牌"):
        assert piece in preset.key_help_zh
    for piece in ("WeChat", "冰橙云", "top right", "https://yewu.bcwhkj.cn", "Personal", "Token"):
        assert piece in preset.key_help_en
    assert preset.key_url == "https://yewu.bcwhkj.cn"


def test_preset_for_base_url_ignores_trailing_slash_and_case():
    assert preset_for_base_url("https://API.openai.com/v1/").id == "openai"
    assert preset_for_base_url("https://api.openai.com:443/v1").id == "openai"
    assert preset_for_base_url("https://relay.example.com/v1").id == "custom"
    assert preset_for_base_url("not a url").id == "custom"


def test_unknown_preset_id_is_a_key_error():
    with pytest.raises(KeyError):
        get_preset("nope")


# --- operator configuration ---------------------------------------------------------------


def test_operator_config_reads_secrets_before_environ():
    cfg = operator_config(
        {"KANTU_API_KEY": "sk-from-secrets-123456", "KANTU_MODEL": "gpt-4o"},
        {"KANTU_API_KEY": "sk-from-env-123456", "KANTU_BASE_URL": "https://relay.example/v1"},
    )
    assert cfg.api_key == "sk-from-secrets-123456"
    assert cfg.base_url == "https://relay.example/v1" and cfg.model == "gpt-4o"


def test_operator_key_alone_goes_to_the_default_preset():
    cfg = operator_config(None, {"KANTU_API_KEY": OP_KEY})
    assert cfg.base_url == BINGCHENG


def test_openai_variables_are_the_fallback_and_keep_to_openai():
    cfg = operator_config(None, {"OPENAI_API_KEY": OP_KEY})
    assert cfg.api_key == OP_KEY and cfg.base_url == "https://api.openai.com/v1"
    cfg = operator_config({}, {"OPENAI_API_KEY": OP_KEY, "OPENAI_BASE_URL": "http://x.test/v1"})
    assert cfg.base_url == "http://x.test/v1"
    # a KANTU key never travels to an OPENAI_BASE_URL, nor silently to the default preset's
    cfg = operator_config(None, {"KANTU_API_KEY": OP_KEY, "OPENAI_BASE_URL": "http://x.test/v1"})
    assert cfg.api_key == "" and cfg.unpaired is not None


# --- a key goes only to the URL it was configured beside (issue 19 item 10) ---------------

KANTU_KEY_OPENAI_URL = {"KANTU_API_KEY": OP_KEY, "OPENAI_BASE_URL": "https://api.openai.com/v1"}


@pytest.mark.parametrize("preset_id", [p.id for p in PRESETS.values() if p.base_url])
def test_kantu_key_beside_only_an_openai_url_goes_to_no_server(preset_id):
    settings = resolve_settings(preset_id=preset_id, environ=KANTU_KEY_OPENAI_URL, hosted=False)
    assert settings.api_key == "" and settings.key_source == "none"


def test_kantu_key_beside_only_an_openai_url_is_the_default_request_too():
    settings = resolve_settings(environ=KANTU_KEY_OPENAI_URL)
    assert str(settings.base_url) == "https://api.openai.com/v1" and settings.api_key == ""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_unsent_key_is_explained_naming_the_variables_and_the_fix(lang):
    missing = resolve_settings(preset_id="bingcheng", environ=KANTU_KEY_OPENAI_URL)
    error = missing.missing_key_error(lang)
    assert error is not None and error.reason == "operator_key_unpaired"
    text = error.message(lang)
    for name in ("KANTU_API_KEY", "KANTU_BASE_URL", "OPENAI_BASE_URL"):
        assert name in text
    assert OP_KEY not in text and OP_KEY not in error.detail


def test_openai_key_beside_only_a_kantu_url_goes_to_no_server_and_is_named():
    env = {"OPENAI_API_KEY": OP_KEY, "KANTU_BASE_URL": "https://relay.example/v1"}
    settings = resolve_settings(environ=env)
    assert str(settings.base_url) == "https://relay.example/v1" and settings.api_key == ""
    assert settings.unpaired is not None
    assert "OPENAI_BASE_URL" in settings.unpaired.error().message("en")


def test_key_beside_its_own_url_is_used_whatever_the_other_family_sets():
    env = {**KANTU_KEY_OPENAI_URL, "KANTU_BASE_URL": "https://relay.example/v1"}
    settings = resolve_settings(environ=env)
    assert (settings.api_key, str(settings.base_url)) == (OP_KEY, "https://relay.example/v1")
    assert settings.unpaired is None
    env = {"OPENAI_API_KEY": OP_KEY, "OPENAI_BASE_URL": "https://relay.example/v1"}
    assert resolve_settings(environ=env).api_key == OP_KEY


def test_an_unsent_operator_key_keeps_the_site_hosted():
    assert operator_config(None, KANTU_KEY_OPENAI_URL).hosted


def test_kantu_key_beside_an_openai_url_reaches_neither_server():
    with FakeUpstream() as default, FakeUpstream() as openai_like:
        env = {
            "KANTU_API_KEY": OP_KEY,
            "OPENAI_BASE_URL": openai_like.base_url,
            "KANTU_HOSTED": "0",
        }
        for settings in (
            resolve_settings(environ=env),
            resolve_settings(base_url=default.base_url, environ=env),
        ):
            assert settings.base_url.host == "127.0.0.1"  # loopback only, whatever the outcome
            list(ChatClient(settings).stream_chat([ChatTurn("user", "hi")]))
        for server in (default, openai_like):
            assert "Authorization" not in server.requests[0].headers
            assert OP_KEY.encode() not in server.requests[0].body


def test_secrets_that_raise_are_treated_as_absent():
    class NoSecretsFile(dict):
        def get(self, key, default=None):
            raise FileNotFoundError("no secrets.toml")

    assert operator_config(NoSecretsFile(), {"KANTU_API_KEY": OP_KEY}).api_key == OP_KEY


def test_keys_are_not_in_reprs():
    cfg = OperatorConfig(BINGCHENG, OP_KEY, None)
    settings = resolve_settings(environ={"KANTU_API_KEY": OP_KEY})
    for text in (repr(cfg), str(cfg), repr(settings), str(settings)):
        assert OP_KEY not in text


# --- resolution order ---------------------------------------------------------------------


def test_explicit_arguments_beat_operator_and_preset():
    env = {"KANTU_API_KEY": OP_KEY, "KANTU_MODEL": "gpt-4o"}
    s = resolve_settings(base_url=BINGCHENG, api_key=VISITOR_KEY, model="gpt-4.1-mini", environ=env)
    assert (s.api_key, s.key_source, s.model) == (VISITOR_KEY, "argument", "gpt-4.1-mini")


def test_operator_config_beats_preset_defaults():
    env = {"KANTU_API_KEY": OP_KEY, "KANTU_BASE_URL": "https://relay.example/v1/"}
    s = resolve_settings(environ={**env, "KANTU_MODEL": "gpt-4o"})
    assert str(s.base_url) == "https://relay.example/v1" and s.model == "gpt-4o"
    assert (s.api_key, s.key_source, s.key_withheld) == (OP_KEY, "operator", False)


def test_preset_defaults_when_nothing_is_configured():
    s = resolve_settings(environ={})
    assert (str(s.base_url), s.model, s.preset.id) == (BINGCHENG, "gpt-4o-mini", "bingcheng")
    assert (s.api_key, s.key_source, s.key_withheld) == ("", "none", False)


def test_picking_the_operators_preset_keeps_the_operator_key():
    s = resolve_settings(preset_id="bingcheng", environ={"KANTU_API_KEY": OP_KEY})
    assert s.api_key == OP_KEY and s.key_source == "operator"


@pytest.mark.parametrize(
    "same",
    [
        "https://yewu.bcwhkj.cn/v1/",
        "https://YEWU.bcwhkj.cn/v1",
        "https://yewu.bcwhkj.cn:443/v1",
        "HTTPS://yewu.bcwhkj.cn/v1",
    ],
)
def test_operator_url_written_differently_is_still_the_operators(same):
    s = resolve_settings(base_url=same, environ={"KANTU_API_KEY": OP_KEY})
    assert s.api_key == OP_KEY and not s.key_withheld


@pytest.mark.parametrize(
    "other",
    [
        "https://evil.example/v1",
        "http://yewu.bcwhkj.cn/v1",  # another scheme
        "https://yewu.bcwhkj.cn:8443/v1",  # another port
        "https://yewu.bcwhkj.cn/v2",  # another path
        "https://yewu.bcwhkj.cn.evil.example/v1",
        "https://yewu.bcwhkj.cn//v1",  # another path, to the server
        "https://yewu.bcwhkj.cn/v1/chat",
    ],
)
def test_operator_key_is_withheld_from_any_other_base_url(other):
    s = resolve_settings(base_url=other, environ={"KANTU_API_KEY": OP_KEY})
    assert s.api_key == "" and s.key_withheld and s.key_source == "none"


def test_picking_another_preset_withholds_the_operator_key():
    s = resolve_settings(preset_id="openai", environ={"KANTU_API_KEY": OP_KEY})
    assert str(s.base_url) == "https://api.openai.com/v1"
    assert s.api_key == "" and s.key_withheld


def test_operator_model_is_not_carried_to_another_provider():
    env = {"KANTU_API_KEY": OP_KEY, "KANTU_MODEL": "gpt-4o"}
    assert resolve_settings(preset_id="zhipu", environ=env).model == "glm-4v-flash"


def test_visitor_key_is_used_on_a_changed_base_url():
    s = resolve_settings(
        base_url="https://openrouter.ai/api/v1",
        api_key=VISITOR_KEY,
        environ={"KANTU_API_KEY": OP_KEY},
    )
    assert s.api_key == VISITOR_KEY and not s.key_withheld and s.preset.id == "openrouter"


@pytest.mark.parametrize("bad", ["ftp://yewu.bcwhkj.cn/v1", "yewu.bcwhkj.cn/v1", "http:/x"])
def test_non_http_base_url_is_a_config_error(bad):
    with pytest.raises(ConfigError) as info:
        resolve_settings(base_url=bad, environ={})
    assert info.value.reason == "bad_base_url"


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("http://", "base_url_host"),
        ("https://yewu.bcwhkj.cn@evil.example/v1", "base_url_userinfo"),
        ("https://evil.example\\@yewu.bcwhkj.cn/v1", "base_url_characters"),
        ("https://yewu.bcwhkj.cn/v1?x=1", "base_url_query"),
    ],
)
def test_base_url_no_honest_server_has_is_refused_even_with_the_operators_host(bad, reason):
    with pytest.raises(ConfigError) as info:
        resolve_settings(base_url=bad, environ={"KANTU_API_KEY": OP_KEY})
    assert info.value.reason == reason
    assert OP_KEY not in str(info.value) and OP_KEY not in info.value.message("en")


def test_operator_key_never_sent_to_changed_base_url():
    with FakeUpstream() as operator, FakeUpstream() as elsewhere:
        # not hosted: both servers are on loopback, which hosted mode refuses for custom URLs
        env = {"KANTU_API_KEY": OP_KEY, "KANTU_BASE_URL": operator.base_url, "KANTU_HOSTED": "0"}
        home = resolve_settings(environ=env)
        list(ChatClient(home).stream_chat([ChatTurn("user", "hi")]))
        changed = resolve_settings(base_url=elsewhere.base_url, environ=env)
        list(ChatClient(changed).stream_chat([ChatTurn("user", "hi")]))
        assert operator.requests[0].headers["Authorization"] == f"Bearer {OP_KEY}"
        assert "Authorization" not in elsewhere.requests[0].headers
        assert OP_KEY.encode() not in elsewhere.requests[0].body


# --- KANTU_HOSTED -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "hosted"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("yes", True),
        ("on", True),
        (True, True),  # a TOML boolean in secrets
        ("false", False),
        ("False", False),
        ("0", False),
        ("no", False),
        ("off", False),
        (False, False),
    ],
)
def test_explicit_kantu_hosted_always_wins(value, hosted):
    with_key = operator_config({"KANTU_HOSTED": value}, {"KANTU_API_KEY": OP_KEY})
    without_key = operator_config(None, {"KANTU_HOSTED": str(value)})
    assert with_key.hosted is hosted and without_key.hosted is hosted


def test_hosted_by_default_exactly_when_an_operator_key_is_configured():
    assert operator_config(None, {"KANTU_API_KEY": OP_KEY}).hosted
    assert operator_config(None, {"OPENAI_API_KEY": OP_KEY}).hosted
    assert not operator_config(None, {}).hosted
    assert not operator_config(None, {"KANTU_BASE_URL": "http://localhost:11434/v1"}).hosted


def test_unreadable_kantu_hosted_fails_closed_and_says_so(caplog):
    assert operator_config(None, {"KANTU_HOSTED": "maybe"}).hosted
    assert "KANTU_HOSTED" in caplog.text and "maybe" in caplog.text


def test_resolve_settings_argument_overrides_kantu_hosted():
    env = {"KANTU_API_KEY": OP_KEY}
    local = resolve_settings(base_url="http://127.0.0.1:8080/v1", environ=env, hosted=False)
    assert not local.public_only and not local.hosted
    with pytest.raises(ConfigError):
        resolve_settings(base_url="http://127.0.0.1:8080/v1", environ={}, hosted=True)


# --- keys that cannot go in a header ------------------------------------------------------

BAD_KEYS = [
    "ｓｋ－abc123456",  # full-width
    "sk-abc\n123456",
    "sk-abc\r\nX-Evil: 1",
    "sk-abc 123456",
    "sk-abc\t123456",
    "sk-abc\x00123456",
    "sk-abc\u200b123456",
    "sk-abcé123456",
]


def _assert_not_echoed(err: ConfigError, key: str) -> None:
    core = key.strip()[3:9]  # a piece of the key as typed
    for text in (str(err), repr(err), err.detail, err.message("zh"), err.message("en")):
        assert key not in text and core not in text


@pytest.mark.parametrize("key", BAD_KEYS)
def test_typed_key_that_cannot_be_sent_is_refused_without_echoing_it(key):
    with pytest.raises(ConfigError) as info:
        resolve_settings(api_key=key, environ={})
    assert info.value.reason == "bad_key"
    _assert_not_echoed(info.value, key)


@pytest.mark.parametrize("key", BAD_KEYS)
@pytest.mark.parametrize("where", ["environ", "secrets"])
def test_operator_key_that_cannot_be_sent_is_refused_naming_its_variable(key, where):
    config = {"KANTU_API_KEY": key}
    secrets, environ = (config, {}) if where == "secrets" else (None, config)
    with pytest.raises(ConfigError) as info:
        resolve_settings(secrets=secrets, environ=environ)
    assert info.value.reason == "bad_operator_key"
    assert "KANTU_API_KEY" in info.value.message("en") and "KANTU_API_KEY" in info.value.message(
        "zh"
    )
    _assert_not_echoed(info.value, key)


def test_a_bad_operator_key_does_not_stop_a_visitor_elsewhere():
    s = resolve_settings(
        preset_id="openai", api_key=VISITOR_KEY, environ={"OPENAI_API_KEY": "sk-bad key"}
    )
    assert s.api_key == VISITOR_KEY


def test_keys_of_any_visible_ascii_are_accepted():
    key = "sk-proj-AZaz09_-.~+/=:!"
    assert resolve_settings(api_key=f"  {key}\n", environ={}).api_key == key


# --- one owner of "is a key needed?" ------------------------------------------------------


def test_missing_key_error_is_none_when_a_key_is_there_or_none_is_needed():
    assert resolve_settings(environ={"KANTU_API_KEY": OP_KEY}).missing_key_error() is None
    assert resolve_settings(api_key=VISITOR_KEY, environ={}).missing_key_error() is None
    assert resolve_settings(preset_id="ollama", environ={}).missing_key_error() is None
    custom = resolve_settings(base_url="https://relay.example/v1", environ={})
    assert custom.missing_key_error() is None  # a self-hosted server may take none


def test_missing_key_error_names_the_provider_in_the_language():
    settings = resolve_settings(preset_id="zhipu", environ={})
    err = settings.missing_key_error("zh")
    assert err is not None and err.reason == "no_key"
    assert get_preset("zhipu").name_zh in err.message("zh")
    assert get_preset("zhipu").name_en in settings.missing_key_error("en").message("en")


def test_missing_key_error_says_the_operator_key_was_withheld():
    env = {"KANTU_API_KEY": OP_KEY}
    for kwargs in ({"preset_id": "openai"}, {"base_url": "https://openrouter.ai/api/v1"}):
        err = resolve_settings(environ=env, **kwargs).missing_key_error()
        assert err is not None and err.reason == "operator_key_withheld"


def test_a_withheld_key_does_not_block_a_server_that_needs_none():
    env = {"KANTU_API_KEY": OP_KEY, "KANTU_HOSTED": "false"}
    for kwargs in ({"preset_id": "ollama"}, {"base_url": "http://127.0.0.1:8080/v1"}):
        settings = resolve_settings(environ=env, **kwargs)
        assert settings.key_withheld and settings.missing_key_error() is None


def test_custom_url_of_a_known_provider_needs_that_providers_key():
    s = resolve_settings(base_url="https://api.openai.com/v1/", environ={})
    assert s.preset.id == "openai" and s.missing_key_error().reason == "no_key"
