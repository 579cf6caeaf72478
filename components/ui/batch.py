"""The Batch page's parts: set up (files, prompt, columns), the before-running summary, the live
job view (a fragment that redraws from the job's progress) and the exports.

The job runs in ``components.batch``'s worker threads and lives in the session; every rerun only
draws it, so a rerun never restarts or duplicates it. The key is resolved when Run is pressed and
kept by the job: Retry failed sends with the same settings, through the same gate.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from components.batch import api as batch_api
from components.batch import structured
from components.batch.api import offers_batch_api
from components.batch.export import reason_text, to_csv, to_jsonl, to_markdown
from components.batch.intake import from_uploads
from components.batch.items import BatchItem, prepare_items
from components.batch.job import MAX_CONCURRENCY, BatchJob, BatchSpec, ItemResult
from components.batch.prompts import PRESETS, preset_prompt
from components.conversation.clients import AnySettings
from components.costs.prices import Price
from components.errors import KantuError
from components.hosting.gate import Route
from components.i18n import Lang, t
from components.images.prepared import data_url
from components.images.upload import IMAGE_EXTENSIONS, Upload
from components.providers.settings import ClientSettings
from components.ui import session
from components.ui import state_keys as keys
from components.ui.costs import current_price
from components.ui.markdown_view import literal, safe_label
from components.ui.sending import send
from components.ui.sidebar import SidebarChoice, remembered_choice, request_settings

REFRESH_S = 0.5


@dataclass(frozen=True)
class Prepared:
    """The uploaded set, prepared once: what it was made from, and its items."""

    signature: tuple[Any, ...]
    items: tuple[BatchItem, ...]


@dataclass(frozen=True)
class Setup:
    """What the visitor chose for the next run."""

    spec: BatchSpec
    concurrency: int
    via: str = "direct"  # or "batch_api"


def _price(choice: SidebarChoice) -> Price | None:
    return current_price(choice)  # the chat's price: one way of reading prices on every page


def render_setup(choice: SidebarChoice) -> tuple[Setup, Prepared | None]:
    """Draw the uploader, prompt, columns and concurrency; return the choice and the prepared
    pictures (prepared once per set of files, model and detail)."""
    lang = choice.lang
    files = st.file_uploader(
        t("batch.upload", lang),
        type=[*IMAGE_EXTENSIONS, "zip"],
        accept_multiple_files=True,
        key=keys.BATCH_FILES,
    )
    preset = _preset(lang)
    if preset == "classify":
        labels = structured.parse_columns(
            st.text_input(t("batch.labels", lang), key=keys.BATCH_LABELS)
        )
        prompt = preset_prompt(preset, lang, labels=labels) if labels else ""
    elif preset == "own":
        prompt = st.text_area(t("batch.prompt_text", lang), key=keys.BATCH_PROMPT).strip()
    else:
        prompt = preset_prompt(preset, lang)
    if prompt and preset != "own":
        st.caption(safe_label(prompt))
    columns = structured.parse_columns(
        st.text_input(t("batch.columns", lang), key=keys.BATCH_COLUMNS)
    )
    if columns:
        schema = structured.supports_schema(choice.preset.id)
        st.caption(t("batch.columns_schema" if schema else "batch.columns_prompt", lang))
    concurrency = st.slider(
        t("batch.concurrency", lang), 1, MAX_CONCURRENCY, 4, key=keys.BATCH_CONCURRENCY
    )
    via = "direct"
    if offers_batch_api(choice.preset.id):
        ways = ("direct", "batch_api")
        via = remembered_choice(  # its labels follow the language; its value stays
            st.radio,
            keys.BATCH_VIA,
            lang,
            label=t("batch.via", lang),
            options=ways,
            format_func=lambda v: t(f"batch.via.{v}", lang),
            index=ways.index(session.widget(keys.BATCH_VIA, "direct")),
        )
    spec = BatchSpec(
        prompt=prompt,
        model=choice.model,
        detail=choice.detail,
        columns=columns,
        preset_id=choice.preset.id,
        max_tokens=choice.options.max_tokens,
    )
    return Setup(spec, concurrency, via), _prepared(files or [], choice)


def _preset(lang: Lang) -> str:
    """The preset choice; one widget per language (its labels change with it), one value."""
    chosen = remembered_choice(
        st.segmented_control,
        keys.BATCH_PRESET,
        lang,
        label=t("batch.preset", lang),
        options=PRESETS,
        format_func=lambda p: t(f"batch.preset.{p}", lang),
        default=session.widget(keys.BATCH_PRESET, "describe"),
    )
    return chosen or "describe"


def _prepared(files: Sequence[Any], choice: SidebarChoice) -> Prepared | None:
    if not files:
        session.batch().prepared = None
        return None
    signature = (
        tuple((f.file_id, f.name, f.size) for f in files),
        choice.model,
        choice.detail,
    )
    kept: Prepared | None = session.batch().prepared
    if kept is not None and kept.signature == signature:
        return kept
    intake = from_uploads(Upload(f.name, f.getvalue()) for f in files)
    with st.spinner(t("batch.preparing", choice.lang)):
        items = prepare_items(
            intake.sources, detail=choice.detail, model=choice.model, refused=intake.refused
        )
    prepared = Prepared(signature, tuple(items))
    session.batch().prepared = prepared
    return prepared


def render_summary(
    setup: Setup, prepared: Prepared | None, choice: SidebarChoice
) -> BatchJob | None:
    """Show the count, estimated tokens and money, and the refusals; return the job to run
    (not started) when there is something to send, else None."""
    lang = choice.lang
    if prepared is None:
        return None
    job = BatchJob(prepared.items, setup.spec, price=_price(choice))
    progress = job.progress()
    runnable = progress.queued
    tokens, money = job.estimate()
    extra = t("batch.summary_money", lang, money=money.format(lang)) if money else ""
    if runnable:
        st.info(t("batch.summary", lang, count=runnable, tokens=f"{tokens:,}", money=extra))
    else:
        st.warning(t("batch.no_pictures", lang))
    refused = [r for r in job.results() if r.status == "refused"]
    if refused:
        lines = "\n".join(f"- {literal(reason_text(r, lang))}" for r in refused)  # names the file
        st.warning(t("batch.summary_refused", lang, count=len(refused)) + "\n\n" + lines)
    return job if runnable else None


def ask_to_start() -> None:
    """The Run button's callback: the page starts the job on this run (``start``)."""
    session.batch().start = True


