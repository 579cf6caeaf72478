"""Light, dark or the system's: the sidebar's theme switch and the snippet that applies it.

``.streamlit/config.toml`` defines ``[theme.light]`` and ``[theme.dark]``, so Streamlit follows the
system's ``prefers-color-scheme`` by itself (its "Custom Theme Auto"), live. Streamlit 1.67 has
no call to set the theme from Python, and ``toolbarMode = "minimal"`` hides its own theme menu, so
the switch pins a theme the only live way its frontend listens to: the system's answer. An
invisible ``st.components.v2`` snippet (it runs in the page, not an iframe) makes
``matchMedia("(prefers-color-scheme: dark)")`` answer the pinned theme and sends the event after
which Streamlit re-reads the system's preference (``afterprint``); "system" gives the real answer
back. Nothing reloads, so the conversation stays. The choice is kept in the browser (a cookie,
which a new session reads on its first run, so the page is drawn in it from the start; and
``localStorage``, whose choice the snippet offers back to a session that has no cookie). The theme in force is marked on the page
(``<html data-kantu-scheme="dark">``) for the style rules that differ by theme. ``tests/e2e/test_theme.py`` pins this to
the installed Streamlit.
"""

from __future__ import annotations

from typing import Literal, get_args

import streamlit as st

from components.i18n import LANGS, Lang, t
from components.ui import session
from components.ui import state_keys as keys

ThemeChoice = Literal["system", "light", "dark"]
THEME_CHOICES: tuple[ThemeChoice, ...] = get_args(ThemeChoice)
_ICONS: dict[ThemeChoice, str] = {"system": "🖥️", "light": "☀️", "dark": "🌙"}

COOKIE = "kantu-theme"  # the choice, kept in the browser and read by a new session's first run

_JS = """
const STORE = "{cookie}";

function keep(choice) {
  try { window.localStorage.setItem(STORE, choice); } catch (err) { /* private mode */ }
  // A new session reads the cookie on its very first run: the page is drawn in the choice.
  document.cookie = `${STORE}=${choice}; path=/; max-age=31536000; SameSite=Lax`;
}
const QUERY = /prefers-color-scheme\\s*:\\s*dark/;

function install() {
  if (window.__kantuTheme) return window.__kantuTheme;
  const real = window.matchMedia.bind(window);
  const state = { pinned: null };
  window.matchMedia = (query) => {
    const answer = real(query);
    if (state.pinned === null || !QUERY.test(query)) return answer;
    // The real list for its listeners (a system change still reaches Streamlit), our answer.
    return new Proxy(answer, {
      get(target, prop) {
        if (prop === "matches") return state.pinned === "dark";
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
  // The theme in force, for the few style rules that differ (components/ui/style.py).
  const system = real("(prefers-color-scheme: dark)");
  state.mark = () => {
    const dark = state.pinned === null ? system.matches : state.pinned === "dark";
    document.documentElement.dataset.kantuScheme = dark ? "dark" : "light";
  };
  system.addEventListener("change", state.mark);
  window.__kantuTheme = state;
  return state;
}

function stored() {
  try { return window.localStorage.getItem(STORE); } catch (err) { return null; }
}

export default function ({ data, setStateValue }) {
  const state = install();
  let choice = data.choice;
  if (state.sent === undefined && choice === "system") {
    // A new page load with no choice in its session: the browser's remembered one, told back
    // to the sidebar so the switch shows it.
    const kept = stored();
    if (kept === "light" || kept === "dark") {
      state.offered = kept;
      keep(kept);
      setStateValue("stored", kept);
    }
  } else if (state.sent !== choice) {
    // The session moved: the visitor's own choice, or the remembered one taken.
    if (choice !== state.offered) keep(choice);
    state.offered = null;
  }
  // A run that started before the session took the remembered choice still says "system":
  // the remembered one stays in force until the session answers.
  if (state.offered && choice === "system") choice = state.offered;
  state.sent = data.choice;
  const pinned = choice === "light" || choice === "dark" ? choice : null;
  if (state.pinned !== pinned) {
    state.pinned = pinned;
    window.dispatchEvent(new Event("afterprint"));  // Streamlit re-reads the system's theme
  }
  state.mark();
}
"""

_snippet = st.components.v2.component("kantu_theme", js=_JS.replace("{cookie}", COOKIE))


def _adopt_stored() -> None:
    """Take the browser's remembered theme as this session's (a callback: it only sets state)."""
    stored = (session.widget(keys.THEME_SNIPPET) or {}).get("stored")
    if stored in THEME_CHOICES:
        session.set_widget(keys.THEME, stored)
        shown = session.widget(keys.LANG)
        for lang in LANGS:  # the switch in view shows it at once; the other starts at it
            if lang == shown:
                session.set_widget(keys.choice_key(keys.THEME, lang), stored)
            else:
                session.forget_widget(keys.choice_key(keys.THEME, lang))


def remembered_theme() -> ThemeChoice:
    """Return the choice this browser keeps (its cookie), for a new session's first run;
    "system" when it keeps none."""
    kept = st.context.cookies.get(COOKIE)
    return next((choice for choice in THEME_CHOICES if choice == kept), "system")


def theme_label(choice: ThemeChoice, lang: Lang) -> str:
    """Return the switch's label for ``choice`` in ``lang``."""
    return f"{_ICONS[choice]} {t(f'theme.{choice}', lang)}"


def apply_theme(choice: ThemeChoice) -> None:
    """Apply ``choice`` in the browser (an invisible snippet; call it inside the sidebar)."""
    _snippet(
        key=keys.THEME_SNIPPET,
        data={"choice": choice},
        on_stored_change=_adopt_stored,
        height=0,
    )
