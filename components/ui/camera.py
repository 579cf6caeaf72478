"""The camera: a "📷" button above the chat input that opens it there, and its photo waiting by
the input.

The camera itself is a small ``st.components.v2`` component (``camera_assets/``): the browser's
own ``getUserMedia``, live video, translated buttons and messages, and the photo handed back as a
JPEG data URL (a trigger value, so it arrives once). The photo then waits in the session as a
``CameraShot``, shown by the input with its cost and a remove button, and goes with the next
message only while it is shown there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st
from PIL import Image

from components.i18n import Lang, t
from components.images.upload import Upload
from components.images.uploads import PreparedUploads, prepare_uploads
from components.ui import session
from components.ui import state_keys as keys
from components.ui.markdown_view import safe_label
from components.ui.prompt_presets import render_presets_menu
from components.ui.session import CameraState
from components.ui.sidebar import SidebarChoice

ASSETS = Path(__file__).with_name("camera_assets")
DATA_URL_PREFIX = "data:image/jpeg;base64,"
# A 1080p JPEG is ~300 KB (~400 KB as base64); a 4K one a few MB. Anything far larger is not a
# photo from this camera.
MAX_PHOTO_CHARS = 24 * 1024 * 1024
THUMB_PX = 56  # the chip's thumbnail, made at the size shown: st.image then resizes nothing
# Texts the component shows, per language; everything the browser would otherwise say in English.
_COMPONENT_TEXTS = ("take", "retake", "live", "starting", "denied", "none", "busy", "unavailable")

_camera = st.components.v2.component(
    "kantu_camera",
    html=(ASSETS / "camera.html").read_text(encoding="utf-8"),
    css=(ASSETS / "camera.css").read_text(encoding="utf-8"),
    js=(ASSETS / "camera.js").read_text(encoding="utf-8"),
)


@dataclass(frozen=True)
class CameraShot:
    """A photo from the camera, waiting to be sent: its bytes and a small thumbnail, made once."""

    photo_id: str  # sha256 of the JPEG, hex
    data: bytes = field(repr=False)
    thumbnail: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"CameraShot({self.photo_id[:12]}, {len(self.data)} bytes)"


def decode_photo(value: Any) -> bytes | None:
    """Return the JPEG bytes of the component's data URL, or None for anything else."""
    if not isinstance(value, str) or not value.startswith(DATA_URL_PREFIX):
        return None
    if len(value) > MAX_PHOTO_CHARS:
        return None
    try:
        data = base64.b64decode(value[len(DATA_URL_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        return None
    return data or None


def make_shot(data: bytes) -> CameraShot:
    """Return the photo as a ``CameraShot``; its thumbnail is empty if Pillow cannot read it
    (the preparation then says why it cannot be sent)."""
    thumb = io.BytesIO()
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (THUMB_PX * 2, THUMB_PX * 2))  # JPEG: decode at a fraction
            small = image.convert("RGB")
            small.thumbnail((THUMB_PX, THUMB_PX))
            small.save(thumb, "JPEG", quality=80)
    except (OSError, ValueError, Image.DecompressionBombError):
        thumb = io.BytesIO()
    return CameraShot(hashlib.sha256(data).hexdigest(), data, thumb.getvalue())


def prepared_photo(shot: CameraShot, choice: SidebarChoice) -> PreparedUploads:
    """Return the photo prepared for the current detail and model, once per photo and choice.

    The page reruns on every click; preparing a 1080p photo again each time would decode and
    encode it each time.
    """
    signature = (shot.photo_id, choice.detail, choice.model, choice.max_slices)
    state = session.camera()
    cached = state.photo
    if cached is None or cached[0] != signature:
        upload = Upload("camera.jpg", shot.data)
        prepared = prepare_uploads([upload], choice.pictures)
        cached = (signature, prepared)
        state.photo = cached
    return cached[1]


def pending_shot(state: CameraState) -> CameraShot | None:
    """Return the photo waiting by the input, if any."""
    return state.shot


def keep_shot(state: CameraState, shot: CameraShot) -> None:
    """Make ``shot`` the photo waiting by the input (a new photo replaces the last one)."""
    state.shot = shot


def discard_shot(state: CameraState) -> None:
    """Forget the waiting photo and its preparation."""
    state.shot = None
    state.photo = None


def remove_shot(state: CameraState) -> None:
    """Forget the waiting photo; an open camera goes back to live video."""
    discard_shot(state)
    state.round += 1


def close_camera(state: CameraState) -> None:
    """Forget the waiting photo and close the camera (the next one opens fresh)."""
    discard_shot(state)
    state.open = False
    state.round += 1


def toggle_camera(state: CameraState) -> None:
    """Open the camera, or close it (a photo already taken keeps waiting by the input)."""
    state.open = not state.open
    state.round += 1


def render_camera(lang: Lang, key: str) -> bytes | None:
    """Show the live camera; return the JPEG bytes on the run right after a photo was taken."""
    texts = {name: t(f"camera.{name}", lang) for name in _COMPONENT_TEXTS}
    result = _camera(
        key=key,
        data=texts,
        on_photo_change=lambda: None,  # a trigger: the photo arrives on one run only
    )
    return decode_photo(result.photo)


def render_camera_tray(choice: SidebarChoice) -> PreparedUploads:
    """Draw the camera (when open), its "📷" button and the waiting photo's chip; return that
    photo prepared (or nothing). Call inside the container just above the chat input."""
    lang = choice.lang
    state = session.camera()
    is_open = state.open
    # The camera's own slot, there whether it is open or not: the elements after it keep their
    # place in the page, so closing the camera does not draw the chip anew beside the old one.
    slot = st.empty()
    if is_open:  # only then is the component mounted: the camera's light is on only while shown
        with slot:
            data = render_camera(lang, keys.camera_view_key(state.round))
        if data is not None:
            keep_shot(state, make_shot(data))
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.button(
            t("camera.close" if is_open else "camera.open", lang),
            icon=":material/close:" if is_open else "📷",
            key=keys.CAMERA_BUTTON,
            on_click=toggle_camera,
            args=(state,),
        )
        render_presets_menu(lang)
        shot = pending_shot(state)
        if shot is None:
            return PreparedUploads(images=(), refusals=())
        photo = prepared_photo(shot, choice)
        _render_chip(shot, photo, lang)
    return photo


def _render_chip(shot: CameraShot, photo: PreparedUploads, lang: Lang) -> None:
    """Show the waiting photo: thumbnail, size and tokens, remove and send buttons."""
    with st.container(
        horizontal=True,
        gap="small",
        vertical_alignment="center",
        border=True,
        key=keys.CAMERA_CHIP,
        width="content",
    ):
        if shot.thumbnail:
            alt = t("camera.photo_alt", lang)
            st.image(shot.thumbnail, width="content", output_format="JPEG", alt=alt)
        for image in photo.images:
            st.caption(
                chip_caption(
                    image.width,
                    image.height,
                    image.tokens,
                    lang,
                    approximate=image.tokens_approximate,
                )
            )
        for refusal in photo.refusals:
            st.caption(safe_label(f"🚫 {refusal.message(lang)}"))
        st.button(
            t("camera.remove", lang),
            key=keys.camera_remove_key(shot.photo_id),
            type="tertiary",
            on_click=remove_shot,
            args=(session.camera(),),
        )
        if photo.images:
            st.button(
                t("camera.send", lang),
                icon="📤",
                key=keys.camera_send_key(shot.photo_id),
                type="tertiary",
                on_click=session.requester(session.SendPhoto()),
            )


def chip_caption(width: int, height: int, tokens: int, lang: Lang, *, approximate: bool) -> str:
    """Return "W×H · ~N tokens", saying when the token count is only an estimate."""
    key = "camera.chip_approx" if approximate else "camera.chip"
    return t(key, lang, width=width, height=height, tokens=f"{tokens:,}")