def _ask(what: str) -> None:
    """A job button's callback: keep ``what`` it asks (``BatchState.asked``) until it is done."""
    session.batch().asked = what


def start(job: BatchJob, setup: Setup, choice: SidebarChoice) -> bool:
    """Send the job the one way (``sending.send``): the key is resolved now and kept by the job
    (its route), access and the model are checked now, and each picture is admitted (limits,
    one ledger row each) just before it is sent. Show why not when it cannot; return started.
    The Run click (``BatchState.start``) is let go where the job starts, or where it cannot."""
    lang = choice.lang
    state = session.batch()
    poll = float(state.poll_s)
    if not setup.spec.prompt:
        state.start = False
        st.warning(t("batch.no_prompt", lang))
        return False

    def begin(route: Route) -> bool:
        if not isinstance(route.settings, ClientSettings):  # the local reader: one at a time
            return False
        # The Run click let go, the job started and kept, with no session read in between: a
        # run a newer trigger stops before here starts it on the next run, and none loses it.
        state.start = False
        state.asked = None  # a click meant for the job before is not this one's
        if setup.via == "batch_api":
            job.start_via(route, batch_api.runner(poll_every=poll))
        else:
            job.start(route, concurrency=setup.concurrency)
        state.job = job
        state.prepared = None  # the job holds the pictures now
        return True

    try:
        started = send(choice, begin, feature="batch")
    except KantuError as err:
        state.start = False
        st.error(safe_label(err.message(lang)), icon="⚠️")
        return False
    except Exception:
        state.start = False  # not a stop (that is no Exception): not tried again every run
        raise
    if not started:
        state.start = False
        st.error(t("batch.local_unsupported", lang), icon="⚠️")
        return False
    return True


