"""The welcome shown before the first message: what Kantu does, how to get a key, what to ask.

With the offline text reader (no key), the suggestions are only what a text reader can do (it
answers every question with the text it reads: no table structure, no translation), and a
sample picture sends one of them with a click. The sample is a receipt drawn once with
``components.devtools.text_pictures.text_picture(RECEIPT, width=720, size=36)`` (Noto Sans CJK,
SIL OFL) and saved greyscale: nothing is fetched.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import streamlit as st
from PIL import Image

from components.i18n import Lang, t
from components.images.prepared import data_url
from components.images.upload import Upload
from components.providers.presets import DEFAULT_PRESET_ID, PRESETS
from components.ui import session
from components.ui import state_keys as keys
from components.ui.chat import put_back, render_key_help
from components.ui.first_screen import render_welcome_words
from components.ui.markdown_view import safe_label
from components.ui.sidebar import SidebarChoice

# For a model that can see.
EXAMPLES = ("welcome.example_1", "welcome.example_2", "welcome.example_3", "welcome.example_4")
# For the offline text reader: questions its answer (the text it reads) does answer.
READER_EXAMPLES = ("welcome.reader_example_1", "welcome.reader_example_2")
SAMPLE_QUESTION = READER_EXAMPLES[0]
SAMPLE_PATH = Path(__file__).with_name("welcome_assets") / "sample-receipt.png"
SAMPLE_WIDTH = 240  # px on the page


def example_key(n: int) -> str:
    """Return the widget key of the ``n``-th example question's button."""
    return f"{keys.EXAMPLE}_{n}"


def examples_for(choice: SidebarChoice) -> tuple[str, ...]:
    """Return the text keys of the example questions that the chosen provider can answer."""
    return READER_EXAMPLES if choice.preset.local else EXAMPLES


@cache
def _sample_bytes() -> bytes:
    return SAMPLE_PATH.read_bytes()


@cache
def _sample_shown() -> str:
    """The sample at the width it is shown, as a ``data:`` URL, made once: st.image would shrink
    the full picture (what is sent) again on every run, a tenth of a welcome rerun's time. Not a
    media file, for the reason the gallery's pictures are not (``gallery.display_url``): the first
    screen's runs are often stopped by the next (the settings, the browser store's report)."""
    with Image.open(SAMPLE_PATH) as picture:
        height = round(picture.height * SAMPLE_WIDTH / picture.width)
        small = picture.resize((SAMPLE_WIDTH, height), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    small.save(buffer, "PNG")
    return data_url(buffer.getvalue(), "image/png")


def sample_upload(lang: Lang) -> Upload:
    """Return the welcome's sample picture as an attachment, named in ``lang``."""
    return Upload(t("welcome.sample_name", lang), _sample_bytes())


def render_welcome(choice: SidebarChoice) -> None:
    """Explain the app under one heading; without a key, say where to get one for the chosen
    provider. The example questions are buttons that put their words in the chat input; with
    the offline reader, a sample picture is sent with its question in one click."""
    lang = choice.lang
    render_welcome_words(lang)
    if choice.preset.local:
        if choice.config_error is not None:
            st.warning(safe_label(choice.config_error.message(lang)), icon="⚠️")
        else:
            st.info(t("welcome.local_reader", lang), icon="🔤")
    elif not choice.has_key:
        provider = choice.preset.name(lang)
        st.info(t("welcome.no_key", lang, provider=provider), icon="🔑")
        render_key_help(choice.preset, lang)
    st.caption(t("welcome.examples", lang))
    with st.container(horizontal=True, gap="small"):
        for n, key in enumerate(examples_for(choice)):
            question = t(key, lang)
            st.button(
                question,
                key=example_key(n),
                icon="💬",
                on_click=put_back,
                args=(question,),
            )
    if choice.preset.local and choice.config_error is None:
        _render_sample(lang)
    if choice.preset.local:
        # the way to a model that can see, after what works without one
        render_key_help(PRESETS[DEFAULT_PRESET_ID], lang, expanded=False)
        st.caption(t("welcome.other_providers", lang))


def _render_sample(lang: Lang) -> None:
    question = t(SAMPLE_QUESTION, lang)
    with st.container(border=True, horizontal=True, vertical_alignment="center", gap="medium"):
        st.image(_sample_shown(), width=SAMPLE_WIDTH, alt=t("welcome.sample_alt", lang))
        with st.container():
            st.markdown(t("welcome.sample_intro", lang))
            st.button(
                t("welcome.sample_try", lang, question=question),
                key=keys.SAMPLE,
                icon="🧾",
                type="primary",
                on_click=session.requester(session.TrySample(question)),
            )
