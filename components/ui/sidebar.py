"""The shared sidebar: language, provider, model, key, base URL, detail and answer options."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import streamlit as st

from components.catalogue.lookup import sees_pictures
from components.conversation.clients import AnySettings, resolve_any
from components.errors import ConfigError
from components.i18n import LANGS, Lang, t
from components.images.prepared import DETAILS, Detail
from components.images.slice_limits import DEFAULT_MAX_SLICES, MAX_SLICES_LIMIT
from components.images.uploads import Preparation
from components.ocr.engine import reader_status
from components.ocr.local_client import LocalSettings
from components.providers.client import ChatOptions
from components.providers.presets import (
    CUSTOM_PRESET_ID,
    DEFAULT_PRESET_ID,
    LOCAL_PRESET_ID,
    PRESETS,
    ProviderPreset,
    preset_for_base_url,
)
from components.providers.settings import operator_config
from components.ui import chat_state, session
from components.ui import state_keys as keys
from components.ui.key_sources import operator_key_refused
from components.ui.language import current_lang
from components.ui.lazy_section import open_section
from components.ui.markdown_view import safe_label
from components.ui.operator_settings import secrets_mapping
from components.ui.reader_quota import reader_identity
from components.ui.theme import THEME_CHOICES, apply_theme, theme_label

LANG_LABELS = {"zh": "中文", "en": "English"}


@dataclass(frozen=True)
class SidebarChoice:
    """The visitor's choices for this run, kept in the session: no key, neither theirs nor the
    operator's. ``request_settings`` resolves the key when a request is built."""

    lang: Lang
    preset: ProviderPreset
    base_url: str  # as chosen (the preset's, or the custom one typed)
    model: str  # the model that will be asked (the operator's default applied)
    read_timeout: float
    options: ChatOptions
    detail: Detail
    has_key: bool  # whether a request can be sent: a key is known, or none is needed
    config_error: ConfigError | None  # why the settings cannot work, when they cannot
    max_slices: int = DEFAULT_MAX_SLICES  # the most slices one picture is cut into unasked
    review: bool = False  # hold every message with pictures for a look before sending
    text_only: bool = False  # the model cannot see pictures: send their read text instead

    @property
    def pictures(self) -> Preparation:
        """How this run's pictures are prepared (detail, model, slices)."""
        return Preparation(self.detail, self.model, self.max_slices)


def read_secrets() -> dict[str, object]:
    """Return ``st.secrets`` as a plain mapping (``operator_settings``); empty without a file."""
    return secrets_mapping()


def remembered_choice(render: Callable[..., Any], state_key: str, lang: Lang, **kwargs: Any) -> Any:
    """Render a choice whose labels follow the language; its value lives in ``state_key``.

    Streamlit identifies a choice by its formatted label, so a widget whose labels change with the
    language would lose its value on a switch. Each language gets its own widget, created with the
    remembered value. The same keeps a field's value while it is not drawn (a closed section,
    ``lazy_section``): Streamlit forgets a widget's own value on a run without it. A click is
    taken by the widget's callback (and then ``on_change``/``args``, if given), before the page's
    script runs; one whose callback a newer trigger stopped, here.
    """
    widget_key = keys.choice_key(state_key, lang)
    seen = session.layout().choices_seen
    their = kwargs.pop("on_change", None)
    their_args = kwargs.pop("args", ())
    session.layout().choice_callbacks[state_key] = (their, their_args)
    take_stopped_click(state_key, lang, their, their_args)

    def changed() -> None:
        # A click is taken before the page's script runs: a newer click that stops its run
        # (the page drawn meanwhile in another language, with another widget) cannot lose it.
        value = session.widget(widget_key)
        if value is not None:
            session.set_widget(state_key, value)
            # noted after the choice: a callback stopped between leaves the two agreeing
            session.layout().choices_seen[widget_key] = value
        if their is not None:
            their(*their_args)

    value = render(key=widget_key, on_change=changed, **kwargs)
    if value is not None:
        session.set_widget(state_key, value)
        seen[widget_key] = value
    return session.widget(state_key)


