"""The sidebar's sections drawn only while open (components/ui/lazy_section.py): what is set in one
still applies, and stays, while it is closed; a closed one draws nothing."""

from __future__ import annotations

from components.devtools.upstream import sse
from components.i18n import t
from components.ui import state_keys as keys
from tests.helpers import advanced_field, configured_app, jpeg_bytes, no_exception, open_section


def _close(at, key: str):
    at.session_state[key] = False
    return at.run()


def test_advanced_settings_apply_and_stay_while_their_section_is_closed(upstream):
    upstream.enqueue(sse(["好的。"]))
    at = configured_app(upstream, "zh")
    advanced_field(at, "number_input", keys.MAX_TOKENS, "zh").set_value(2048).run()
    at.slider(key=keys.choice_key(keys.TEMPERATURE, "zh")).set_value(0.2).run()
    at.text_area(key=keys.choice_key(keys.SYSTEM_PROMPT, "zh")).set_value("QzSystemQ").run()
    _close(at, keys.ADVANCED_OPEN)
    assert not at.sidebar.number_input and not at.sidebar.text_area  # nothing drawn while closed

    at.chat_input[0].set_value("还在吗？").run()
    no_exception(at)
    sent = upstream.wait_for_requests(1)[0].json
    assert (sent["max_tokens"], sent["temperature"]) == (2048, 0.2)
    assert sent["messages"][0] == {"role": "system", "content": "QzSystemQ"}

    # another language draws other widgets: they start from the values kept
    at.session_state[keys.LANG] = "en"
    at.run()
    assert advanced_field(at, "number_input", keys.MAX_TOKENS, "en").value == 2048
    assert at.text_area(key=keys.choice_key(keys.SYSTEM_PROMPT, "en")).value == "QzSystemQ"


def test_the_context_turns_stay_while_the_tools_are_closed(upstream):
    at = open_section(configured_app(upstream, "en"), keys.TOOLS_OPEN)
    policy = at.sidebar.selectbox(key=keys.choice_key(keys.CONTEXT_POLICY, "en"))
    policy.select("last_turns").run()
    at.sidebar.number_input(key=keys.choice_key(keys.CONTEXT_TURNS, "en")).set_value(4).run()
    _close(at, keys.TOOLS_OPEN)
    at = open_section(at, keys.TOOLS_OPEN)
    assert at.sidebar.number_input(key=keys.choice_key(keys.CONTEXT_TURNS, "en")).value == 4


def test_closed_sections_draw_none_of_their_fields_and_the_defaults_apply(upstream):
    upstream.enqueue(sse(["A photo."]))
    at = configured_app(upstream, "en")
    labels = [e.label for e in at.sidebar.expander]
    for title in ("costs.title", "tools.title", "sidebar.advanced"):
        assert t(title, "en") in labels
    assert not at.sidebar.number_input and not at.sidebar.slider and not at.sidebar.text_area
    at.chat_input[0].upload("a.jpg", jpeg_bytes(), "image/jpeg").set_value("What is it?").run()
    no_exception(at)
    sent = upstream.wait_for_requests(1)[0].json
    assert (sent["max_tokens"], sent["temperature"]) == (
        keys.DEFAULTS[keys.MAX_TOKENS],
        keys.DEFAULTS[keys.TEMPERATURE],
    )
