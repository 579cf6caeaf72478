"""Sidebar tools around the conversation and the model: which earlier pictures travel with a
follow-up, "can this model see?", test connection / refresh the model list, and taking the chat
away (Markdown, JSON) and back (JSON import).

The work is done by Streamlit-free modules (``conversation.context_policy``,
``conversation.transfer``, ``providers.probe``); this module keeps their per-session results in
the session's state (``components.ui.session``) and places the widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import streamlit as st

from components.conversation.context_choice import DEFAULT_POLICY, POLICY_KINDS, ContextPolicy
from components.conversation.history import Conversation
from components.conversation.transfer import export_json, export_markdown, import_json
from components.costs import lines
from components.errors import ConfigError, KantuError
from components.hosting.gate import Route
from components.i18n import Lang, t
from components.observability.request_log import Feature
from components.providers.probe import ConnectionResult, ProbeResult, probe_vision, test_connection
from components.providers.settings import ClientSettings
from components.ui import chat_state, session
from components.ui import state_keys as keys
from components.ui.costs import current_price
from components.ui.markdown_view import literal, safe_label
from components.ui.sending import send
from components.ui.sidebar import (
    NumberField,
    SidebarChoice,
    model_id,
    number_field,
    remembered_choice,
)

MAX_IMPORT_BYTES = 64 * 1024 * 1024
Checked = TypeVar("Checked")


CONTEXT_TURNS_FIELD = NumberField(keys.CONTEXT_TURNS, "tools.last_turns", 1, 50, 1)


def context_policy() -> ContextPolicy:
    """Return this session's context policy (the default until the person picks another)."""
    kind = session.widget(keys.CONTEXT_POLICY, DEFAULT_POLICY.kind)
    turns = int(session.widget_value(keys.CONTEXT_TURNS))  # its default: keys.DEFAULTS
    return ContextPolicy(kind, max(1, turns))


def render_context_policy(lang: Lang) -> None:
    """The setting that decides which earlier pictures go with the next question."""
    if not session.has_widget(keys.CONTEXT_POLICY):
        session.set_widget(keys.CONTEXT_POLICY, DEFAULT_POLICY.kind)
    kinds = ("newest", "last_turns", "older_low", "all")
    assert set(kinds) == set(POLICY_KINDS)
    n = context_policy().n
    remembered_choice(  # its labels follow the language: one widget per language
        st.selectbox,
        keys.CONTEXT_POLICY,
        lang,
        label=t("context.policy.label", lang),
        options=kinds,
        index=kinds.index(session.widget(keys.CONTEXT_POLICY)),
        format_func=lambda kind: t(f"context.policy.{kind}", lang, n=n),
        help=t("context.policy.help", lang),
    )
    if session.widget(keys.CONTEXT_POLICY) == "last_turns":
        number_field(CONTEXT_TURNS_FIELD, lang)


def vision_checks() -> dict[str, ProbeResult]:
    """Return this session's "can this model see?" results, by ``preset/model``."""
    return chat_state.tools().vision_checks


def known_blind(choice: SidebarChoice) -> bool:
    """Return True if a check in this session found that the chosen model cannot see."""
    result = vision_checks().get(model_id(choice.preset.id, choice.model))
    return result is not None and result.error is None and not result.sees