def take_stopped_click(
    state_key: str,
    lang: Lang,
    their: Callable[..., Any] | None = None,
    their_args: tuple[Any, ...] = (),
) -> None:
    """Take a click on ``state_key``'s widget for ``lang`` whose callback a newer trigger
    stopped (then ``their(*their_args)``), or put back a stale value the browser still sends;
    before the widget is drawn (``remembered_choice``). Doing it twice in a run does nothing more.
    """
    widget_key = keys.choice_key(state_key, lang)
    remembered = session.widget(state_key)
    seen = session.layout().choices_seen
    if remembered is None or not session.has_widget(widget_key):
        return
    sent = session.widget(widget_key)
    heard = sent is not None and widget_key in seen and sent != seen[widget_key]
    if heard and sent != remembered:
        # A value this widget was never drawn with nor clicked to: a click whose callback a
        # newer trigger stopped (Streamlit runs callbacks where a session read can stop them,
        # and does not run them again). It is the person's choice: taken here.
        session.set_widget(state_key, sent)
        if their is not None:
            their(*their_args)
    elif sent != remembered:
        # Every click is taken by ``changed`` before the script runs: a value it saw that
        # differs is a stale one (this language's widget as a run a newer click stopped
        # left it, which the browser still sends), which would put back a choice the person
        # has since changed.
        session.set_widget(widget_key, remembered)


def catch_up_settings(lang: Lang) -> None:
    """Do first what drawing the settings does before reading them (a typed key's work, clicks
    whose callbacks were stopped), so that ``resolve_choice`` before they are drawn reads what
    they will show."""
    _take_typed_key(lang)
    for state_key, (their, their_args) in list(session.layout().choice_callbacks.items()):
        take_stopped_click(state_key, lang, their, their_args)


def render_language() -> Lang:
    """Show the language switch and return the choice.

    Call it after ``st.navigation``: a widget made before it on a server's very first run gets
    another identity than on later runs, and the first click on it would be lost.
    """
    lang = current_lang()
    label = "🌐 " + t("sidebar.language", lang)  # the same words in both languages
    with st.sidebar:
        lang = remembered_segments(keys.LANG, lang, label, LANGS, LANG_LABELS.__getitem__)
        theme = remembered_segments(
            keys.THEME, lang, t("theme.label", lang), THEME_CHOICES, partial(theme_label, lang=lang)
        )
        apply_theme(theme)
    return lang


def remembered_segments(
    state_key: str,
    lang: Lang,
    label: str,
    options: Sequence[str],
    format_func: Callable[[str], str],
    **kwargs: Any,
) -> Any:
    """Render, where the page is drawing, a row of segments of which one is always chosen, whose
    labels follow the language (``remembered_choice``): it starts at the remembered value, or at
    one a callback gave its widget (then no default: Streamlit would warn of two)."""
    set_by_key = session.has_widget(keys.choice_key(state_key, lang))
    return remembered_choice(
        st.segmented_control,
        state_key,
        lang,
        label=label,
        options=options,
        format_func=format_func,
        default=None if set_by_key else session.widget(state_key),
        required=True,
        **kwargs,
    )


def _on_provider_change(widget_key: str) -> None:
    preset = PRESETS[session.widget(widget_key)]
    session.set_widget(keys.PROVIDER, preset.id)
    session.set_widget(keys.MODEL, preset.default_model)
    session.set_widget(keys.BASE_URL, preset.base_url)


def _on_key_typed(lang: Lang) -> None:
    """A key typed while the local reader is chosen means a provider: the default one.

    Also called by ``_take_typed_key``: it does nothing once its work is done."""
    if session.widget(keys.API_KEY, "").strip() and PRESETS[session.widget(keys.PROVIDER)].local:
        preset = PRESETS[DEFAULT_PRESET_ID]
        session.set_widget(keys.PROVIDER, preset.id)
        session.set_widget(keys.choice_key(keys.PROVIDER, lang), preset.id)
        session.set_widget(keys.MODEL, preset.default_model)
        session.set_widget(keys.BASE_URL, preset.base_url)


