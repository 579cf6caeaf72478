"""The Compare page's parts: the form, the columns (live while they stream), votes, tally, exports.

Each column's answer is an ``Exchange`` in a thread of its own, kept in the session inside the
``CompareRun``. While any column runs, the columns are drawn by a fragment that reruns every
0.2 s and only reads what the exchanges collected; a column's Stop calls that exchange's
``stop`` only. When every column is final the fragment asks for one full run, which draws the
votes, the tally and the exports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import streamlit as st

from components.conversation.clients import AnySettings
from components.conversation.compare import (
    LABELS,
    MAX_COLUMNS,
    MIN_COLUMNS,
    CompareColumn,
    CompareRun,
    CompareTally,
    Figures,
    column_models,
    export_json,
    export_markdown,
)
from components.conversation.exchange import Exchange
from components.costs import lines
from components.costs.prices import Price
from components.errors import ConfigError, KantuError
from components.i18n import Lang, t
from components.images.upload import IMAGE_EXTENSIONS, Upload
from components.images.uploads import prepare_uploads
from components.providers.presets import DEFAULT_PRESET_ID, PRESETS
from components.ui import chat_state, session
from components.ui import state_keys as keys
from components.ui.costs import price_book
from components.ui.gallery import render_images
from components.ui.markdown_view import literal, safe_label, show_growing, show_markdown
from components.ui.sending import send_exchange
from components.ui.sidebar import (
    SidebarChoice,
    is_text_only,
    read_secrets,
    remembered_choice,
    resolve_typed,
)
from components.ui.visitor import hosting_settings

log = logging.getLogger("kantu")

REFRESH_S = 0.2  # how often the live columns are redrawn
GALLERY_PREFIX = "compare"  # the run's thumbnails: ``gallery.render_images``' key prefix
# Run scrolls to the results clear of Streamlit's header. On a phone the run's thumbnails stay one row that scrolls sideways, each caption one line
# (its details are in the 🔍 view), instead of one picture per row with a 3-line caption.
_STYLE = f"""<style>
.st-key-{keys.COMPARE_RESULTS} {{ scroll-margin-top: 4rem; }}  /* clear of the page's header */
@media (max-width: 640px) {{
  .st-key-{keys.GALLERY}-{GALLERY_PREFIX} {{
    flex-wrap: nowrap !important; overflow-x: auto; overscroll-behavior-x: contain;
  }}
  .st-key-{keys.GALLERY}-{GALLERY_PREFIX} > div {{ flex: 0 0 auto; }}
  .st-key-{keys.GALLERY}-{GALLERY_PREFIX} [data-testid="stImageCaption"] {{
    white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  }}
}}
</style>"""
# Run's results start below the form: bring their top into view once, as they start. The
# container may mount a moment after this element, so look for it for up to two seconds.
_SCROLL_SCRIPT = f"""<script>
(() => {{
  const until = Date.now() + 2000;
  const find = () => {{
    const box = document.querySelector(".st-key-{keys.COMPARE_RESULTS}");
    if (box) {{
      const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      box.scrollIntoView({{block: "start", behavior: still ? "auto" : "smooth"}});
    }} else if (Date.now() < until) {{
      requestAnimationFrame(find);
    }}
  }};
  find();
}})();
</script>"""
_KEY_REASONS = frozenset({"no_key", "operator_key_withheld"})  # a column's own key would help


@dataclass(frozen=True)
class Export:
    """One way to download a comparison: its button and the function that writes the file."""

    label_key: str
    write: Callable[[CompareRun, Mapping[str, Price | None], Mapping[str, bool | None], Lang], str]
    extension: str
    mime: str
    icon: str
    key: str


EXPORTS = (
    Export(
        "compare.export_md", export_markdown, "md", "text/markdown", "📄", keys.COMPARE_EXPORT_MD
    ),
    Export(
        "compare.export_json",
        export_json,
        "json",
        "application/json",
        "🧾",
        keys.COMPARE_EXPORT_JSON,
    ),
)


# -- session objects ---------------------------------------------------------------------------


def tally() -> CompareTally:
    """Return this session's running tally (created on first use)."""
    state = session.compare()
    if state.tally is None:
        state.tally = CompareTally()
    return state.tally


