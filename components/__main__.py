"""Command line: ``python -m components prepare|ask|read|probe|batch ...``.

Everything a command prints passes ``cli.output``'s filter: no provider or file text reaches the
terminal with its control characters.
"""

from __future__ import annotations

import argparse
import sys

from components.cli import ask as cli_ask
from components.cli import batch as cli_batch
from components.cli import output
from components.cli import prepare as cli_prepare
from components.cli import probe as cli_probe
from components.cli import read as cli_read


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the subcommand, return its exit code (2 on usage errors)."""
    parser = argparse.ArgumentParser(prog="python -m components", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (cli_prepare, cli_ask, cli_read, cli_probe, cli_batch):
        module.add_parser(sub)
    with output.filtered():
        args = parser.parse_args(argv)
        return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