def _take_typed_key(lang: Lang) -> None:
    """A key typed whose callback a newer trigger stopped (Streamlit does not run it again: see
    ``remembered_choice``): its work, here, before the provider is drawn. What the field held on
    the last run is remembered as a digest, never as the key."""
    typed = hashlib.sha256(str(session.widget(keys.API_KEY, "")).encode()).hexdigest()
    seen = session.layout().choices_seen
    if seen.get(keys.API_KEY, typed) != typed:
        _on_key_typed(lang)
    seen[keys.API_KEY] = typed


def first_preset_id(secrets: dict[str, object], environ: dict[str, str]) -> str:
    """Return the provider a new session starts with: the operator's when one is configured,
    else the local reader when it can run here, else the default provider."""
    operator = operator_config(secrets, environ)
    if operator.base_url:
        return preset_for_base_url(operator.base_url).id
    if not operator.api_key and reader_status().available:
        return LOCAL_PRESET_ID
    return DEFAULT_PRESET_ID


# The settings drawn on every run, as plain widgets and as language-following choices
SETTINGS_FIELDS = (keys.BASE_URL, keys.MODEL, keys.API_KEY, keys.REVIEW)
SETTINGS_CHOICES = (keys.PROVIDER, keys.DETAIL)


def _first_values(secrets: dict[str, object]) -> dict[str, object]:
    operator = operator_config(secrets, os.environ)
    preset = PRESETS[first_preset_id(secrets, dict(os.environ))]
    return {
        keys.PROVIDER: preset.id,
        keys.MODEL: operator.model or preset.default_model,
        keys.BASE_URL: operator.base_url or preset.base_url,
    }


@dataclass(frozen=True)
class NumberField:
    """A whole-number setting of the advanced options: its widget, label, bounds and step."""

    key: str
    label_key: str
    low: int
    high: int
    step: int
    help_key: str | None = None


MAX_TOKENS_FIELD = NumberField(keys.MAX_TOKENS, "sidebar.max_tokens", 16, 32768, 256)
MAX_SLICES_FIELD = NumberField(
    keys.MAX_SLICES, "sidebar.max_slices", 1, MAX_SLICES_LIMIT, 1, "sidebar.max_slices_help"
)
READ_TIMEOUT_FIELD = NumberField(
    keys.READ_TIMEOUT, "sidebar.read_timeout", 1, 600, 10, "sidebar.read_timeout_help"
)


def number_field(field: NumberField, lang: Lang) -> None:
    """Draw ``field`` where the page is drawing; its value lives under its own key
    (``remembered_choice``), so it stays while the field is not drawn."""
    remembered_choice(
        st.number_input,
        field.key,
        lang,
        label=t(field.label_key, lang),
        min_value=field.low,
        max_value=field.high,
        step=field.step,
        value=session.widget_value(field.key),
        help=t(field.help_key, lang) if field.help_key else None,
    )


def _render_advanced(lang: Lang) -> None:
    """The advanced settings, in the open section; each value lives under its own key."""
    number_field(MAX_TOKENS_FIELD, lang)
    number_field(MAX_SLICES_FIELD, lang)
    remembered_choice(
        st.slider,
        keys.TEMPERATURE,
        lang,
        label=t("sidebar.temperature", lang),
        min_value=0.0,
        max_value=2.0,
        value=session.widget_value(keys.TEMPERATURE),
        step=0.1,
    )
    number_field(READ_TIMEOUT_FIELD, lang)
    remembered_choice(
        st.text_area,
        keys.SYSTEM_PROMPT,
        lang,
        label=t("sidebar.system_prompt", lang),
        value=session.widget_value(keys.SYSTEM_PROMPT),
        placeholder=t("sidebar.system_prompt_placeholder", lang),
    )