def render_model_tools(choice: SidebarChoice) -> None:
    """ "Can this model see?", "Test connection" and "Refresh model list", with their results."""
    lang = choice.lang
    tools = chat_state.tools()
    if choice.preset.local or choice.config_error is not None:
        tools.check = None  # a click from before the switch is not run later unasked
        return
    name = model_id(choice.preset.id, choice.model)
    with st.container(horizontal=True, gap="small"):
        # Clicks kept in the session by their callbacks, not read from the buttons' values: a run
        # that a newer trigger stops before here would lose those (session.asked_action).
        st.button(
            t("probe.button", lang),
            icon="👁️",
            key="kantu_probe",
            type="tertiary",
            on_click=_ask_check,
            args=("probe",),
        )
        st.button(
            t("probe.test_connection", lang),
            icon="🔌",
            key="kantu_test",
            type="tertiary",
            on_click=_ask_check,
            args=("test",),
        )
    # The click is let go right before its request and the result kept right after it, within
    # the gate's call (no Streamlit call or session read in between): a run a newer trigger
    # stops before then asks on the next run; one stopped after finds the result kept (a paid
    # probe is not lost, nor asked twice).
    if tools.check == "probe":
        busy = t("probe.running", lang, model=literal(choice.model))

        def probe(route: Route) -> ProbeResult:
            tools.check = None
            result = _probe(route, lang)
            tools.vision_checks[name] = result
            return result

        if _checked_once(tools, choice, busy, "vision_check", probe) is None:
            tools.check = None  # refused before it went: said why
    if tools.check == "test":
        busy = t("tools.testing", lang)

        def test(route: Route) -> ConnectionResult:
            tools.check = None
            connection = _test_connection(route)
            tools.connection_result = (name, connection)
            return connection

        connection = _checked_once(tools, choice, busy, "test_connection", test)
        if connection is None:
            tools.check = None
        else:
            lists = tools.model_lists
            if (
                connection.ok
                and connection.models
                and lists.get(choice.preset.id) != list(connection.models)
            ):
                lists[choice.preset.id] = list(connection.models)
                st.rerun()  # the model select above is already drawn: offer them now
    result = tools.vision_checks.get(name)
    if result is not None:
        _show_probe(result, choice)
    stored = tools.connection_result
    if stored is not None and stored[0] == name:
        connection = stored[1]
        if connection.ok:
            st.caption(
                t(
                    "probe.connected",
                    lang,
                    count=connection.models_count,
                    seconds=f"{connection.seconds:.1f}",
                )
            )
        elif connection.error is not None:
            st.caption(
                safe_label("⚠️ " + t("probe.failed", lang, reason=connection.error.message(lang)))
            )


def _ask_check(check: str) -> None:
    chat_state.tools().check = check


# The probe's request, for the hosting limits: a small picture (gpt-4o-mini's low tile) + prompt.
PROBE_ESTIMATE = 3_000


def _checked(
    choice: SidebarChoice, busy: str, feature: Feature, start: Callable[[Route], Checked]
) -> Checked | None:
    """Send a sidebar check the one way (``sending.send``), saying ``busy`` meanwhile; return
    its result, or None after saying why it may not go."""
    try:
        with st.spinner(busy):
            return send(choice, start, feature=feature)
    except KantuError as err:
        st.caption(safe_label("⚠️ " + err.message(choice.lang)))
        return None


def _checked_once(
    tools: chat_state.ToolsState,
    choice: SidebarChoice,
    busy: str,
    feature: Feature,
    start: Callable[[Route], Checked],
) -> Checked | None:
    """``_checked``, and an error that is not Streamlit stopping the run (a stop is not an
    ``Exception``) lets the click go: shown once, not tried again on every later run."""
    try:
        return _checked(choice, busy, feature, start)
    except Exception:
        tools.check = None
        raise


def _client_settings(route: Route) -> ClientSettings:
    if not isinstance(route.settings, ClientSettings):  # the tools are not drawn for the reader
        raise ConfigError("ocr_unavailable")
    return route.settings


def _probe(route: Route, lang: Lang) -> ProbeResult:
    """Ask the vision check's one billed question, admitted (limits, a ledger row) first."""
    settings = _client_settings(route)
    ticket = route.admit(PROBE_ESTIMATE)
    result = probe_vision(settings, lang=lang)
    ticket.settle("ok" if result.error is None else "error", result.usage, error=result.error)
    return result


def _test_connection(route: Route) -> ConnectionResult:
    """List the provider's models (unbilled: no ledger row, a request log line)."""
    ticket = route.admit(None)
    result = test_connection(_client_settings(route))
    ticket.settle("ok" if result.ok else "error", None, error=result.error)
    return result


