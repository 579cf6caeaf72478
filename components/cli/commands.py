"""How the command line is declared: the program's name, the parser whose usage errors come back
as exceptions (so ``--json`` can report them as JSON), and the one way a subcommand is added."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

SCRIPT_NAMES = ("kantu", "kantu-script")  # the console script (pip's Windows launcher adds -script)


class UsageError(Exception):
    """A command line that cannot work: why, and the parser whose usage to show (None: the
    flags parsed, but their combination cannot work)."""

    def __init__(self, parser: argparse.ArgumentParser | None, why: str) -> None:
        super().__init__(why)
        self.parser = parser
        self.why = why


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises ``UsageError`` instead of printing and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(self, message)


def prog_name(argv0: str) -> str:
    """Return ``kantu`` when started as the installed script, else ``python -m components``."""
    return "kantu" if Path(argv0).stem in SCRIPT_NAMES else "python -m components"


def command_parser(
    sub: argparse._SubParsersAction, name: str, *, summary: str, doc: str
) -> argparse.ArgumentParser:
    """Add subcommand ``name``: ``summary`` in the list of commands, ``doc`` (its module's
    docstring, kept as written) in its own ``--help``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=summary,
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser
