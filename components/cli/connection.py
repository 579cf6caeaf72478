"""Which provider and model a subcommand talks to: the flags that say it, and the settings read.

Settings are read as the app reads them (``components.settings_source``): the secrets files
Streamlit would read when started here, then the environment; the flags win over both.
"""

from __future__ import annotations

import argparse
import sys

from components.cli.messages import message, terminal_lang
from components.providers.settings import ClientSettings, resolve_settings
from components.settings_source import command_line_source

# Each flag's destination, which is also its name in ``resolve_settings``.
CONNECTION_FLAGS = ("base_url", "api_key", "model")


def add_connection_flags(parser: argparse.ArgumentParser) -> None:
    """Declare ``--base-url``, ``--api-key`` and ``--model`` on ``parser``."""
    parser.add_argument("--base-url", help="OpenAI-compatible base URL (env KANTU_BASE_URL)")
    parser.add_argument("--api-key", help="API key (env KANTU_API_KEY, then OPENAI_API_KEY)")
    parser.add_argument("--model", help="model name (env KANTU_MODEL; else the preset's)")


def read_settings(args: argparse.Namespace, *, read_timeout: float = 60.0) -> ClientSettings:
    """Return the settings from the connection flags, then the secrets files and the environment
    (``command_line_source``; never hosted). Raises ConfigError when they cannot work."""
    source = command_line_source()
    flags = {name: getattr(args, name) for name in CONNECTION_FLAGS}
    # hosted=False: the command line runs as whoever started it, no visitors to guard against
    return resolve_settings(
        **flags, secrets=source.secrets, environ=source.environ, read_timeout=read_timeout,
        hosted=False,
    )  # fmt: skip


def command_line_settings(args: argparse.Namespace) -> ClientSettings:
    """Return ``read_settings`` with ``--timeout`` as the read timeout, for a command about to
    send. Raises ConfigError when they cannot work or no key is known; warns on stderr when the
    operator's key is left unused and the server may need none."""
    settings = read_settings(args, read_timeout=args.timeout)
    lang = terminal_lang()
    missing = settings.missing_key_error(lang)
    if missing is not None:
        raise missing
    if settings.unpaired is not None and not settings.api_key:  # a server that needs no key
        print(f"warning: {message(settings.unpaired.error(), lang)}", file=sys.stderr)
    return settings
