"""The page's layout under AppTest: one heading, clickable examples, the sidebar in the order a
person uses it, and a sidebar that tells the truth when the site's key is refused."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from components.devtools.upstream import FakeUpstream, bingcheng_error, sse
from components.i18n import t
from components.providers.presets import CUSTOM_PRESET_ID, DEFAULT_PRESET_ID
from components.ui import state_keys as keys
from components.ui.welcome import EXAMPLES, example_key
from tests.helpers import configured_app, no_exception, started_app

pytestmark = pytest.mark.usefixtures("isolated_secrets")


def _sidebar_labels(at: AppTest) -> list[str]:
    """Return the sidebar's widget labels and button texts, top to bottom."""
    labels: list[str] = []

    def visit(node) -> None:
        proto = getattr(node, "proto", None)
        label = getattr(proto, "label", "") if proto is not None else ""
        if label and getattr(node, "type", "") != "expandable":
            labels.append(label)
        elif getattr(node, "type", "") == "expandable":
            labels.append(proto.expandable.label)
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at.sidebar)
    return labels


def _sidebar_texts(at: AppTest) -> str:
    return "\n".join(
        str(e.value)
        for e in [*at.sidebar.caption, *at.sidebar.warning, *at.sidebar.info, *at.sidebar.error]
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_welcome_has_one_heading_and_example_buttons_fill_the_input(upstream: FakeUpstream, lang):
    at = configured_app(upstream, lang)  # a model that can see: the examples are for it
    no_exception(at)
    assert [h.value for h in at.title] == [t("layout.heading", lang)]
    # The old second heading (its key, welcome.title, is gone with it) stays gone.
    old_title = {"zh": "看图，问图。", "en": "Ask about any picture."}[lang]
    assert not at.subheader.values or old_title not in at.subheader.values
    for n, key in enumerate(EXAMPLES):
        assert at.button(key=example_key(n)).label == t(key, lang)
    at.button(key=example_key(3)).click().run()
    no_exception(at)
    assert at.chat_input[0].value == t(EXAMPLES[3], lang)


def test_chinese_examples_use_full_width_punctuation():
    zh = [t(key, "zh") for key in EXAMPLES]
    assert zh[0] == "这是什么图片？"
    assert not any(ch in text for text in zh for ch in "?!:;,")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sidebar_follows_the_order_of_use_with_new_chat_on_top(upstream: FakeUpstream, lang):
    upstream.default = sse(["好的"])
    at = configured_app(upstream, lang)
    no_exception(at)
    assert not [b for b in at.sidebar.button if b.key == keys.NEW_CHAT]  # nothing to start over
    at.chat_input[0].set_value("你好").run()
    no_exception(at)
    labels = _sidebar_labels(at)
    order = [
        t("sidebar.new_chat", lang),
        t("sidebar.provider", lang),
        t("sidebar.model", lang),
        t("sidebar.api_key", lang),
        t("sidebar.detail", lang),
        t("sidebar.advanced", lang),
    ]
    assert labels[0] == order[0], labels
    positions = [labels.index(label) for label in order]
    assert positions == sorted(positions), labels
    # The key's status sits right below the key field, before the detail control.
    status = t("sidebar.using_configured_key", lang)
    captions = [c.value for c in at.sidebar.caption]
    assert any(status in c for c in captions)
    at.button(key=keys.NEW_CHAT).click().run()
    no_exception(at)
    assert not [m for m in at.chat_message]


def test_base_url_field_is_shown_only_for_the_custom_provider():
    at = started_app("en")
    at.selectbox(key=keys.choice_key(keys.PROVIDER, "en")).select(DEFAULT_PRESET_ID).run()
    no_exception(at)
    assert keys.BASE_URL not in [w.key for w in at.sidebar.text_input]
    at.selectbox(key=keys.choice_key(keys.PROVIDER, "en")).select(CUSTOM_PRESET_ID).run()
    no_exception(at)
    field = at.text_input(key=keys.BASE_URL)
    assert field.label == t("sidebar.base_url", "en") and not field.disabled


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sidebar_says_the_site_key_was_refused_after_the_provider_refused_it(
    upstream: FakeUpstream, lang
):
    upstream.default = bingcheng_error(900)
    at = configured_app(upstream, lang)
    assert t("sidebar.using_configured_key", lang) in _sidebar_texts(at)  # until then unchanged
    at.chat_input[0].set_value("你好").run()
    no_exception(at)
    shown = _sidebar_texts(at)
    assert t("layout.operator_key_refused", lang) in shown
    assert t("sidebar.using_configured_key", lang) not in shown
    at.run()  # and on the next run too
    assert t("layout.operator_key_refused", lang) in _sidebar_texts(at)
    # A working answer afterwards: the site's key is in use again.
    upstream.default = sse(["好的"])
    at.button(key="retry_2").click().run()
    no_exception(at)
    assert t("sidebar.using_configured_key", lang) in _sidebar_texts(at)
