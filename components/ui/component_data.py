"""The data a page component is mounted with, when it holds lists or dicts: one JSON text.

Streamlit looks for a dataframe in each value of a component's ``data`` that is a list or a
dict, and its first look imports pandas and pyarrow: about 0.2 s inside a new server's first run
(its first visitor's first screen waits for it) and some 50 MB that stay, then a look through
every such value on each run. A string is never looked into. So such data travels as
``{"json": text}``, and the component's script reads it with ``JSON.parse(data.json)``. Data of
plain strings, numbers and booleans needs none of this.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def packed(data: Mapping[str, Any]) -> dict[str, str]:
    """Return ``data`` as a component's data that Streamlit passes on without looking into."""
    return {"json": json.dumps(data, ensure_ascii=False, separators=(",", ":"))}
