"""`python -m components ask`: placeholder until its issue lands."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the `ask` subcommand."""
    parser = sub.add_parser("ask", help="not built yet")
    parser.set_defaults(run=lambda args: 2)