def listed_models(preset_id: str) -> list[str]:
    """Return the model ids the provider listed when the connection was tested (maybe none)."""
    return list(chat_state.tools().model_lists.get(preset_id, ()))


def _show_probe(result: ProbeResult, choice: SidebarChoice) -> None:
    lang = choice.lang
    if result.error is not None:
        st.caption(safe_label("⚠️ " + t("probe.failed", lang, reason=result.error.message(lang))))
        return
    tokens = f"{result.usage.prompt_tokens:,}" if result.usage is not None else "?"
    facts = {"model": result.model, "digits": result.digits, "seconds": f"{result.seconds:.1f}"}
    if result.sees:
        line = t("probe.sees", lang, tokens=tokens, **facts)
    else:
        answer = result.answer_text.strip().replace("\n", " ")[:80]
        line = t("probe.blind", lang, answer=answer, tokens=tokens, **facts)
    # what the check itself cost, at the price this visitor sees
    cost = lines.billed(result.usage, current_price(choice), lang)
    st.caption(safe_label(line + (f" · {cost}" if cost else "")))


def render_exports(conv: Conversation, lang: Lang) -> None:
    """Download the chat (Markdown .zip, JSON)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    if conv.entries:
        st.download_button(
            t("transfer.export_markdown", lang),
            data=lambda: export_markdown(conv, lang),
            file_name=f"kantu-{stamp}.zip",
            mime="application/zip",
            icon="📝",
            # No rerun on the click: the rerun re-registers this deferred file and drops the id
            # the click is asking for, and under load the request can arrive after that.
            on_click="ignore",
            key="kantu_export_md",
        )
        st.download_button(
            t("transfer.export_json", lang),
            data=lambda: export_json(conv),
            file_name=f"kantu-{stamp}.json",
            mime="application/json",
            icon="💾",
            on_click="ignore",
            key="kantu_export_json",
        )


def render_import(lang: Lang) -> None:
    """Import a JSON export (it lands as a new chat)."""
    st.file_uploader(
        t("transfer.import", lang),
        type=["json"],
        key=keys.import_key(chat_state.chat().import_round),
        on_change=take_import,
        args=(keys.import_key(chat_state.chat().import_round),),
    )


def render_import_outcome() -> None:
    """Say once how the last import went; placed outside the tools' expander, which the page's
    new content may close, so the person sees it either way."""
    state = chat_state.chat()
    outcome = state.import_outcome
    if outcome is not None:
        kind, text = outcome
        (st.success if kind == "ok" else st.error)(
            safe_label(text), icon="✅" if kind == "ok" else "⚠️"
        )
        state.import_outcome = None  # once shown (a run stopped before shows it on the next)


def take_unheard_import() -> None:
    """A file chosen whose callback a newer trigger stopped (Streamlit does not run it again):
    read here. The callback moves the field to a new key whatever the file held, so a file under
    the current key is one it never read. Call it before the chat is put in place."""
    take_import(keys.import_key(chat_state.chat().import_round))


def take_import(widget_key: str) -> None:
    """Read the file chosen in the import field (``widget_key``): the chat it holds is put in
    place on this run (``apply_import``); a refused file changes nothing but says why. With no
    file chosen, nothing."""
    upload = session.widget(widget_key)
    if upload is None:
        return
    lang: Lang = session.widget(keys.LANG, "zh")
    state = chat_state.chat()
    state.import_round += 1
    # Over the cap, one byte more than it is enough for import_json to refuse it by size.
    data = (
        upload.read(MAX_IMPORT_BYTES + 1) if upload.size > MAX_IMPORT_BYTES else upload.getvalue()
    )
    try:
        imported = import_json(data)
    except KantuError as err:
        state.import_outcome = ("error", err.message(lang))
        return
    state.imported = imported
    pictures = len(imported.images)
    state.import_outcome = (
        "ok",
        t("transfer.imported", lang, entries=len(imported.entries), pictures=pictures),
    )
