"""Pictures in the conversation: a row of thumbnails, and a large view of exactly what was sent.

Thumbnails share one height and are never larger than the picture itself; a very tall picture
shows its top, marked as cropped. Each thumbnail is a small copy made once per picture (kept in the
session by sha256), so no rerun decodes a big picture again. The 🔍 button by each one opens a
dialog with the sent bytes (and their parts, for slices or a zoom) and the facts about them.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import streamlit as st
from PIL import Image

from components.i18n import Lang, t
from components.images.prepared import PreparedImage, data_url
from components.ui import chat_state
from components.ui import state_keys as keys
from components.ui.markdown_view import literal, safe_label

THUMB_HEIGHT = 120  # every thumbnail's height, unless the picture is smaller
PHONE_THUMB_HEIGHT = 80  # on a narrow screen (CSS), so three photos fit in well under a screen
THUMB_MAX_WIDTH = 320  # a panorama gets narrower (and so less tall) instead
TALL_RATIO = 2.5  # height / width above which only the top is shown
TALL_CROP_RATIO = 1.5  # the cropped preview's height / width
PART_WIDTH = 120
ImageFormat = Literal["JPEG", "PNG"]
# What st.image must be told so it passes the bytes through.
_FORMATS: dict[str, ImageFormat] = {"image/png": "PNG"}
# Streamlit's fullscreen ⤢ shows a collage at thumbnail size; the 🔍 view replaces it. On a phone
# the thumbnails shrink (one rule per tile, see ``_phone_style``) so three photos stay well
# inside one screen.
_STYLE = f"""<style>
[class*="st-key-{keys.GALLERY}-"] [data-testid="stElementToolbar"],
[role="dialog"] [data-testid="stElementToolbar"] {{
  display: none;
}}
[class*="st-key-{keys.GALLERY}-"] [data-testid="stImageCaption"] {{ max-width: 100%; }}
[class*="st-key-{keys.GALLERY_VIEW}-"] [data-testid="stMarkdownContainer"] {{
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
}}
</style>"""


@dataclass(frozen=True)
class Thumb:
    """How one picture is shown small: the part of it kept, and the size it is shown at."""

    crop: tuple[int, int, int, int] | None  # left, top, right, bottom; None: the whole picture
    width: int
    height: int

    @property
    def cropped(self) -> bool:
        """Return True if only the top of the picture is shown."""
        return self.crop is not None


def thumb_size(width: int, height: int, *, tall: int = THUMB_HEIGHT) -> Thumb:
    """Return the thumbnail of a ``width``×``height`` picture: ``tall`` px high (narrower for a
    panorama), never larger than the picture, only the top of a very tall one."""
    crop = None
    if height > TALL_RATIO * width:
        kept = max(1, round(width * TALL_CROP_RATIO))
        crop = (0, 0, width, kept)
        height = kept
    scale = min(tall / height, THUMB_MAX_WIDTH * tall / THUMB_HEIGHT / width, 1.0)
    return Thumb(crop, max(1, round(width * scale)), max(1, round(height * scale)))


def image_caption(image: PreparedImage, lang: Lang) -> str:
    """Return "W×H · ~N tokens" plus what preparation did to the picture."""
    notes = [
        t(
            "chat.image_caption",
            lang,
            width=image.width,
            height=image.height,
            tokens=f"{image.tokens:,}",
        )
    ]
    if image.parts:
        key = "chat.zoomed_caption" if image.region else "chat.sliced_caption"
        notes = [t(key, lang, count=len(image.parts), tokens=f"{image.tokens:,}")]
    if image.tokens_approximate:
        notes.append(t("gallery.approximate", lang))
    source = image.source
    if source.orientation_applied:
        notes.append(t("source.rotated", lang))
    if source.frames > 1:
        notes.append(t("source.frames", lang, frames=source.frames))
    if source.truncated:
        notes.append(t("source.truncated", lang))
    return " · ".join(notes)


def image_facts(image: PreparedImage, lang: Lang) -> list[tuple[str, str]]:
    """Return the large view's facts as (label, value) rows: the original and what was sent,
    detail, the token estimate, and what preparation changed."""
    source = image.source
    original_w, original_h = image.original_size
    yes, no = t("gallery.yes", lang), t("gallery.no", lang)
    if image.parts:
        sent_bytes = sum(len(part.data) for part in image.parts)
        sent = t("gallery.sent_parts", lang, count=len(image.parts), size=_size(sent_bytes, lang))
    else:
        sent = f"{_format_of(image.mime)} · {image.width}×{image.height} · "
        sent += _size(len(image.data), lang)
    tokens = t("gallery.tokens", lang, tokens=f"{image.tokens:,}")
    if image.token_rule:
        tokens += " · " + t("gallery.token_rule", lang, rule=image.token_rule)
    if image.tokens_approximate:
        tokens += " · " + t("gallery.tokens_approximate", lang)
    dropped = source.frames - 1
    rows = [
        (
            t("gallery.fact_original", lang),
            f"{source.format} · {original_w}×{original_h} · {_size(source.bytes, lang)}",
        ),
        (t("gallery.fact_sent", lang), sent),
        (t("gallery.fact_detail", lang), t(f"detail.{image.detail}", lang)),
        (t("gallery.fact_tokens", lang), tokens),
        (t("gallery.fact_rotated", lang), yes if source.orientation_applied else no),
        (t("gallery.fact_metadata", lang), yes if source.metadata_stripped else no),
        (
            t("gallery.fact_frames", lang),
            t("gallery.frames_dropped", lang, dropped=dropped, frames=source.frames)
            if dropped
            else no,
        ),
    ]
    if source.truncated:
        rows.append((t("gallery.fact_truncated", lang), t("source.truncated", lang)))
    return rows


def render_images(
    images: Sequence[PreparedImage],
    lang: Lang,
    *,
    alt: str = "",
    key_prefix: str = "",
    notes: Mapping[str, str] | None = None,
) -> None:
    """Show each picture as a thumbnail with its size and tokens, and a 🔍 button that opens the
    large view; then, for slices or a zoom, the parts as sent.

    ``alt`` describes the pictures to screen readers (the question they came with); each button's
    key is ``key_prefix`` plus the picture's place, so pass a prefix unique to the message.
    ``notes`` adds a word to a picture's caption, by sha256 (e.g. whether it goes with the next
    question).
    """
    if not images:
        return
    st.html(_STYLE + _phone_style(images, key_prefix))
    described = alt.strip()
    with st.container(horizontal=True, gap="small", key=f"{keys.GALLERY}-{key_prefix}"):
        for i, image in enumerate(images):
            thumb = thumb_size(image.width, image.height)
            shown = display_url(image)
            caption = image_caption(image, lang)
            if thumb.cropped:
                caption += " · " + t("gallery.cropped_short", lang)
            if notes and image.sha256 in notes:
                caption += " · " + notes[image.sha256]
            label = _alt_text(image, described, lang, cropped=thumb.cropped)
            tile = f"{keys.GALLERY}-{key_prefix}-{i}"
            with st.container(horizontal=True, width="content", gap="xsmall", key=tile):
                st.image(shown, caption=safe_label(caption), width=thumb.width, alt=label)
                view = f"{keys.GALLERY_VIEW}-{key_prefix}-{i}"
                st.button(
                    t("gallery.view", lang),
                    icon="🔍",
                    key=view,
                    help=t("gallery.view", lang),
                    type="tertiary",
                    on_click=_ask_view,
                    args=(view,),
                )
                if chat_state.chat().view_open == view:  # drawn again on every run until closed
                    title = t("gallery.view_title", lang)
                    title += f" · {literal(image.name)}" if image.name else ""
                    dialog = st.dialog(title, width="large", on_dismiss=_close_view)
                    dialog(_large_view)(image, lang, label)
    for image in images:
        if image.parts:
            render_parts(image, lang)


def _ask_view(view: str) -> None:
    # Open in the session, not read from the button's value: a run stopped by a newer trigger
    # (the browser store's report after a save) loses a button's value, and a run that does not
    # draw a dialog closes it; so every run draws it until the person closes it.
    chat_state.chat().view_open = view


def _close_view() -> None:
    chat_state.chat().view_open = None


def render_parts(image: PreparedImage, lang: Lang) -> None:
    """Show the slices or the zoom's two images as they were sent, with sizes and tokens."""
    title = f"{literal(image.name)} · {t('chat.parts_sent', lang, count=len(image.parts))}"
    with st.expander(title):
        _parts(image, lang, width=PART_WIDTH)