def render_settings(lang: Lang) -> SidebarChoice:
    """Show the provider settings (where the page is drawing: the sidebar's settings panel) and
    return what this run should use."""
    session.init_widgets(**_first_values(read_secrets()))
    layout = session.layout()
    if not layout.settings_drawn:  # drawn on the run after the first screen (first_screen.py)
        layout.settings_drawn = True
        session.claim_widgets(SETTINGS_FIELDS, SETTINGS_CHOICES, lang)
    side = st.container()
    side.subheader(t("sidebar.settings", lang))
    _take_typed_key(lang)
    preset_ids = list(PRESETS)
    preset_id = remembered_choice(
        side.selectbox,
        keys.PROVIDER,
        lang,
        label=t("sidebar.provider", lang),
        options=preset_ids,
        index=preset_ids.index(session.widget(keys.PROVIDER)),
        format_func=lambda pid: PRESETS[pid].name(lang),
        on_change=_on_provider_change,
        args=(keys.choice_key(keys.PROVIDER, lang),),
    )
    preset = PRESETS[preset_id]
    if preset.id == CUSTOM_PRESET_ID:  # a preset's address is not a choice: no field for it
        side.text_input(
            t("sidebar.base_url", lang),
            key=keys.BASE_URL,
            help=t("sidebar.base_url_help", lang),
        )
    current_model = session.widget(keys.MODEL)
    model = side.selectbox(
        t("sidebar.model", lang),
        # the preset's vision models, then any the provider listed (Test connection / Refresh)
        options=list(
            dict.fromkeys(
                [
                    *preset.vision_models,
                    current_model,
                    *chat_state.tools().model_lists.get(preset.id, ()),
                ]
            )
        ),
        key=keys.MODEL,
        accept_new_options=True,
        help=t("sidebar.model_help", lang),
    )
    side.text_input(
        t("sidebar.api_key", lang),
        type="password",
        key=keys.API_KEY,
        help=t("sidebar.api_key_help", lang),
        autocomplete="off",
        on_change=_on_key_typed,
        args=(lang,),
    )
    key_status = side.empty()  # filled once the settings are resolved, below
    model_tools = side.container()  # "can this model see?", test connection: filled by the app
    if _may_read_text(preset):
        _render_text_only(side, preset.id, (model or "").strip(), lang)
    detail_help = t("sidebar.detail_help", lang) + " " + t("sidebar.detail_help_slices", lang)
    with side:
        remembered_segments(
            keys.DETAIL,
            lang,
            t("sidebar.detail", lang),
            DETAILS,
            lambda d: t(f"detail.{d}", lang),
            help=detail_help,
        )
    side.toggle(t("sidebar.review", lang), value=session.widget_value(keys.REVIEW), key=keys.REVIEW)
    sections = side.container()  # cost and conversation tools: filled by the app
    session.layout().slots = (model_tools, sections)
    advanced = open_section(t("sidebar.advanced", lang), keys.ADVANCED_OPEN, parent=side)
    if advanced is not None:
        with advanced:
            _render_advanced(lang)
    choice, status = resolve_choice(lang)
    session.layout().key_status = (key_status, status)
    _explain_key(key_status, status)
    return choice