def current_run() -> CompareRun | None:
    """Return the comparison on show, if any."""
    return session.compare().run


def prices_of(run: CompareRun) -> dict[str, Price | None]:
    """Return each column's price, keyed by ``<preset>/<model>``: the chat's prices
    (``costs.price_book``: the visitor's edits over the operator's over the table)."""
    book = price_book()
    return {c.name: book.for_display(c.preset_id, c.model) for c in run.columns}


def vision_of(run: CompareRun) -> dict[str, bool | None]:
    """Return each column's vision check: True, False, or None when not checked."""
    checks = chat_state.tools().vision_checks
    seen: dict[str, bool | None] = {}
    for column in run.columns:
        result = checks.get(column.name)
        sees = result if isinstance(result, bool) else getattr(result, "sees", None)
        seen[column.name] = sees if isinstance(sees, bool) else None
    return seen


# -- the form ----------------------------------------------------------------------------------


def _ordered_models(preset_id: str, choice: SidebarChoice) -> tuple[str, ...]:
    """The models a column on ``preset_id`` offers first, in column order: the operator's
    allowed models when the operator's key pays, else the preset's; cheapest, then best."""
    models: Sequence[str] = PRESETS[preset_id].vision_models
    allowed = hosting_settings().allowed_models
    if allowed and preset_id == choice.preset.id and _key_source(preset_id, choice) == "operator":
        models = allowed
    book = price_book()
    return column_models(models, lambda m: book.for_display(preset_id, m))


def default_targets(choice: SidebarChoice) -> list[tuple[str, str]]:
    """Return the columns a new form starts with (``MAX_COLUMNS`` of them; the count shows the
    first ``default_count``): different models, never the same one twice while there are others.

    With the offline reader chosen (no key), the reader is one column and the others are the
    default provider's cheapest and best models, which say what a key would add.
    """
    if choice.preset.local:
        first = [(choice.preset.id, choice.model)]
        preset_id = DEFAULT_PRESET_ID
    else:
        first, preset_id = [], choice.preset.id
    targets = [*first, *((preset_id, m) for m in _ordered_models(preset_id, choice))]
    targets = list(dict.fromkeys(targets))[:MAX_COLUMNS]
    return targets + [(choice.preset.id, choice.model)] * (MAX_COLUMNS - len(targets))


def default_count(choice: SidebarChoice) -> int:
    """Return how many columns a new form shows: its different models, two to three."""
    different = len(dict.fromkeys(default_targets(choice)))
    return max(MIN_COLUMNS, min(3, different))


def _default_model(preset_id: str, i: int, choice: SidebarChoice) -> str:
    models = _ordered_models(preset_id, choice)
    return models[i % len(models)] if models else PRESETS[preset_id].default_model


def _on_preset_change(i: int, widget_key: str, choice: SidebarChoice) -> None:
    preset_id = session.widget(widget_key)
    session.set_widget(keys.compare_preset_key(i), preset_id)
    session.set_widget(keys.compare_model_key(i), _default_model(preset_id, i, choice))


def _key_source(preset_id: str, choice: SidebarChoice, column_key: str = "") -> str:
    """Where a column's key would come from ("none" when it has none or cannot work)."""
    try:
        settings = column_settings(
            preset_id, PRESETS[preset_id].default_model, choice, column_key, identify=False
        )
    except ConfigError:
        return "none"
    if settings.missing_key_error(choice.lang) is not None:
        return "none"
    return str(getattr(settings, "key_source", "none"))


