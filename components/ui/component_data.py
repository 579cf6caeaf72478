"""The data a page component is mounted with, when it holds lists or dicts: JSON, as bytes.

Streamlit looks for a dataframe in each value of a component's ``data`` that is a list or a
dict, and its first look imports pandas and pyarrow: about 0.2 s inside a new server's first run
(its first visitor's first screen waits for it) and some 50 MB that stay, then a look through
every such value on each run. Bytes are forwarded as they are (the element's ``bytes`` field):
never looked into, written into JSON by no one else (a JSON text inside ``data`` was escaped a
second time, and parsed twice in the page). So such data travels as UTF-8 JSON bytes, and the
component's script, which starts with ``UNPACK_JS``, reads it with ``unpacked(data)``. Data of
plain strings, numbers and booleans needs none of this.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# Prepended to a component's script: its data as packed here, read back (null when none).
UNPACK_JS = (
    "const unpacked = (data) => (data instanceof Uint8Array && data.length"
    " ? JSON.parse(new TextDecoder().decode(data)) : null);\n"
)


def packed(data: Mapping[str, Any]) -> bytes:
    """Return ``data`` as a component's data that Streamlit passes on without looking into."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