def retry_failed(job: BatchJob, choice: SidebarChoice) -> bool:
    """Send the failed pictures again, the one way, with the job's own settings (each picture
    admitted again). When the sidebar now says another key, address or model, nothing is sent
    and the page says why: a batch never changes them midway. Return whether it started. The
    Retry click (``BatchState.asked``) is let go right before the pictures go, or where they
    cannot."""
    lang = choice.lang
    state = session.batch()
    route = job.route
    if route is None:
        state.asked = None
        return False
    if not same_destination(route.settings, choice):
        state.asked = None
        st.error(t("batch.retry_settings_changed", lang, model=literal(job.spec.model)), icon="⚠️")
        return False
    concurrency = int(session.widget(keys.BATCH_CONCURRENCY, 4))

    def again(route: Route) -> None:
        state.asked = None
        job.retry_failed(route, concurrency=concurrency)

    try:
        send(choice, again, feature="batch", resolve=lambda: route.settings)
    except KantuError as err:
        state.asked = None
        st.error(safe_label(err.message(lang)), icon="⚠️")
        return False
    except Exception:
        state.asked = None  # not a stop (that is no Exception): not tried again every run
        raise
    return True


def same_destination(settings: AnySettings, choice: SidebarChoice) -> bool:
    """Whether the sidebar still resolves to ``settings``' key, key source, address and model."""
    try:
        now = request_settings(choice)
    except KantuError:
        return False
    if not isinstance(now, ClientSettings) or not isinstance(settings, ClientSettings):
        return False
    return (now.key_source, now.base_url, now.model) == (
        settings.key_source,
        settings.base_url,
        settings.model,
    ) and hmac.compare_digest(now.api_key.encode(), settings.api_key.encode())


def render_job(job: BatchJob, choice: SidebarChoice) -> None:
    """Draw the live view (redrawn every half second while the job runs), the controls and,
    once it has ended, the downloads."""
    lang = choice.lang
    state = session.batch()
    running = job.running
    if running:
        state.seen_running = True
    st.fragment(run_every=REFRESH_S if running else None)(_live)(job, lang)
    # Each click is kept in the session by its callback until done here, let go right before
    # (a run a newer trigger stops before then does it on the next run).
    cols = st.columns(3)
    if running:
        cols[0].button(
            t("batch.cancel", lang),
            icon="⏹️",
            key=keys.BATCH_CANCEL,
            on_click=_ask,
            args=("cancel",),
        )
        if state.asked == "cancel":
            state.asked = None
            job.cancel()
            job.wait(5)
            st.rerun()
        state.asked = None  # a stale click (the job's other buttons are not drawn meanwhile)
        return
    progress = job.progress()
    if progress.failed:
        cols[0].button(
            t("batch.retry_failed", lang),
            icon="🔁",
            key=keys.BATCH_RETRY,
            on_click=_ask,
            args=("retry",),
        )
        if state.asked == "retry" and retry_failed(job, choice):
            st.rerun()
    cols[1].button(
        t("batch.new", lang), icon="🆕", key=keys.BATCH_NEW, on_click=_ask, args=("new",)
    )
    if state.asked == "new":
        state.asked = None
        state.job = None
        st.rerun()
    state.asked = None  # a click nothing above acted on (a stale one) is not kept for later
    results = job.results()
    spec = job.spec
    downloads = st.columns(3)
    downloads[0].download_button(
        t("batch.download_csv", lang),
        to_csv(results, spec, lang),
        "kantu-batch.csv",
        "text/csv",
        on_click="ignore",  # a download changes nothing: no rerun
    )
    downloads[1].download_button(
        t("batch.download_jsonl", lang),
        to_jsonl(results, spec, lang).encode("utf-8"),
        "kantu-batch.jsonl",
        "application/jsonl",
        on_click="ignore",
    )
    downloads[2].download_button(
        t("batch.download_md", lang),
        to_markdown(results, spec, lang),
        "kantu-batch-report.zip",
        "application/zip",
        on_click="ignore",
    )


