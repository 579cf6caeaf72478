"""The chat page: drop, paste or shoot a picture, ask, watch the answer stream."""

from __future__ import annotations

import streamlit as st

from components.i18n import t
from components.images.uploads import (
    IMAGE_EXTENSIONS,
    PreparedUploads,
    Upload,
    combine,
    prepare_uploads,
)
from components.ui import state_keys as keys
from components.ui.chat import (
    conversation,
    render_entry,
    render_history,
    render_images,
    settle_previous_answer,
    stream_answer,
)
from components.ui.sidebar import SidebarChoice
from components.ui.welcome import render_welcome

choice: SidebarChoice = st.session_state[keys.SIDEBAR_CHOICE]
lang = choice.lang
conv = conversation()

settle_previous_answer()  # before reading the history: an earlier run may still be adding to it
if st.session_state[keys.NEW_CHAT_REQUESTED]:
    st.session_state[keys.NEW_CHAT_REQUESTED] = False
    conv.clear()

retrying = st.session_state[keys.RETRY] and conv.can_retry()
st.session_state[keys.RETRY] = False
if retrying:
    conv.drop_failed_answer()

submission = st.chat_input(
    t("chat.placeholder", lang),
    key=keys.CHAT_INPUT,
    accept_file="multiple",
    file_type=list(IMAGE_EXTENSIONS),
    # Disabled while an answer streams, so a new message never silently kills it; the answer
    # has its own Stop button.
    submit_mode="disable",
)

if not conv.entries and submission is None and not st.session_state[keys.SEND_CAMERA]:
    render_welcome(choice)
render_history(conv, lang, choice)
new_messages = st.container()  # the next exchange goes here, above the camera

# The camera: its photo waits, shown with its prepared size, and goes with the next message.
camera_on = st.toggle(t("chat.camera_toggle", lang), key=keys.CAMERA_ON)
camera_key = keys.camera_key(st.session_state[keys.CAMERA_ROUND])
photo = PreparedUploads(images=(), refusals=())  # the camera's photo, prepared once
if camera_on:
    shot = st.camera_input(t("chat.camera_label", lang), key=camera_key, resolution="1080p")
    if shot is not None:
        photo = prepare_uploads(
            [Upload(shot.name or "camera.jpg", shot.getvalue())],
            detail=choice.detail,
            model=choice.model,
        )
        render_images(photo.images, lang)
        for refusal in photo.refusals:
            st.warning(refusal.message(lang), icon="🚫")
        st.button(
            t("chat.send_photo", lang),
            icon="📤",
            on_click=st.session_state.__setitem__,
            args=(keys.SEND_CAMERA, True),
        )

has_photo = bool(photo.images or photo.refusals)
send_photo_now = st.session_state[keys.SEND_CAMERA] and has_photo
st.session_state[keys.SEND_CAMERA] = False

if submission is not None or send_photo_now:
    text = (submission.text if submission else "") or ""
    uploads = [Upload(f.name, f.getvalue()) for f in (submission.files if submission else [])]
    if has_photo:
        st.session_state[keys.CAMERA_ROUND] += 1  # the photo is used: the camera starts empty
    prepared = combine(prepare_uploads(uploads, detail=choice.detail, model=choice.model), photo)
    if text.strip() or uploads or has_photo:
        question = text.strip() or t("chat.default_question", lang)
        sent = bool(prepared.images) or not prepared.refusals
        entry = conv.add_user(question, prepared.images, prepared.refusals, sent=sent)
        with new_messages:
            render_entry(entry, conv, lang, choice, last=True)
            if sent:
                stream_answer(conv, choice)
        if has_photo:
            st.rerun()  # show the camera empty again
elif retrying:
    with new_messages:
        stream_answer(conv, choice)

if conv.entries:  # after this run's exchange, so it shows as soon as there is one
    st.sidebar.button(
        t("sidebar.new_chat", lang),
        icon="🆕",
        key=keys.NEW_CHAT,
        on_click=st.session_state.__setitem__,
        args=(keys.NEW_CHAT_REQUESTED, True),
    )