def _needs_key(preset_id: str, i: int, choice: SidebarChoice) -> bool:
    """Whether column ``i`` would be refused for want of a key (what a key would add)."""
    if not PRESETS[preset_id].needs_key:
        return False
    own = session.widget(keys.compare_api_key(i)) or ""
    return _key_source(preset_id, choice, own) == "none"


def render_targets(choice: SidebarChoice) -> list[tuple[str, str]]:
    """Show the column count and each column's provider and model; return (preset, model)s."""
    lang = choice.lang
    defaults = default_targets(choice)
    count = st.segmented_control(
        t("compare.count", lang),
        options=list(range(MIN_COLUMNS, MAX_COLUMNS + 1)),
        key=keys.COMPARE_COUNT,
        default=default_count(choice),
        required=True,
    )
    count = int(count or default_count(choice))
    targets: list[tuple[str, str]] = []
    preset_ids = list(PRESETS)
    for i, cell in enumerate(st.columns(count, gap="medium")):
        state_key = keys.compare_preset_key(i)
        model_key = keys.compare_model_key(i)
        if not session.has_widget(state_key):
            session.set_widget(state_key, defaults[i][0])
        if not session.has_widget(model_key):
            preset_id = session.widget(state_key)
            default = defaults[i][1] if preset_id == defaults[i][0] else ""
            session.set_widget(model_key, default or _default_model(preset_id, i, choice))
        with cell:
            preset_id = remembered_choice(
                st.selectbox,
                state_key,
                lang,
                label=t("compare.provider", lang, label=i + 1),
                options=preset_ids,
                index=preset_ids.index(session.widget(state_key)),
                format_func=lambda pid: PRESETS[pid].name(lang),
                on_change=_on_preset_change,
                args=(i, keys.choice_key(state_key, lang), choice),
            )
            current = session.widget(model_key)
            model = st.selectbox(
                t("compare.model", lang, label=i + 1),
                options=list(dict.fromkeys([*PRESETS[preset_id].vision_models, current])),
                key=model_key,
                accept_new_options=True,
            )
            if _needs_key(preset_id, i, choice):
                st.caption(
                    "🔑 " + t("compare.needs_key", lang, provider=PRESETS[preset_id].name(lang))
                )
        targets.append((preset_id, (model or "").strip() or PRESETS[preset_id].default_model))
    with st.expander(t("compare.keys", lang)):
        st.caption(t("compare.keys_help", lang))
        for i, (preset_id, _) in enumerate(targets):
            st.text_input(
                t("compare.key_for", lang, label=i + 1, provider=PRESETS[preset_id].name(lang)),
                type="password",
                key=keys.compare_api_key(i),
                autocomplete="off",
            )
    return targets


def render_form(choice: SidebarChoice) -> None:
    """Show the pictures, the question, the columns' models, blind mode and Run.

    Run only sets a flag: ``start_requested`` then starts the comparison in the script body.
    """
    lang = choice.lang
    st.file_uploader(
        t("compare.pictures", lang),
        type=list(IMAGE_EXTENSIONS),
        accept_multiple_files=True,
        key=keys.COMPARE_FILES,
    )
    if st.toggle(t("compare.camera_toggle", lang), key=keys.COMPARE_CAMERA_ON):
        st.camera_input(t("compare.camera_label", lang), key=keys.COMPARE_CAMERA)
    st.text_input(
        t("compare.question", lang),
        key=keys.COMPARE_QUESTION,
        placeholder=t("chat.default_question", lang),
    )
    targets = render_targets(choice)
    session.compare().targets = targets
    with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
        st.toggle(
            t("compare.blind", lang), key=keys.COMPARE_BLIND, help=t("compare.blind_help", lang)
        )
        st.button(
            t("compare.run", lang),
            icon="▶️",
            type="primary",
            key=keys.COMPARE_RUN_BUTTON,
            on_click=_ask_start,
        )
    st.caption(t("compare.key_rule", lang))


def start_requested() -> bool:
    """Return whether Run was pressed and not acted on yet (``start_run`` lets it go)."""
    return session.compare().start