def resolve_choice(lang: Lang) -> tuple[SidebarChoice, KeyStatus]:
    """Return what this run should use, and what the sidebar says of the key, from the settings'
    values in the session (a new session's first values when none were set): the one reading
    of them, whether the settings are drawn on this run or not."""
    secrets = read_secrets()
    session.init_widgets(**_first_values(secrets))
    preset = PRESETS[session.widget(keys.PROVIDER)]
    base_url = preset.base_url
    if preset.id == CUSTOM_PRESET_ID:
        base_url = str(session.widget(keys.BASE_URL) or "")
    model = session.widget(keys.MODEL)
    typed_key = str(session.widget(keys.API_KEY) or "")
    read_timeout = session.widget_value(keys.READ_TIMEOUT)
    settings: AnySettings | None = None
    error: ConfigError | None = None
    try:
        settings = resolve_typed(  # for what the sidebar says: no visitor named yet
            preset, base_url, typed_key, model, secrets, float(read_timeout), lang, identify=False
        )
    except ConfigError as err:
        error = err
    options = ChatOptions(
        max_tokens=int(session.widget_value(keys.MAX_TOKENS)),
        temperature=float(session.widget_value(keys.TEMPERATURE)),
        system=str(session.widget_value(keys.SYSTEM_PROMPT)).strip() or None,
    )
    choice = SidebarChoice(
        lang=lang,
        preset=preset,
        base_url=base_url,
        model=settings.model if settings else preset.default_model,
        read_timeout=float(read_timeout),
        options=options,
        detail=session.widget_value(keys.DETAIL),
        has_key=settings is not None and settings.missing_key_error(lang) is None,
        config_error=error,
        max_slices=int(session.widget_value(keys.MAX_SLICES)),
        review=bool(session.widget_value(keys.REVIEW)),
        text_only=_may_read_text(preset) and is_text_only(preset.id, str(model or "").strip()),
    )
    return choice, KeyStatus(settings, error, preset, lang)


def _may_read_text(preset: ProviderPreset) -> bool:
    """Whether pictures may go to ``preset``'s models as their read text (the reader runs here)."""
    return not preset.local and reader_status().available


def model_id(preset_id: str, model: str) -> str:
    """Return how a model is named in ``ToolsState.text_only_models``."""
    return f"{preset_id}/{model}"


def is_text_only(preset_id: str, model: str) -> bool:
    """Whether pictures go to ``model`` as their read text: the person's choice for it in this
    session, else the catalogue's "cannot see pictures" (``sees_pictures``)."""
    name = model_id(preset_id, model)
    tools = chat_state.tools()
    if name in tools.text_only_models:
        return True
    return name not in tools.text_only_unmarked and sees_pictures(model) is False


def _on_text_only(widget_key: str, name: str) -> None:
    tools = chat_state.tools()
    marked, unmarked = set(tools.text_only_models), set(tools.text_only_unmarked)
    if session.widget(widget_key):
        marked.add(name)
        unmarked.discard(name)
    else:
        marked.discard(name)
        unmarked.add(name)
    tools.text_only_models = frozenset(marked)
    tools.text_only_unmarked = frozenset(unmarked)


def _render_text_only(side, preset_id: str, model: str, lang: Lang) -> bool:
    """Show the model's "cannot see pictures" toggle; remembered per model for the session."""
    name = model_id(preset_id, model)
    widget_key = keys.text_only_key(preset_id, model)
    marked = is_text_only(preset_id, model)
    if not session.has_widget(widget_key):
        session.set_widget(widget_key, marked)
    elif session.widget(widget_key) != marked:
        # The box's value without its callback's work (a newer trigger stopped it, and Streamlit
        # does not run it again: see ``remembered_choice``): the person's choice, taken here.
        _on_text_only(widget_key, name)
        marked = is_text_only(preset_id, model)
    side.checkbox(
        t("sidebar.text_only", lang),
        value=session.widget(widget_key),  # see session.widget_value
        key=widget_key,
        help=t("sidebar.text_only_help", lang),
        on_change=_on_text_only,
        args=(widget_key, name),
    )
    return marked


def request_settings(choice: SidebarChoice) -> AnySettings:
    """Resolve the settings for one request: the visitor's choices plus the key, read now from
    the password field or the operator's configuration and never kept.

    Raises ConfigError when the settings cannot work (see ``SidebarChoice.config_error``).
    """
    return resolve_typed(
        choice.preset,
        choice.base_url,
        session.widget(keys.API_KEY) or "",
        choice.model,
        read_secrets(),
        choice.read_timeout,
        choice.lang,
    )


