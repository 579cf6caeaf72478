"""The translation table: every UI string and every error message, in Chinese and English.

Each feature's texts live in their own module, named after the key prefix it owns: ``MESSAGES``
(``{key: {"zh": …, "en": …}}``) and ``PREFIXES`` (the first parts of its keys). A key
``batch.via.direct`` therefore lives in :mod:`components.i18n.batch`, ``admin.*`` in
:mod:`components.i18n.hosting`. This package merges them into ``TEXTS``; a prefix claimed twice
or a key outside the feature owning its prefix (so any key defined in two features) raises
``ValueError`` at import. Within one module a repeated key is a lint error (ruff F601).

``t(key, lang, **fmt)`` looks a key up and fills ``{placeholders}``; ``{n:answer|answers}``
is the word for the number ``n``, singular or plural (English only: Chinese has none). An unknown key raises
``KeyError``, always: keys are literals or finite families that ``tests/test_i18n.py`` finds in
the code and checks, so a missing text is a bug for the tests to catch, never a key to show a
reader (a key read from outside, as in an imported chat, is checked against ``TEXTS`` first). A
placeholder with no value stays as written rather than raising, so a missing fact never breaks
an error message.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from typing import Protocol

from components.i18n import (
    actions,
    app,
    batch,
    camera,
    chat,
    chats,
    cli,
    compare,
    config,
    context,
    costs,
    errors,
    gallery,
    history,
    history_browser,
    hosting,
    images,
    ocr,
    pending,
    preset,
    probe,
    share,
    shortcuts,
    sidebar,
    theme,
    tools,
    transfer,
    widgets,
)
from components.i18n.language import DEFAULT_LANG, LANGS, Lang, lang_from_locale

__all__ = ["DEFAULT_LANG", "FEATURES", "LANGS", "TEXTS", "Lang", "lang_from_locale", "merge", "t"]


class FeatureTable(Protocol):
    """One feature's texts: a module with ``PREFIXES`` and ``MESSAGES``."""

    __name__: str
    PREFIXES: tuple[str, ...]
    MESSAGES: dict[str, dict[Lang, str]]


FEATURES: tuple[FeatureTable, ...] = (
    errors,
    shortcuts,
    images,
    config,
    app,
    sidebar,
    chat,
    pending,
    ocr,
    costs,
    context,
    transfer,
    probe,
    camera,
    actions,
    gallery,
    compare,
    hosting,
    history_browser,
    batch,
    tools,
    preset,
    cli,
    history,
    theme,
    widgets,
    chats,
    share,
)


def merge(features: Iterable[FeatureTable]) -> dict[str, dict[Lang, str]]:
    """Return one table of every feature's messages.

    Each key lives in the one feature that owns its prefix, so a key defined in two features is
    outside the prefixes of one of them. Raises ValueError when two features claim a prefix, or
    when a key is not in the feature that owns its prefix.
    """
    features = tuple(features)
    owner: dict[str, str] = {}
    for feature in features:
        for prefix in feature.PREFIXES:
            if prefix in owner:
                raise ValueError(
                    f"prefix {prefix!r} is claimed by {owner[prefix]} and {feature.__name__}"
                )
            owner[prefix] = feature.__name__
    merged: dict[str, dict[Lang, str]] = {}
    for feature in features:
        for key, entry in feature.MESSAGES.items():
            prefix = key.split(".", 1)[0]
            if owner.get(prefix) != feature.__name__:
                home = owner.get(prefix, "no feature")
                raise ValueError(f"{key!r} is in {feature.__name__}, but {home} owns {prefix!r}")
            merged[key] = dict(entry)
    return merged


TEXTS: dict[str, dict[Lang, str]] = merge(FEATURES)


class _KeepMissing(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class _Plurals(string.Formatter):
    """Fill placeholders; ``{n:picture|pictures}`` gives the word for the number ``n`` (the
    first when it is 1, else the second). Only English needs it: Chinese has no plural."""

    def format_field(self, value: object, format_spec: str) -> str:
        if "|" not in format_spec:
            return super().format_field(value, format_spec)
        one, _, other = format_spec.partition("|")
        return one if isinstance(value, int | float) and value == 1 else other


_FORMATTER = _Plurals()


def t(key: str, lang: Lang = DEFAULT_LANG, **fmt: object) -> str:
    """Return the text for ``key`` in ``lang`` with ``fmt`` filled in.

    Raises KeyError for a key no feature defines.
    """
    entry = TEXTS.get(key)
    if entry is None:
        raise KeyError(f"no text for the key {key!r}")
    text = entry.get(lang) or entry["en"]
    if not fmt:
        return text
    return _FORMATTER.vformat(text, (), _KeepMissing(fmt))
