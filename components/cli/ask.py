"""`python -m components ask`: ask a vision model a question about pictures, streaming the answer.

Exit codes: 0 answered; 1 the provider or the network failed (a partial answer stays on stdout);
2 usage errors, unreadable images, or settings that cannot work; 130 interrupted (Ctrl-C).
Errors are one line on stderr.

``--json`` ends with one line: the answer, usage and timings, Kantu's estimate of the prompt beside
the provider's bill, and the costs when the model's price is known (the table's, or the
operator's ``KANTU_PRICES``: ``"m" = { input = 1, output = 4, currency = "CNY" }``, per million
tokens).

Settings are read as the app reads them (``components.settings_source``): the secrets files
Streamlit would read when started here (``~/.streamlit/secrets.toml``, then
``./.streamlit/secrets.toml``), then the environment; the flags win over both.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from components.cli.connection import add_connection_flags, command_line_settings
from components.conversation.context_policy import ALL
from components.conversation.exchange import Answer, Exchange
from components.conversation.history import Conversation
from components.costs.calibration import Calibration, bill_difference
from components.costs.estimate import RequestEstimate, cost_of
from components.costs.prices import Money, Price, PriceBook, price_for
from components.errors import ConfigError, ImageError, KantuError, ProviderError
from components.i18n import t
from components.images.prepared import DETAILS, Detail, PreparedImage
from components.providers.client import ChatOptions
from components.providers.send_limits import check_send_limits
from components.providers.settings import ClientSettings
from components.settings_source import command_line_source
from components.turns import ChatTurn


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the `ask` subcommand."""
    parser = sub.add_parser(
        "ask",
        help="ask a vision model about pictures; the answer streams to stdout",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("question", metavar="QUESTION", help="what to ask")
    add_connection_flags(parser)
    parser.add_argument(
        "--image", action="append", default=[], metavar="FILE", help="a picture; repeatable"
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
    parser.add_argument("--json", action="store_true", help="end with one JSON line of results")
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


def _error_line(err: KantuError) -> str:
    line = err.message("en")
    if isinstance(err, ImageError | ConfigError) or not err.detail:
        return line
    if isinstance(err, ProviderError) and (err.status is not None or err.vendor_code is not None):
        return line + " " + t("error.provider_said", "en", detail=err.detail)
    return f"{line} ({err.detail})"  # our own words (a timeout, a refused connection)


def prepare_pictures(
    paths: Sequence[str], settings: ClientSettings, detail: Detail
) -> list[PreparedImage]:
    """Prepare each file under the 50 MB input limit the page uses; the provider's send limits
    apply later, to the prepared pictures. Raises ImageError for a picture that cannot be used.
    """
    if not paths:
        return []
    # Pillow is only needed when there are pictures
    from components.images.prepare import DEFAULT_MAX_BYTES, prepare_file

    return [
        prepare_file(path, detail=detail, model=settings.model, max_bytes=DEFAULT_MAX_BYTES)
        for path in paths
    ]


def run(args: argparse.Namespace) -> int:
    """Ask, stream the answer to stdout, report failures on stderr; return the exit code."""
    try:
        settings = command_line_settings(args)
        prices = PriceBook.from_settings(command_line_source()).operator
        images = prepare_pictures(args.image, settings, args.detail)
    except (ConfigError, ImageError) as err:
        print(f"error: {_error_line(err)}", file=sys.stderr)
        return 2

    options = ChatOptions(
        max_tokens=args.max_tokens, temperature=args.temperature, system=args.system
    )
    question = ChatTurn("user", args.question, tuple(images))
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
        print(f"error: {_error_line(refusal)}", file=sys.stderr)
        return 2
    exchange = Exchange.of(plan)
    try:
        for piece in exchange.start(settings).follow():
            sys.stdout.write(piece)
            sys.stdout.flush()
    except KeyboardInterrupt:
        exchange.stop()
        sys.stdout.write("\n")
        return 130
    answer = exchange.answer
    assert answer is not None  # follow() returns only once the answer is final
    if answer.text and not answer.text.endswith("\n"):
        sys.stdout.write("\n")
    if answer.error is not None:
        print(f"error: {_error_line(answer.error)}", file=sys.stderr)
    if args.json:
        price = price_for(settings.preset.id, settings.model, prices)
        summary = _summary(answer) | _bill(answer, price)
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0 if answer.meta.outcome == "ok" else 1


def _summary(answer: Answer) -> dict[str, Any]:
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
            {"kind": failure.kind, "message": _error_line(failure)} if failure is not None else None
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
        "estimate": _estimate_fields(estimate),
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


def _estimate_fields(estimate: RequestEstimate | None) -> dict[str, Any] | None:
    if estimate is None:
        return None
    return {
        "prompt_tokens": estimate.prompt_tokens,
        "text_tokens": estimate.text_tokens,
        "image_tokens": estimate.image_tokens,
        "per_image": list(estimate.per_image),
        "approximate": estimate.approximate,
        "rule": estimate.rule,
    }


def _money(money: Money) -> dict[str, Any]:
    return {"amount": money.amount, "currency": money.currency, "text": money.format("en")}
