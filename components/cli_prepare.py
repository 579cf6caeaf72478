"""`python -m components prepare`: placeholder until its issue lands."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the `prepare` subcommand."""
    parser = sub.add_parser("prepare", help="not built yet")
    parser.set_defaults(run=lambda args: 2)