def _ask_start() -> None:
    session.compare().start = True


def _ask_vote(label: str) -> None:
    session.compare().vote = label


def _ask_reveal() -> None:
    session.compare().reveal = True


# -- starting ----------------------------------------------------------------------------------


def _uploads() -> list[Upload]:
    files = session.widget(keys.COMPARE_FILES) or []
    uploads = [Upload(f.name, f.getvalue()) for f in files]
    shot = session.widget(keys.COMPARE_CAMERA)
    if session.widget(keys.COMPARE_CAMERA_ON) and shot is not None:
        uploads.append(Upload(shot.name or "camera.jpg", shot.getvalue()))
    return uploads


def column_settings(
    preset_id: str,
    model: str,
    choice: SidebarChoice,
    column_key: str = "",
    *,
    identify: bool = True,
) -> AnySettings:
    """Resolve one column's settings the way the chat page does (``sidebar.resolve_typed``).

    The column's own key goes to that column only; without one, the key typed in the sidebar
    goes only to a column on the sidebar's provider and address; the operator's key only to the
    operator's URL (decided in ``resolve_settings``). Raises ConfigError when the settings
    cannot work. ``identify`` False: settings only looked at, never sent.
    """
    preset = PRESETS[preset_id]
    same = preset.id == choice.preset.id
    base_url = choice.base_url if same else preset.base_url
    typed = column_key.strip() or ((session.widget(keys.API_KEY) or "") if same else "")
    return resolve_typed(
        preset,
        base_url,
        typed,
        model,
        read_secrets(),
        choice.read_timeout,
        choice.lang,
        identify=identify,
    )


def start_run(choice: SidebarChoice) -> CompareRun | None:
    """Prepare the pictures, create the comparison and start every column at once.

    Return None (after a warning) when there is no picture to send. A column whose settings
    cannot work shows why and the others still go.
    """
    lang = choice.lang
    state = session.compare()
    prepared = prepare_uploads(_uploads(), choice.pictures)
    for refusal in prepared.refusals:
        st.warning(safe_label(refusal.message(lang)), icon="🚫")
    if not prepared.images:
        state.start = False  # nothing to compare: said why
        st.warning(t("compare.need_picture", lang), icon="🖼️")
        return None
    old = current_run()
    if old is not None:
        old.stop()  # a new comparison replaces the old one: its answers are no longer shown
    question = (session.widget(keys.COMPARE_QUESTION) or "").strip()
    run = CompareRun.create(
        question or t("chat.default_question", lang),
        prepared.images,
        session.compare().targets,
        blind=bool(session.widget(keys.COMPARE_BLIND)),
    )
    # Every column is planned and admitted first, then all start together: one column's
    # setup (its plan, settings, the gate's ledger row) never holds back another's request.
    starts: list[Callable[[], Exchange]] = []
    try:
        for column in run.columns:
            _admit_column(run, column, choice, starts)
    finally:
        # Run let go and the comparison kept right before its columns start, with no session
        # read in between: a run a newer trigger stops while admitting still starts what it
        # admitted (each has its ledger row), and the page shows it, instead of answers
        # running unseen and Run asked again.
        state.start = False
        state.run = run
        for start in starts:
            start()
    return run


def _admit_column(
    run: CompareRun,
    column: CompareColumn,
    choice: SidebarChoice,
    starts: list[Callable[[], Exchange]],
) -> None:
    """Send ``column`` the one way (access, allowed model, limits; a ledger row), its start
    added to ``starts``; a column refused shows why."""
    own_key = session.widget(keys.compare_api_key(column.slot)) or ""
    plan = run.plan(
        column,
        choice.options,
        pictures_as_text=is_text_only(column.preset_id, column.model),
        lang=choice.lang,
    )

    def resolve() -> AnySettings:
        return column_settings(column.preset_id, column.model, choice, own_key)

    def begin(settings: AnySettings, exchange: Exchange) -> Exchange:
        starts.append(partial(column.begin, exchange, settings))
        return exchange

    try:
        send_exchange(choice, plan, begin, feature="compare", resolve=resolve)
    except KantuError as err:
        column.refuse(err)