def _parts(image: PreparedImage, lang: Lang, *, width: int | None) -> None:
    """Show each part as sent, ``width`` px wide (``None``: as wide as it is, up to the column)."""
    wide = image.width > image.height
    with st.container(horizontal=True, gap="small"):
        for part in image.parts:
            facts = {"width": part.width, "height": part.height, "tokens": f"{part.tokens:,}"}
            if image.region is not None:
                caption = t("chat.zoom_caption", lang, detail=part.detail, **facts)
            elif wide:
                caption = t("chat.part_caption_left", lang, left=part.box[0], **facts)
            else:
                caption = t("chat.part_caption", lang, top=part.top, **facts)
            with st.container(width=width or "content"):
                st.image(
                    part.data,
                    caption=safe_label(caption),
                    # The part's own width passes its bytes through unchanged; a narrower
                    # ``width`` shows it smaller (Streamlit resizes it for the page).
                    width=width or part.width,
                    output_format=_FORMATS.get(part.mime, "JPEG"),
                    alt=f"{image.name} · {caption}",
                )


def _large_view(image: PreparedImage, lang: Lang, label: str) -> None:
    """Show exactly the bytes that were sent, as large as the dialog allows, and their facts."""
    shown, facts = st.columns([3, 1])
    with shown:
        if image.parts:
            st.caption(t("gallery.overview_note", lang))
        # Its own width: Streamlit passes the bytes through as they are and the browser scales
        # them down to the column; a small picture keeps its real size.
        st.image(
            image.data,
            width=image.width,
            output_format=_FORMATS.get(image.mime, "JPEG"),
            alt=label,
        )
    with facts:
        rows = image_facts(image, lang)
        colon = t("punct.colon", lang)
        st.markdown("\n".join(f"- **{name}**{colon}{literal(value)}" for name, value in rows))
    if image.parts:
        st.markdown(f"**{t('chat.parts_sent', lang, count=len(image.parts))}**")
        _parts(image, lang, width=None)


