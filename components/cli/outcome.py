"""How a command ends: its exit code, and the failure it reports (a line on stderr, or with
``--json`` one JSON document on stdout).

=====  ==========================================================================
code   meaning
=====  ==========================================================================
0      done: answered, prepared, read, the model sees
1      the provider or the network failed, or some inputs failed (see the output)
2      usage: bad flags, settings that cannot work, pictures refused before sending
130    interrupted (Ctrl-C)
141    stdout was closed early (``| head``): the rest of the output is dropped quietly
=====  ==========================================================================
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from components.errors import ConfigError, ImageError, KantuError

OK = 0
FAILED = 1
USAGE = 2
INTERRUPTED = 130
CLOSED_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer killed by the signal


def exit_code(err: KantuError) -> int:
    """Return the exit code for an error that ends a command: usage for settings and pictures
    refused before sending, a failure for everything the provider or the network did."""
    return USAGE if isinstance(err, ConfigError | ImageError) else FAILED


@dataclass(frozen=True)
class Failure:
    """A failure that ends a command: ``kind`` (an error kind, ``usage`` or ``cancelled``),
    the message for a person, and the exit code."""

    kind: str
    message: str
    code: int


def report(failure: Failure, *, as_json: bool) -> int:
    """Say ``failure`` (on stderr; with ``as_json`` as the one JSON document on stdout) and
    return its exit code."""
    if as_json:
        print(json.dumps(failure_json(failure), ensure_ascii=False))
    else:
        print(f"error: {failure.message}", file=sys.stderr)
    return failure.code


def failure_json(failure: Failure) -> dict[str, object]:
    """Return the ``--json`` document of a command that failed before it had a result."""
    return {
        "status": "error",
        "error": {"kind": failure.kind, "message": failure.message},
        "exit_code": failure.code,
    }