def resolve_typed(
    preset: ProviderPreset,
    base_url: str,
    typed_key: str,
    model: str,
    secrets: dict[str, object],
    read_timeout: float,
    lang: Lang,
    *,
    identify: bool = True,
) -> AnySettings:
    """Resolve the settings typed in the sidebar (or a Compare column) for ``preset``.

    The local reader's settings name this visitor for its quota unless ``identify`` is False
    (settings only shown, never sent). Raises ConfigError when the base URL cannot work, or the
    local reader cannot run.
    """
    if preset.local:
        status = reader_status()
        if not status.available:
            raise ConfigError("ocr_unavailable", status.reason, why=status.reason)
    settings = resolve_any(
        preset_id=preset.id,
        lang=lang,
        base_url=base_url.strip() or None,
        api_key=typed_key.strip() or None,
        model=(model or "").strip() or None,
        secrets=secrets,
        environ=os.environ,
        read_timeout=read_timeout,
    )
    # the server's cores: under the visitor's quota (``identify``: settings sent, not only shown)
    if identify and isinstance(settings, LocalSettings):
        visitor_id, session_id = reader_identity()
        settings = replace(settings, visitor_id=visitor_id, session_id=session_id)
    return settings


@dataclass(frozen=True)
class KeyStatus:
    """What the sidebar says about the key, from this run's resolved settings."""

    settings: AnySettings | None
    error: ConfigError | None
    preset: ProviderPreset
    lang: Lang


def _explain_key(slot, status: KeyStatus) -> None:
    """Say whose key is used, in ``slot`` (one element, so a redraw replaces it in place)."""
    settings, error, preset, lang = status.settings, status.error, status.preset, status.lang
    unpaired = getattr(settings, "unpaired", None)
    if error is not None:
        slot.warning(safe_label(error.message(lang)))
    elif unpaired is not None and not getattr(settings, "api_key", ""):
        slot.warning(safe_label(unpaired.error().message(lang)), icon="🔑")  # the key went nowhere
    elif preset.local:
        slot.caption(t("sidebar.ocr_local", lang))
    elif _operator_key_in_use(status):
        if operator_key_refused():
            slot.warning(t("layout.operator_key_refused", lang), icon="🔑")
        else:
            slot.caption("🔑 " + t("sidebar.using_configured_key", lang))
    elif settings is not None and settings.key_withheld:
        slot.info(t("config.operator_key_withheld", lang), icon="🔑")
    elif not preset.needs_key:
        slot.caption(t("sidebar.no_key_needed", lang))


def _operator_key_in_use(status: KeyStatus) -> bool:
    return status.error is None and getattr(status.settings, "key_source", None) == "operator"


def refresh_key_status() -> None:
    """Redraw the key status drawn before the page ran: the answer it recorded (or the failed one
    it dropped for a Retry) may have changed whether the site's key was refused."""
    layout = session.layout()
    slot_and_status, layout.key_status = layout.key_status, None
    if slot_and_status is None:
        return
    slot, status = slot_and_status
    if _operator_key_in_use(status):  # only that status depends on the conversation
        _explain_key(slot, status)


def open_sidebar() -> None:
    """Reserve the sidebar's top for New chat: the page fills it (``render_new_chat``) once its
    question is recorded, so the button comes with the first message; the saved chats below."""
    layout = session.layout()
    layout.new_chat_slot = st.sidebar.empty()
    layout.chat_list_slot = st.sidebar.container()  # the saved chats (chat_list), on the chat page


def render_new_chat(lang: Lang) -> None:
    """Show New chat at the top of the sidebar when the conversation has entries (once a run)."""
    slot = session.layout().new_chat_slot
    conv = chat_state.chat().conversation
    if slot is None or not conv.entries:
        return
    slot.button(
        t("sidebar.new_chat", lang),
        icon="🆕",
        key=keys.NEW_CHAT,
        on_click=session.requester(session.NewChat()),
        width="stretch",
    )