def _live(job: BatchJob, lang: Lang) -> None:
    progress = job.progress()
    # the counts the progress line and the finished line each show a part of
    counts = {
        "done": progress.done,
        "failed": progress.failed,
        "remaining": progress.remaining,
        "cancelled": progress.cancelled,
    }
    st.progress(progress.fraction, text=t("batch.progress", lang, **counts))
    eta = t("batch.eta_unknown", lang) if progress.eta_s is None else f"{progress.eta_s:.0f} s"
    if progress.finished:
        st.success(t("batch.finished", lang, **counts))
    else:
        st.caption(t("batch.speed", lang, rate=progress.throughput, eta=eta))
    if job.note:
        st.caption(safe_label(t("batch.provider_batch", lang, status=job.note)))
    import pandas as pd  # only this page draws a table; the chat never loads pandas

    table = pd.DataFrame([_row(r, job.spec, lang) for r in job.results()])
    st.dataframe(table, hide_index=True, column_config=_columns(job.spec, lang))
    state = session.batch()
    if progress.finished and state.seen_running:
        state.seen_running = False
        st.rerun()  # the whole page: the controls and downloads follow the end


FIELD_PREFIX = "field:"  # no column of Kantu's own starts so


def _columns(spec: BatchSpec, lang: Lang) -> dict[str, Any]:
    config: dict[str, Any] = {
        "thumb": st.column_config.ImageColumn(t("batch.col.thumb", lang), width="small"),
        "file": st.column_config.TextColumn(t("batch.col.file", lang)),
        "status": st.column_config.TextColumn(t("batch.col.status", lang)),
        "tokens": st.column_config.TextColumn(t("batch.col.tokens", lang)),
        "cost": st.column_config.TextColumn(t("batch.col.cost", lang)),
        "seconds": st.column_config.TextColumn(t("batch.col.seconds", lang)),
    }
    if not spec.columns:
        config["answer"] = st.column_config.TextColumn(t("batch.col.answer", lang), width="medium")
    # The model's fields are text under their own keys, whatever the user named them ("thumb").
    for name in spec.columns:
        config[field_key(name)] = st.column_config.TextColumn(name)
    return config


def field_key(name: str) -> str:
    """The table key of the user's column ``name``: never the key of one of Kantu's columns."""
    return FIELD_PREFIX + name


def _row(result: ItemResult, spec: BatchSpec, lang: Lang) -> dict[str, Any]:
    thumb = data_url(result.thumbnail, "image/jpeg") if result.thumbnail else None
    row: dict[str, Any] = {
        "thumb": thumb,
        "file": result.name,
        "status": t(f"batch.status.{result.status}", lang),
    }
    problem = reason_text(result, lang) if result.status in ("failed", "refused") else ""
    if spec.columns:
        fields = result.fields or {}
        for n, name in enumerate(spec.columns):
            value = fields.get(name, "")
            if n == 0 and not fields:
                value = problem or result.answer  # the raw text, when it did not parse
            row[field_key(name)] = value
    else:
        row["answer"] = problem or result.answer
    row["tokens"] = f"{result.usage.total_tokens:,}" if result.usage else ""
    row["cost"] = result.cost.format(lang) if result.cost else ""
    row["seconds"] = f"{result.seconds:.1f}" if result.seconds is not None else ""
    return row
