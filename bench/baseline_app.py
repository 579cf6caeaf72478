"""The naive baseline for bench/browser.py: a photo chat in a couple of dozen lines of Streamlit.

Open -> thumbnail(1024) -> JPEG -> ``requests.post(stream=True)`` -> ``iter_lines`` ->
``st.write_stream``; no history images, no error handling. Reads BASELINE_BASE_URL (an
OpenAI-compatible ``.../v1``) and BASELINE_API_KEY.
"""

import base64
import io
import json
import os

import requests
import streamlit as st
from PIL import Image

for role, text in st.session_state.setdefault("history", []):
    st.chat_message(role).write(text)
if prompt := st.chat_input("Ask about a picture", accept_file="multiple", file_type=["jpg", "png"]):
    content = [{"type": "text", "text": prompt.text}]
    for upload in prompt.files:
        image = Image.open(upload).convert("RGB")
        image.thumbnail((1024, 1024))
        jpeg = io.BytesIO()
        image.save(jpeg, "JPEG", quality=85)
        url = "data:image/jpeg;base64," + base64.b64encode(jpeg.getvalue()).decode()
        content.append({"type": "image_url", "image_url": {"url": url}})
    st.session_state.history.append(("user", prompt.text))
    st.chat_message("user").write(prompt.text)
    response = requests.post(
        os.environ["BASELINE_BASE_URL"] + "/chat/completions",
        json={
            "model": "gpt-4o-mini",
            "stream": True,
            "messages": [{"role": "user", "content": content}],
        },
        headers={"Authorization": "Bearer " + os.environ["BASELINE_API_KEY"]},
        stream=True,
        timeout=60,
    )

    def deltas():
        for line in response.iter_lines():
            if line.startswith(b"data: ") and line != b"data: [DONE]":
                for choice in json.loads(line[6:])["choices"]:
                    yield choice["delta"].get("content") or ""

    with st.chat_message("assistant"):
        st.session_state.history.append(("assistant", st.write_stream(deltas())))
