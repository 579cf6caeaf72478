"""The translation table: both languages everywhere, a message for every error kind."""

from __future__ import annotations

from components import errors
from components.i18n import LANGS, TEXTS, lang_from_locale, t


def test_every_text_has_chinese_and_english():
    missing = [key for key, entry in TEXTS.items() if any(not entry.get(lang) for lang in LANGS)]
    assert missing == []


def _provider_error_kinds() -> set[str]:
    found, todo = set(), [errors.ProviderError]
    while todo:
        cls = todo.pop()
        found.add(cls.kind)
        todo.extend(cls.__subclasses__())
    return found


def test_every_error_kind_has_a_message_in_both_languages():
    kinds = _provider_error_kinds()
    assert {"auth", "protocol", "oversized"} <= kinds
    for kind in [*sorted(kinds), "unknown"]:
        zh, en = t(f"error.{kind}", "zh"), t(f"error.{kind}", "en")
        assert zh != f"error.{kind}" and en != f"error.{kind}"
        assert zh != en


def test_missing_placeholder_is_left_visible_not_raised():
    assert "{model}" in t("error.model_not_found", "en")
    assert "gpt-x" in t("error.model_not_found", "en", model="gpt-x")


def test_browser_locale_picks_language():
    assert lang_from_locale("zh-CN") == "zh"
    assert lang_from_locale("zh-TW") == "zh"
    assert lang_from_locale("en-US") == "en"
    assert lang_from_locale("de-DE") == "en"


def test_error_messages_never_carry_a_key():
    err = errors.AuthError("Incorrect API key provided: sk-abcdefghijklmnopqrstuvwx")
    assert "sk-abc" not in err.detail and "sk-abc" not in str(err) and "sk-abc" not in repr(err)
