"""Command line: ``kantu prepare|ask|read|probe|batch ...`` (or ``python -m components ...``).

Everything a command prints passes ``cli.output``'s filter: no provider or file text reaches the
terminal with its control characters. Exit codes: see ``components.cli.outcome``.
"""

from __future__ import annotations

import os
import sys

from components import __version__
from components.cli import ask as cli_ask
from components.cli import batch as cli_batch
from components.cli import output
from components.cli import prepare as cli_prepare
from components.cli import probe as cli_probe
from components.cli import read as cli_read
from components.cli.commands import Parser, UsageError, prog_name
from components.cli.messages import error_line, terminal_lang
from components.cli.outcome import CLOSED_PIPE, INTERRUPTED, USAGE, Failure, exit_code, report
from components.errors import KantuError


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the subcommand, return its exit code (2 on usage errors)."""
    argv = sys.argv[1:] if argv is None else argv
    parser = Parser(prog=prog_name(sys.argv[0]), description=__doc__)
    parser.add_argument("--version", action="version", version=f"kantu {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (cli_prepare, cli_ask, cli_read, cli_probe, cli_batch):
        module.add_parser(sub)
    as_json = "--json" in argv[: argv.index("--")] if "--" in argv else "--json" in argv
    try:
        with output.filtered():
            try:
                args = parser.parse_args(argv)
                return int(args.run(args))
            except UsageError as err:
                if err.parser is not None:
                    err.parser.print_usage(sys.stderr)
                return report(Failure("usage", err.why, USAGE), as_json=as_json)
            except KantuError as err:
                failure = Failure(err.kind, error_line(err, terminal_lang()), exit_code(err))
                return report(failure, as_json=as_json)
            finally:
                sys.stdout.flush()
    except BrokenPipeError:
        return _stdout_closed()
    except KeyboardInterrupt:  # a command without its own Ctrl-C handling: end as a shell expects
        return INTERRUPTED


def _stdout_closed() -> int:
    """The reader of stdout went away: point stdout at devnull so that the interpreter's last
    flush finds somewhere to write (Python's documented recipe), and end without a traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return CLOSED_PIPE


if __name__ == "__main__":
    sys.exit(main())
