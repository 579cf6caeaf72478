"""`kantu ask QUESTION [--image FILE]...`: ask a vision model about pictures, streaming the answer.

``-`` reads the question from stdin (``echo 这是什么 | kantu ask - --image a.jpg``), or, as
``--image -``, one picture's bytes (``kantu ask "what is this?" --image - < a.jpg``); not both.

Exit codes: 0 answered; 1 the provider or the network failed (a partial answer stays on stdout);
2 usage errors, unreadable images, or settings that cannot work; 130 interrupted (Ctrl-C);
141 stdout closed early. Errors are one line on stderr.

``--json`` prints exactly one JSON document on stdout, also on failure, and streams the answer to
stderr instead (``--quiet``: not at all): the answer, ``status``, usage and timings, Kantu's
estimate of the prompt beside the provider's bill, the costs when the model's price is known (the
table's, or the operator's ``KANTU_PRICES``: ``"m" = { input = 1, output = 4, currency = "CNY" }``,
per million tokens), ``error`` (``kind`` and ``message``, or null) and ``exit_code``.

Settings are read as the app reads them (``components.settings_source``): the secrets files
Streamlit would read when started here (``~/.streamlit/secrets.toml``, then
``./.streamlit/secrets.toml``), then the environment; the flags win over both.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from components.cli.commands import UsageError, command_parser
from components.cli.connection import add_connection_flags, command_line_settings
from components.cli.messages import error_line, terminal_lang
from components.cli.outcome import FAILED, INTERRUPTED, OK, USAGE, Failure, report
from components.cli.stdin import STDIN, read_picture, read_question, takes_stdin
from components.conversation.context_choice import ALL
from components.conversation.exchange import Answer, Exchange
from components.conversation.history import Conversation
from components.costs.calibration import Calibration, bill_difference
from components.costs.estimate import RequestEstimate, cost_of
from components.costs.prices import Money, Price, PriceBook, price_for
from components.i18n import Lang, t
from components.images.prepared import DETAILS, Detail, PreparedImage
from components.providers.client import ChatOptions
from components.providers.send_limits import check_send_limits
from components.providers.settings import ClientSettings
from components.settings_source import command_line_source
from components.turns import ChatTurn

# The estimate's fields in the ``--json`` document, in order.
ESTIMATE_FIELDS = (
    "prompt_tokens",
    "text_tokens",
    "image_tokens",
    "per_image",
    "approximate",
    "rule",
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the `ask` subcommand."""
    parser = command_parser(
        sub, "ask", summary="ask a vision model about pictures; the answer streams to stdout",
        doc=__doc__,
    )  # fmt: skip
    parser.add_argument("question", metavar="QUESTION", help="what to ask; - reads it from stdin")
    add_connection_flags(parser)
    parser.add_argument(
        "--image",
        action="append",
        default=[],
        metavar="FILE",
        help="a picture (- reads one from stdin); repeatable",
    )
    parser.add_argument("--detail", choices=DETAILS, default="auto", help="image detail")
    parser.add_argument("--system", help="system prompt")
    parser.add_argument("--max-tokens", type=_positive_int, metavar="N")
    parser.add_argument("--temperature", type=_temperature, metavar="T", help="0 to 2")
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        default=60.0,
        metavar="SECONDS",
        help="read timeout: wait this long for the first byte and between chunks (default 60)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON document of results on stdout (the answer streams to stderr)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="with --json: do not stream the answer to stderr"
    )
    parser.set_defaults(run=run)


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def _temperature(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 2.0:
        raise argparse.ArgumentTypeError("must be between 0 and 2")
    return value


def prepare_pictures(
    paths: Sequence[str], settings: ClientSettings, detail: Detail
) -> list[PreparedImage]:
    """Prepare each file (``-``: the bytes on stdin) under the 50 MB input limit the page uses;
    the provider's send limits apply later, to the prepared pictures. Raises ImageError for a
    picture that cannot be used.
    """
    if not paths:
        return []
    # Pillow is only needed when there are pictures
    from components.images.prepare import DEFAULT_MAX_BYTES, prepare_file, prepare_image

    return [
        prepare_image(read_picture(DEFAULT_MAX_BYTES), name="stdin", detail=detail,
                      model=settings.model, max_bytes=DEFAULT_MAX_BYTES)
        if path == STDIN
        else prepare_file(path, detail=detail, model=settings.model, max_bytes=DEFAULT_MAX_BYTES)
        for path in paths
    ]  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Ask, stream the answer (to stdout; to stderr or nowhere with ``--json``), report failures;
    return the exit code. Settings and pictures that cannot work raise (``__main__`` says so)."""
    lang = terminal_lang()
    if args.quiet and not args.json:
        raise UsageError(None, "--quiet goes with --json")
    takes_stdin(args.question, args.image, lang=lang)
    question_text = read_question(lang) if args.question == STDIN else args.question
    settings = command_line_settings(args)
    prices = PriceBook.from_settings(command_line_source()).operator
    images = prepare_pictures(args.image, settings, args.detail)
    options = ChatOptions(
        max_tokens=args.max_tokens, temperature=args.temperature, system=args.system
    )
    question = ChatTurn("user", question_text, tuple(images))
    plan = Conversation().next_request(question, options=options, policy=ALL, model=settings.model)
    refusal = check_send_limits(
        plan.turns,
        preset=settings.preset,
        model=settings.model,
        max_tokens=args.max_tokens,
        system=args.system,
        estimate=plan.estimate,
    )
    if refusal is not None:  # too many or too big pictures for this provider: a usage error
        failure = Failure(refusal.kind, error_line(refusal, lang), USAGE)
        return report(failure, as_json=args.json)
    exchange = Exchange.of(plan)
    stream = None if args.quiet else sys.stderr if args.json else sys.stdout
    code = _stream(exchange.start(settings), stream)
    answer = exchange.answer
    assert answer is not None  # follow() returns, or stop() ends, only once the answer is final
    if code == OK and answer.meta.outcome != "ok":
        code = FAILED
    if answer.error is not None and not args.json:
        print(f"error: {error_line(answer.error, lang)}", file=sys.stderr)
    if args.json:
        price = price_for(settings.preset.id, settings.model, prices)
        summary = _summary(answer, lang) | _bill(answer, price) | {"exit_code": code}
        if code == INTERRUPTED:
            summary["error"] = {"kind": "cancelled", "message": t("cli.cancelled", lang)}
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
    return code


def _stream(exchange: Exchange, stream: TextIO | None) -> int:
    """Write the answer to ``stream`` as it arrives (ending its line); return OK, or INTERRUPTED
    after Ctrl-C. A closed stdout stops the exchange before the error goes on."""
    text = ""
    try:
        for piece in exchange.follow():
            text += piece
            if stream is not None:
                stream.write(piece)
                stream.flush()
    except KeyboardInterrupt:
        exchange.stop()
        if stream is not None:
            stream.write("\n")
        return INTERRUPTED
    except BrokenPipeError:
        exchange.stop()
        raise
    if stream is not None and text and not text.endswith("\n"):
        stream.write("\n")
    return OK


def _summary(answer: Answer, lang: Lang) -> dict[str, Any]:
    """Return the ``--json`` line: the exchange's meta record, as JSON."""
    meta, usage, failure = answer.meta, answer.meta.usage, answer.error
    return {
        "answer": answer.text,
        "status": meta.outcome,
        "finish_reason": meta.finish_reason,
        "model": meta.model,
        "usage": (
            {
                "prompt_tokens": usage.prompt_tokens,
                "completion_tokens": usage.completion_tokens,
                "total_tokens": usage.total_tokens,
            }
            if usage
            else None
        ),
        "image_tokens": meta.image_tokens,
        "image_tokens_approximate": meta.image_tokens_approximate,
        "timings": {
            "ttft_s": None if meta.ttft_s is None else round(meta.ttft_s, 4),
            "total_s": None if meta.total_s is None else round(meta.total_s, 4),
        },
        "error": (
            {"kind": failure.kind, "message": error_line(failure, lang)}
            if failure is not None
            else None
        ),
    }


def _bill(answer: Answer, price: Price | None) -> dict[str, Any]:
    """Return the ``--json`` fields that set Kantu's estimate beside the provider's bill.

    ``estimate``: the prompt tokens Kantu expected (text and pictures apart); ``calibration``:
    the bill against it (the picture factor it implies, the difference, and the flag over 5 %),
    None when the bill counts no prompt tokens;
    ``price``, ``estimated_cost`` and ``billed_cost`` when the model's price is known (None
    otherwise: unknown is never 0).
    """
    estimate, usage = answer.meta.prompt_estimate, answer.meta.usage
    calibration = Calibration()
    counted = calibration.learn(estimate, usage)
    flag = calibration.flag(estimate, usage)
    difference = bill_difference(estimate, usage)
    return {
        "estimate": _estimate_fields(estimate) if estimate else None,
        "calibration": (
            {
                "billed_prompt_tokens": usage.prompt_tokens,
                "difference": round(difference, 4),
                "image_factor": round(calibration.factor(estimate.model), 4) if counted else None,
                "flag": flag.kind if flag else None,
            }
            if estimate is not None and usage is not None and difference is not None
            else None
        ),
        "price": (
            {
                "input_per_million": price.input,
                "output_per_million": price.output,
                "currency": price.currency,
                "confirmed": price.confirmed,
            }
            if price
            else None
        ),
        "estimated_cost": _money(cost_of(estimate, price)) if price and estimate else None,
        "billed_cost": _money(cost_of(usage, price)) if price and usage else None,
    }


def _estimate_fields(estimate: RequestEstimate) -> dict[str, Any]:
    return {name: getattr(estimate, name) for name in ESTIMATE_FIELDS}  # per_image: a JSON list


def _money(money: Money) -> dict[str, Any]:
    return {"amount": money.amount, "currency": money.currency, "text": money.format("en")}
