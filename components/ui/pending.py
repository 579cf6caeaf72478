"""A message held for a look before sending: illegible pictures, slices and their cost, zoom.

A message is held when one of its pictures would reach the provider with text too small to read,
when slicing would cut it into several parts (their token sum is shown first), when a picture
needs more slices than the cap, or when the person asked to look at every picture first. The
buttons only ask for a ``session.HeldMessageAction``; the page resolves it and sends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from components.errors import ImageError
from components.i18n import Lang, t
from components.images.legibility import LEGIBLE_TEXT_PX
from components.images.prepare import ZOOM_GRID, prepare_image, prepare_region
from components.images.prepared import PreparedImage
from components.images.slice_limits import MAX_SLICES_LIMIT
from components.images.slicing import slice_cost
from components.images.upload import Upload
from components.images.uploads import PreparedUploads
from components.ui import gallery, session
from components.ui import state_keys as keys
from components.ui.costs import NextCost, render_over_limit
from components.ui.markdown_view import safe_label, show_markdown
from components.ui.sidebar import SidebarChoice


@dataclass(frozen=True)
class PendingMessage:
    """The question, the files as they came, and how they were prepared, until a choice is made.

    The files' bytes are kept only while the message waits (slicing and zoom start from them);
    they leave the session when it is sent or cancelled.
    """

    question: str
    uploads: tuple[Upload, ...]
    prepared: PreparedUploads
    queued: bool = False  # sent while an answer streamed: it waits for the answer's end


def illegible(image: PreparedImage) -> bool:
    """Return True if ``image``, as prepared, would reach the provider with unreadable text."""
    legibility = image.legibility
    return not image.parts and legibility is not None and legibility.illegible


def over_slice_cap(err: ImageError) -> bool:
    """Return True for a refusal that more slices would turn into a picture sent."""
    return err.reason == "too_many_slices"


def needs_a_look(prepared: PreparedUploads, choice: SidebarChoice) -> bool:
    """Return True if the message should wait for the person before it is sent."""
    return (
        (choice.review and bool(prepared.images))
        or any(illegible(image) or len(image.parts) > 1 for image in prepared.images)
        or any(over_slice_cap(err) for err in prepared.refusals)
    )


def resolve(pending: PendingMessage, action: tuple, choice: SidebarChoice) -> PreparedUploads:
    """Return the pictures to send after ``action`` ("send", "slices" or ("zoom", i, col, row)).

    Pictures re-prepared here may be refused (``ImageError``); such refusals join the others.
    """
    by_name = {upload.name: upload for upload in pending.uploads}
    images: list[PreparedImage] = []
    refusals: list[ImageError] = []

    def redo(name: str, make) -> None:
        upload = by_name.get(name)
        if upload is None:  # the camera's photo: its file is not kept, it goes as prepared
            return
        try:
            images.append(make(upload))
        except ImageError as err:
            refusals.append(err)

    def as_slices(upload: Upload) -> PreparedImage:
        return prepare_image(
            upload.data,
            name=upload.name,
            detail="slices",
            model=choice.model,
            max_slices=MAX_SLICES_LIMIT,
        )

    for index, image in enumerate(pending.prepared.images):
        if action[0] == "zoom" and action[1] == index and image.name in by_name:
            zone = (action[2], action[3])
            redo(
                image.name,
                lambda u, zone=zone: prepare_region(
                    u.data, name=u.name, zone=zone, model=choice.model
                ),
            )
        elif action[0] == "slices" and illegible(image) and image.name in by_name:
            redo(image.name, as_slices)
        else:
            images.append(image)
    for err in pending.prepared.refusals:
        if action[0] == "slices" and over_slice_cap(err) and err.filename in by_name:
            redo(err.filename, as_slices)
        else:
            refusals.append(err)
    return PreparedUploads(images=tuple(images), refusals=tuple(refusals))


def _act(action: tuple) -> None:
    session.request(session.HeldMessageAction(action))


def render_pending(
    pending: PendingMessage,
    choice: SidebarChoice,
    *,
    cost_line: str = "",
    warnings: Sequence[str] = (),
    title: str = "",
    over_limit: NextCost | None = None,
) -> None:
    """Show the held message: what it and each picture would cost and look like, the limit it
    is ``over_limit`` of (with a way to change it), any ``warnings`` (e.g. the model cannot
    see), and the choices: Send is the highlighted one unless slices are offered."""
    lang = choice.lang
    offer_slices = False
    with st.container(border=True, key=keys.PENDING_BOX):
        st.markdown(f"**{safe_label(title or t('pending.title', lang))}**")
        st.text(pending.question)
        if cost_line:
            st.markdown(safe_label("💰 " + cost_line))
        if over_limit is not None:
            render_over_limit(over_limit, lang)
        for warning in warnings:
            st.warning(safe_label(warning), icon="👁️")
        for index, image in enumerate(pending.prepared.images):
            with st.container(horizontal=True, gap="small"):
                alt = t(
                    "pending.alt", lang, name=image.name, width=image.width, height=image.height
                )
                # The gallery's thumbnail: one height, the top of a very tall screenshot only.
                thumb = gallery.thumb_size(image.width, image.height)
                data, mime = gallery.display_copy(image)
                st.image(
                    data, width=thumb.width, output_format=gallery.output_format(mime), alt=alt
                )
                with st.container():
                    for line in advice(image, choice.model, lang):
                        show_markdown(st, line)
                    offer_slices |= illegible(image) and image.name in _names(pending)
            if image.name in _names(pending) and image.region is None:
                _zone_grid(index, lang)
        for err in pending.prepared.refusals:
            st.warning(safe_label(err.message(lang)), icon="🚫")
            if over_slice_cap(err):
                offer_slices = True
                st.button(
                    safe_label(t("pending.send_all_slices", lang, **err.facts)),
                    key=f"kantu_all_slices_{err.filename}",
                    on_click=_act,
                    args=(("slices",),),
                )
        with st.container(horizontal=True):
            if offer_slices:
                st.button(
                    t("pending.send_slices", lang),
                    type="primary",
                    icon="✂️",
                    key="kantu_send_slices",
                    on_click=_act,
                    args=(("slices",),),
                )
            label = "pending.send_as_is" if offer_slices else "pending.send"
            st.button(
                t(label, lang),
                type="secondary" if offer_slices else "primary",
                key="kantu_send_as_is",
                on_click=_act,
                args=(("send",),),
            )
            st.button(
                t("pending.cancel", lang),
                key="kantu_pending_cancel",
                on_click=_act,
                args=(("cancel",),),
            )


def advice(image: PreparedImage, model: str, lang: Lang) -> list[str]:
    """Return what to say about one held picture: its size and cost, and why slice it."""
    if image.parts:
        key = "chat.zoomed_caption" if image.region else "chat.sliced_caption"
        return [
            f"{image.name}: " + t(key, lang, count=len(image.parts), tokens=f"{image.tokens:,}")
        ]
    lines = []
    legibility = image.legibility
    if legibility is not None and illegible(image):
        owidth, oheight = image.original_size
        if legibility.text_height is not None and legibility.text_height < LEGIBLE_TEXT_PX:
            px = f"{legibility.text_height:.0f}"
            lines.append(_about("pending.small_text", image, lang, px=px))
        else:
            lines.append(_about("pending.long", image, lang, owidth=owidth, oheight=oheight))
        cost = slice_cost(owidth, oheight, model)
        lines.append(
            t(
                "pending.slices_cost",
                lang,
                count=cost.count,
                width=cost.size[0],
                height=cost.size[1],
                tokens=f"{cost.tokens:,}",
                now=f"{image.tokens:,}",
            )
        )
    else:
        lines.append(_about("pending.as_is", image, lang, tokens=f"{image.tokens:,}"))
    return lines


def _about(key: str, image: PreparedImage, lang: Lang, **facts: object) -> str:
    """Return ``key``'s line about ``image``: its name and the size it would be sent at, and
    ``facts``."""
    return t(key, lang, name=image.name, width=image.width, height=image.height, **facts)


def _names(pending: PendingMessage) -> set[str]:
    return {upload.name for upload in pending.uploads}


def _zone_grid(index: int, lang: Lang) -> None:
    with st.expander(t("pending.zoom", lang)):
        for row in range(ZOOM_GRID):
            with st.container(horizontal=True, gap="small"):
                for col in range(ZOOM_GRID):
                    st.button(
                        t("pending.zone", lang, row=row + 1, col=col + 1),
                        key=f"kantu_zone_{index}_{col}_{row}",
                        on_click=_act,
                        args=(("zoom", index, col, row),),
                    )
