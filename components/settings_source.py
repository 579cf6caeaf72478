"""The operator's settings, read one way everywhere: Streamlit's secrets, then the environment.

Every reader of a ``KANTU_*`` (or ``OPENAI_*``) setting goes through ``SettingsSource``: the
hosting rules (``components.hosting.config``), the connection (``components.providers.settings``),
the price book (``KANTU_PRICES``), the pages (which pass ``st.secrets`` as a plain mapping) and
the command line (which reads the secrets files Streamlit reads, see ``command_line_source``).

A value set in the secrets wins over the environment; an empty or blank value is unset. Values
are parsed the same way whatever their source:

- a list is a TOML array (secrets) or comma-separated text (environment);
- a table is a TOML table (secrets) or TOML text (environment): ``daily_requests = 500``;
- a flag is true/false, 1/0, yes/no or on/off, in any case, or a TOML boolean.

Values are never logged: a setting may hold a key or a code.

``SecretsCache`` keeps the plain settings made from a secrets object, per process, until the
object is replaced or says it reloaded: a rerun reads them without walking the secrets again.
"""

from __future__ import annotations

import os
import threading
import time
import tomllib
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.errors import ConfigError

FLAGS: dict[str, bool] = {"true": True, "1": True, "yes": True, "on": True}
FLAGS |= {"false": False, "0": False, "no": False, "off": False}
SECRETS_FILE = Path(".streamlit") / "secrets.toml"


@dataclass(frozen=True)
class SettingsSource:
    """Where settings are read: ``secrets`` first, then ``environ``. Neither shows in a repr.

    Either may be None (nothing there), or a mapping whose ``get`` raises (Streamlit's secrets
    without a secrets file), which counts as empty.
    """

    secrets: Mapping[str, Any] | None = field(default=None, repr=False)
    environ: Mapping[str, Any] | None = field(default=None, repr=False)

    def value(self, name: str) -> Any:
        """Return the setting as given (text, number, list or table), or None when unset."""
        for source in (self.secrets, self.environ):
            if source is None:
                continue
            try:
                value = source.get(name)
            except Exception:  # Streamlit's secrets raise when no secrets file exists
                continue
            if value is not None and (not isinstance(value, str) or value.strip()):
                return value
        return None

    def text(self, name: str) -> str | None:
        """Return the setting as stripped text, or None when unset."""
        value = self.value(name)
        return None if value is None else str(value).strip()

    def strings(self, name: str) -> tuple[str, ...]:
        """Return the setting as a list of non-blank texts: a TOML array or comma-separated."""
        return split_list(self.value(name))

    def table(self, name: str) -> dict[str, Any] | None:
        """Return the setting as a table, or None when unset.

        Raises ConfigError("bad_setting") naming the setting when it is not a table nor TOML text.
        """
        return parse_table(self.value(name), name)

    def flag(self, name: str) -> bool | None:
        """Return the setting as a flag, or None when unset.

        Raises ConfigError("bad_setting") naming the setting when it is not a flag word.
        """
        text = self.text(name)
        if text is None:
            return None
        if text.lower() not in FLAGS:
            raise ConfigError("bad_setting", f"{name} is not a flag", name=name)
        return FLAGS[text.lower()]


def split_list(value: Any) -> tuple[str, ...]:
    """Return ``value`` as non-blank texts: a list's items, else its text split on commas."""
    if value is None:
        return ()
    items = list(value) if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(s for s in (str(item).strip() for item in items) if s)


def parse_table(value: Any, name: str) -> dict[str, Any] | None:
    """Return ``value`` as a plain table: a mapping copied, TOML text parsed, None kept.

    Raises ConfigError("bad_setting", name=name) for text that is not TOML, or anything else.
    """
    if value is None:
        return None
    if isinstance(value, Mapping):
        return plain(value)
    if not isinstance(value, str):
        raise ConfigError("bad_setting", f"{name} is not a table", name=name)
    try:
        return tomllib.loads(value)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("bad_setting", f"{name}: {exc}", name=name) from exc
    except RecursionError as exc:  # tomllib recurses once per nested array or table
        raise ConfigError("bad_setting", f"{name}: nested too deeply", name=name) from exc


def plain(table: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``table`` (Streamlit's secrets or a section of them) as nested plain dicts."""
    return {k: plain(v) if isinstance(v, Mapping) else v for k, v in table.items()}


def secrets_files(cwd: Path, home: Path) -> tuple[Path, ...]:
    """Return the secrets files Streamlit reads by default, the one that wins last: the user's
    (``~/.streamlit/secrets.toml``), then the project's (``./.streamlit/secrets.toml``)."""
    return (home / SECRETS_FILE, cwd / SECRETS_FILE)


def read_secrets_files(paths: tuple[Path, ...]) -> dict[str, Any]:
    """Return the settings in ``paths`` merged, a later file's top-level names winning; a missing
    file is skipped. Raises ConfigError("bad_setting") naming a file that is not TOML."""
    merged: dict[str, Any] = {}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError("bad_setting", f"{path}: {exc}", name=str(path)) from exc
        table = parse_table(text, str(path))
        merged.update(table or {})
    return merged


def command_line_source(
    *, cwd: Path | None = None, home: Path | None = None, environ: Mapping[str, str] | None = None
) -> SettingsSource:
    """Return the settings the command line reads: the secrets files the app would read when
    started in ``cwd`` (``secrets_files``), then ``environ`` (default: this process's).

    Raises ConfigError("bad_setting") when a secrets file cannot be read as TOML.
    """
    paths = secrets_files(cwd or Path.cwd(), home or Path.home())
    return SettingsSource(read_secrets_files(paths), os.environ if environ is None else environ)


class SecretsCache:
    """The plain settings made from one secrets object, kept until ``invalidate`` (the secrets
    file changed) or until another object is asked about. Holds no per-user data: the operator's
    settings only. Thread-safe.

    No secrets file (``make`` raises FileNotFoundError) counts as empty settings, kept for
    ``recheck_missing_s``: Streamlit watches only a file it has read, and looks for a missing one
    again on every access, about 25 µs each, dozens of times a run.
    """

    def __init__(self, recheck_missing_s: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self._lock = threading.Lock()
        self._generation = 0
        self._recheck_missing_s = recheck_missing_s
        self._clock = clock
        # (the source, its generation, the settings, until when they hold; None: until changed)
        self._entry: tuple[weakref.ref[Any], int, dict[str, Any], float | None] | None = None

    def invalidate(self, *_: object, **__: object) -> None:
        """Forget the kept settings (a signal's receiver: any arguments are ignored)."""
        with self._lock:
            self._generation += 1
            self._entry = None

    def get(self, source: object, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Return a copy of the settings made from ``source``, making them with ``make()`` when
        none are kept for it; empty when ``make`` finds no file. What else ``make`` raises is
        raised and nothing is kept."""
        now = self._clock()
        with self._lock:
            entry, generation = self._entry, self._generation
        if (
            entry is not None
            and entry[0]() is source
            and entry[1] == generation
            and (entry[3] is None or now < entry[3])
        ):
            return dict(entry[2])
        until: float | None = None
        try:
            made = make()
        except FileNotFoundError:  # no secrets file: looked for again in a moment
            made, until = {}, now + self._recheck_missing_s
        with self._lock:
            if self._generation == generation:  # not reloaded meanwhile: still current
                self._entry = (weakref.ref(source), generation, made, until)
        return dict(made)
