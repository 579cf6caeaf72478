"""A page script sent once and its data on each run: two invisible ``st.components.v2`` elements.

A v2 component's element carries its script inline, so every run whose data changed sent the
whole script again: the browser store's 22 KB and the reading script's 23 KB made up 90-110 KB of
the 130-160 KB a short question moved over the websocket. Here the script's element never
changes (it has no data, so Streamlit sends it as a reference to what the browser holds), and a
small element carries the data: it hands each of its mounts (``data``, ``setStateValue``,
``setTriggerValue``, ``parentElement``, as Streamlit gives them) to the script's
``takeMount(component)``, the function that was the script's default export. The script's
module may load after its data's: mounts wait, in order, until it has.

Both elements take no room (not even the gap the page leaves between elements).
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

# Prepended to both: hide the element's box, and the page's table of one script's mounts.
_COMMON_JS = """
function hideBox(parentElement) {
  const host = parentElement.host || parentElement;
  const box = host.closest && host.closest('[data-testid="stElementContainer"]');
  if (box) box.style.display = "none";
}
const mountsOf = (name) => (window.__kantuMounts ??= {})[name] ??= { waiting: [], take: null };
"""

_SCRIPT_END = """
export default function ({ parentElement }) {
  hideBox(parentElement);
  const mounts = mountsOf({name});
  if (mounts.take) return;
  mounts.take = takeMount;
  mounts.waiting.splice(0).forEach(takeMount);
}
"""

_DATA_JS = """
export default function (component) {
  hideBox(component.parentElement);
  const mounts = mountsOf({name});
  if (mounts.take) mounts.take(component);
  else mounts.waiting.push(component);
}
"""


class PageScript:
    """One page script (``js`` defines ``takeMount(component)``) and its data's element, both
    named after ``name`` (the data's keeps it: its state values are the component's)."""

    def __init__(self, name: str, js: str) -> None:
        quoted = json.dumps(name)
        self._script = st.components.v2.component(
            f"{name}_script", js=_COMMON_JS + js + _SCRIPT_END.replace("{name}", quoted)
        )
        self._data = st.components.v2.component(
            name, js=_COMMON_JS + _DATA_JS.replace("{name}", quoted)
        )

    def mount(self, key: str, script_key: str, data: Any = None, **callbacks: Any) -> Any:
        """Mount the script under ``script_key`` (unchanged on every run), then its ``data``
        under ``key`` with the data element's ``on_*_change`` ``callbacks``; return what the
        data's element returns."""
        self._script(key=script_key, height=0)
        return self.mount_data(key, data, **callbacks)

    def mount_data(self, key: str, data: Any = None, **callbacks: Any) -> Any:
        """Mount another element of data alone, under ``key`` (the script is on the page once
        ``mount`` has run in this run); return what it returns."""
        return self._data(key=key, data=data, height=0, **callbacks)