# -- votes -------------------------------------------------------------------------------------


def settle_votes(run: CompareRun | None) -> None:
    """Apply a vote or a reveal asked for by a button since the last run."""
    state = session.compare()
    label, reveal = state.vote, state.reveal
    # Done before the request is let go (a vote counts once per comparison, a reveal is a
    # reveal): a run that a newer trigger stops at tally()'s session read keeps it for the next.
    if run is not None and label is not None and label in LABELS[: len(run.columns)]:
        run.vote(label, tally())
    elif run is not None and reveal:
        run.reveal()
    state.vote, state.reveal = None, False


# -- drawing -----------------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def render_figures(figures: Figures, sees: bool | None, lang: Lang) -> None:
    """Show a finished column's figures: speed, tokens vs estimate, cost, finish, vision."""
    notes = [
        t("compare.timing", lang, ttft=_seconds(figures.ttft_s), total=_seconds(figures.total_s))
    ]
    estimate = figures.estimate
    estimated = f"{estimate.prompt_tokens:,}" if estimate is not None else "—"
    if figures.usage is not None:
        usage = figures.usage
        line = t(
            "compare.tokens",
            lang,
            prompt=f"{usage.prompt_tokens:,}",
            completion=f"{usage.completion_tokens:,}",
            estimate=estimated,
        )
        if estimate is not None and figures.flag is None and estimate.image_tokens > 0:
            line += " " + t("compare.estimate_close", lang)
        notes.append(line)
    else:
        notes.append(t("compare.no_usage", lang, estimate=estimated))
    cost = lines.billed(figures.usage, figures.price, lang)
    # Without a bill, the estimate's cost; not for a failed request, which is rarely billed.
    if cost is None and estimate is not None and figures.outcome != "error":
        cost = lines.before_sending(estimate, figures.price, lang)
    if cost is not None:
        notes.append(t("compare.cost", lang, cost=cost))
    if figures.finish_reason:
        notes.append(t("compare.finish", lang, reason=figures.finish_reason))
    word = {
        True: "compare.vision_yes",
        False: "compare.vision_no",
        None: "compare.vision_unchecked",
    }
    notes.append(t("compare.vision", lang, result=t(word[sees], lang)))
    st.caption(safe_label("  \n".join(notes)))
    if figures.flag is not None:
        st.caption(safe_label("⚑ " + figures.flag.message(lang)))


def _render_error(
    error: KantuError, outcome: str | None, lang: Lang, *, hide: CompareColumn | None = None
) -> None:
    """Show a column's error; in blind mode (``hide``) the model's name in it becomes its label."""
    message = error.message(lang)
    if hide is not None and hide.model:
        message = message.replace(hide.model, hide.label)
    show = st.warning if outcome == "interrupted" else st.error
    show(safe_label(message), icon="⚠️")


def render_column(
    run: CompareRun,
    column: CompareColumn,
    price: Price | None,
    sees: bool | None,
    lang: Lang,
) -> None:
    """Draw one column: heading, answer (live or final), Stop or figures, and its vote button."""
    with st.container(border=True, key=keys.compare_column_key("col", column.label)):
        st.markdown(f"**{safe_label(run.title(column, lang))}**")
        text = column.text
        if not column.finished:
            if text:
                live_key = keys.compare_column_key("live", column.label)
                show_growing(st, text, session.compare().growing, live_key)
            else:
                st.caption(t("chat.thinking", lang))
            st.button(
                t("compare.stop", lang),
                icon="⏹️",
                key=keys.compare_column_key("stop", column.label),
                on_click=column.stop,
            )
            return
        session.compare().growing.pop(keys.compare_column_key("live", column.label), None)
        if text:
            show_markdown(st, text, chat_state.chat().made_safe)
        figures = column.figures(price)
        outcome = figures.outcome if figures is not None else None
        if column.refused is not None:
            st.caption(t("compare.not_sent", lang))
            if getattr(column.refused, "reason", "") in _KEY_REASONS:
                st.caption("🔑 " + t("compare.key_hint", lang))
        if outcome == "stopped":
            st.caption(t("compare.stopped", lang))
        error = column.error
        if error is not None:
            _render_error(error, outcome, lang, hide=None if run.revealed else column)
        if figures is not None and column.refused is None:
            render_figures(figures, sees, lang)
        if run.finished and run.best is None:
            st.button(
                t("compare.pick_best", lang),
                key=keys.compare_column_key("vote", column.label),
                on_click=_ask_vote,
                args=(column.label,),
                width="stretch",
            )


