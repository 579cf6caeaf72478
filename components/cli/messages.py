"""What the command line says when something goes wrong, in the terminal's language.

The language comes from the locale (``LC_ALL``, then ``LC_MESSAGES``, then ``LANG``: ``zh*`` is
Chinese, anything else English). An error whose page wording points at the sidebar or the key
field has a command-line variant (``cli.<key>``) naming the flag and the environment variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from components.errors import ConfigError, ImageError, KantuError, ProviderError
from components.i18n import Lang, lang_from_locale, t

# The page's message key -> the command line's, for the texts that speak of the page.
VARIANTS: dict[str, str] = {
    "config.no_key": "cli.config.no_key",
    "config.operator_key_withheld": "cli.config.operator_key_withheld",
    "config.bad_operator_key": "cli.config.bad_operator_key",
    "config.operator_key_unpaired": "cli.config.operator_key_unpaired",
    "config.base_url_userinfo": "cli.config.base_url_userinfo",
    "error.model_not_found": "cli.error.model_not_found",
}


def terminal_lang(environ: Mapping[str, str] | None = None) -> Lang:
    """Return the language of the locale (the first of LC_ALL, LC_MESSAGES, LANG that is set)."""
    env = os.environ if environ is None else environ
    locale = next((env[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(name)), "")
    return lang_from_locale(locale) if locale else "en"  # no locale: a plain C terminal


def message(err: KantuError, lang: Lang) -> str:
    """Return ``err``'s message in ``lang``, in its command-line wording where it has one."""
    return t(VARIANTS.get(err.message_key, err.message_key), lang, **err.facts)


def error_line(err: KantuError, lang: Lang) -> str:
    """Return the one line for stderr: the message, then the other side's own words if any."""
    line = message(err, lang)
    if isinstance(err, ImageError | ConfigError) or not err.detail:
        return line
    if isinstance(err, ProviderError) and (err.status is not None or err.vendor_code is not None):
        return line + " " + t("error.provider_said", lang, detail=err.detail)
    return f"{line} ({err.detail})"  # our own words (a timeout, a refused connection)
