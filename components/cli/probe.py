"""`kantu probe`: can this model see? Or, with --list, which models are offered.

Sends a generated picture of random digits and says whether the answer holds them, with the
time taken and the tokens billed. Exit codes: 0 the model read the digits (or the list came);
1 it did not, or the provider or the network failed; 2 settings that cannot work.
Errors are one line on stderr (with ``--json``: a JSON object on stdout, see ``kantu ask -h``).
"""

from __future__ import annotations

import argparse
import json

from components.cli.commands import command_parser
from components.cli.connection import add_connection_flags, read_settings
from components.cli.outcome import FAILED, OK
from components.providers.settings import ClientSettings


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the `probe` subcommand."""
    parser = command_parser(
        sub, "probe", summary="check that a model can see pictures (or --list the provider's models)",
        doc=__doc__,
    )  # fmt: skip
    add_connection_flags(parser)
    parser.add_argument("--list", action="store_true", help="list the models (GET /models)")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Probe (or list), print the finding; return the exit code. Settings that cannot work and
    failures raise (``__main__`` says so)."""
    settings = read_settings(args)
    if args.list:
        return _list(settings, as_json=args.json)
    # Pillow and the chat client load only for this command: `ask` and `read` start faster
    from components.providers.probe import probe_vision

    result = probe_vision(settings, lang="en")  # the prompt the model reads, not a message
    if result.error is not None:
        raise result.error
    usage = result.usage
    if args.json:
        row = {
            "model": result.model,
            "sees": result.sees,
            "digits": result.digits,
            "answer": result.answer_text,
            "seconds": round(result.seconds, 3),
            "prompt_tokens": usage.prompt_tokens if usage else None,
            "completion_tokens": usage.completion_tokens if usage else None,
        }
        print(json.dumps(row, ensure_ascii=False))
    else:
        verdict = "sees" if result.sees else "does NOT see"
        billed = f", {usage.total_tokens} tokens" if usage else ""
        print(f"{result.model} {verdict}: sent {result.digits}, answered {result.answer_text!r}")
        print(f"({result.seconds:.2f} s{billed})")
    return OK if result.sees else FAILED


def _list(settings: ClientSettings, *, as_json: bool) -> int:
    from components.providers.probe import list_models

    models = list_models(settings)
    if as_json:
        print(json.dumps({"models": models}, ensure_ascii=False))
    else:
        print("\n".join(models))
    return OK