def _draw_columns(run: CompareRun, lang: Lang) -> None:
    prices = prices_of(run)
    vision = vision_of(run)
    for cell, column in zip(st.columns(len(run.columns), gap="medium"), run.columns, strict=True):
        with cell:
            render_column(run, column, prices.get(column.name), vision.get(column.name), lang)


@st.fragment(run_every=REFRESH_S)
def _live_columns(run: CompareRun, lang: Lang) -> None:
    """Redraw the running columns from what their exchanges collected; once all are final, one
    full run draws the votes, tally and exports."""
    _draw_columns(run, lang)
    if run.finished and session.compare().run is run:
        st.rerun()


def render_compare_style() -> None:
    """Add the page's own CSS (the run's thumbnails on a phone)."""
    st.html(_STYLE)


def scroll_to_results() -> None:
    """Scroll the page to the comparison's results (once: call it on the run that started it)."""
    st.html(_SCROLL_SCRIPT, unsafe_allow_javascript=True)


def render_run(run: CompareRun, lang: Lang) -> None:
    """Show the comparison in a container Run scrolls to: pictures and question, the columns,
    then votes and exports."""
    with st.container(key=keys.COMPARE_RESULTS):
        _render_run(run, lang)


def _render_run(run: CompareRun, lang: Lang) -> None:
    render_images(run.images, lang, key_prefix=GALLERY_PREFIX)
    st.markdown(f"**{t('compare.question', lang)}:** {safe_label(run.question)}")
    if not run.finished:
        _live_columns(run, lang)
        return
    _draw_columns(run, lang)
    if run.best is None:
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(t("compare.vote_prompt", lang))
            if run.blind and not run.revealed:
                st.button(
                    t("compare.reveal", lang),
                    key=keys.COMPARE_REVEAL_BUTTON,
                    on_click=_ask_reveal,
                )
    else:
        best = run.column(run.best)
        st.success(
            t("compare.voted", lang, label=literal(best.label), model=literal(best.name)), icon="👍"
        )
    if run.revealed:
        render_exports(run, lang)


def render_exports(run: CompareRun, lang: Lang) -> None:
    """Offer the comparison as Markdown and JSON (pictures included as data)."""
    prices, vision = prices_of(run), vision_of(run)
    stamp = run.created.strftime("%Y%m%d-%H%M%S")
    with st.container(horizontal=True, gap="small"):
        for export in EXPORTS:
            st.download_button(
                t(export.label_key, lang),
                data=export.write(run, prices, vision, lang),
                file_name=f"kantu-compare-{stamp}.{export.extension}",
                mime=export.mime,
                icon=export.icon,
                key=export.key,
                on_click="ignore",
            )


def render_tally(lang: Lang) -> None:
    """Show this session's running tally, when anything was voted."""
    rows = tally().rows()
    if not rows:
        return
    st.markdown(f"**{t('compare.tally', lang)}**")
    st.markdown(
        "\n".join(
            "- " + t("compare.tally_row", lang, name=literal(r.name), wins=r.wins, votes=r.votes)
            for r in rows
        )
    )