def _phone_style(images: Sequence[PreparedImage], key_prefix: str) -> str:
    """Return a rule per tile giving its thumbnail the phone size (Streamlit sets the desktop
    width on the image and its wrappers, so each needs its own numbers)."""
    rules = []
    for i, image in enumerate(images):
        small = thumb_size(image.width, image.height, tall=PHONE_THUMB_HEIGHT)
        tile = f".st-key-{keys.GALLERY}-{key_prefix}-{i}"
        rules.append(
            f"{tile} :is([data-testid='stElementContainer'], [data-testid='stFullScreenFrame'], "
            f"[data-testid='stImage'], [data-testid='stImageContainer']):has(img) "
            f"{{ width: {small.width}px !important; flex: 0 0 {small.width}px !important; }}\n"
            f"{tile} img {{ width: {small.width}px !important; height: {small.height}px; }}"
        )
    return "<style>@media (max-width: 640px) {\n" + "\n".join(rules) + "\n}</style>"


def output_format(mime: str) -> ImageFormat:
    """Return the format to tell ``st.image`` so it passes ``mime``'s bytes through as they are."""
    return _FORMATS.get(mime, "JPEG")


def display_copy(image: PreparedImage) -> tuple[bytes, str]:
    """Return the thumbnail's bytes and type: the picture itself when it is already that small,
    else a copy made once per picture (cropped to its top when it is very tall)."""
    thumb = thumb_size(image.width, image.height)
    if not thumb.cropped and (thumb.width, thumb.height) == (image.width, image.height):
        return image.data, image.mime
    copies = chat_state.chat().display_copies
    if image.sha256 not in copies:
        with Image.open(io.BytesIO(image.data)) as picture:
            if thumb.crop is None:
                picture.draft(None, (thumb.width, thumb.height))  # a JPEG decodes at 1/2..1/8
            shown = picture.crop(thumb.crop) if thumb.crop else picture
            if shown.mode not in ("RGB", "L"):  # a palette would be resized without smoothing
                shown = shown.convert("RGB")
            copy = shown.resize((thumb.width, thumb.height), Image.Resampling.LANCZOS)
        fmt = _FORMATS.get(image.mime, "JPEG")
        out = io.BytesIO()
        copy.save(out, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
        copies[image.sha256] = (out.getvalue(), image.mime)
    return copies[image.sha256]


def display_url(image: PreparedImage) -> str:
    """Return the thumbnail as a ``data:`` URL, for the conversation's pictures.

    Not a media file: Streamlit forgets the media files a run has not drawn yet when the run
    is stopped by a rerun (a click, the browser store's report), and a browser that
    fetched such a picture in that moment kept a broken image (the next run sends the same
    address). The bytes travel with the element instead; an element of 1 KB or more that did
    not change is sent again as a short reference to the browser's own copy
    (``global.minCachedMessageSize`` in ``.streamlit/config.toml``).
    """
    data, mime = display_copy(image)
    return data_url(data, mime)


def _alt_text(image: PreparedImage, described: str, lang: Lang, *, cropped: bool) -> str:
    """Return the picture's alt text: the question it came with, else its name, and its size."""
    subject = described or image.name or t("gallery.picture", lang)
    text = t("gallery.alt", lang, subject=subject, width=image.width, height=image.height)
    return f"{text} · {t('gallery.cropped', lang)}" if cropped else text


def _format_of(mime: str) -> str:
    return mime.removeprefix("image/").upper()


def _size(count: int, lang: Lang) -> str:
    if count >= 1024 * 1024:
        return t("gallery.mb", lang, size=f"{count / (1024 * 1024):.1f}")
    return t("gallery.kb", lang, size=f"{max(1, round(count / 1024)):,}")
