"""Compare: one question about the same pictures, asked of 2–4 models at once, side by side.

A ``CompareRun`` holds the pictures, the question and one ``CompareColumn`` per model; each
column's answer is an ``Exchange`` of its own (its own thread, its own Stop), so one column's
error, timeout or Stop never touches another. In blind mode the columns are shuffled and shown
as A, B, C… until the person picks the best answer (or asks to see the names); the pick goes in
the session's ``CompareTally``. ``export_markdown`` and ``export_json`` write the whole run:
pictures as data, question, answers, figures and the vote. Nothing here holds a key.

::

    run = CompareRun.create(question, images, [("openai", "gpt-4o"), ("dashscope", "qwen-vl-max")])
    for column in run.columns:
        column.start(settings_for(column), options, session=http)   # or column.refuse(error)
    ...
    run.vote("B", tally)
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from components.catalogue.lookup import sees_pictures
from components.conversation.clients import AnySettings
from components.conversation.context_choice import ALL
from components.conversation.exchange import Answer, Exchange
from components.conversation.history import Conversation
from components.conversation.planner import PlannedRequest
from components.costs.calibration import Calibration, CalibrationFlag
from components.costs.estimate import RequestEstimate, cost_of
from components.costs.prices import Money, Price
from components.errors import KantuError
from components.i18n import Lang, t
from components.images.prepared import PreparedImage
from components.providers.client import ChatOptions
from components.text.cells import markdown_cell
from components.text.markdown_safety import escape_markdown, safe_markdown
from components.turns import ChatTurn
from components.usage import Usage

MIN_COLUMNS = 2
MAX_COLUMNS = 4
LABELS = "ABCD"
EXPORT_VERSION = 1


def model_name(preset_id: str, model: str) -> str:
    """Return how a column's model is named in the tally and the vision checks:
    ``<preset>/<model>``."""
    return f"{preset_id}/{model}"


def column_models(models: Sequence[str], price: Callable[[str], Price | None]) -> tuple[str, ...]:
    """Order ``models`` for a comparison's columns, each once: the cheapest that can see
    pictures, then the dearest (the provider's best), then the rest cheapest first.

    A model the catalogue says cannot see goes last; one without a price keeps its place after
    the priced ones. Prices compare prompt tokens first (pictures are prompt), then answer tokens.
    """
    unique = list(dict.fromkeys(m.strip() for m in models if m.strip()))
    seeing = [m for m in unique if sees_pictures(m) is not False]
    priced = {m: p for m in seeing if (p := price(m)) is not None}
    by_price = sorted(priced, key=lambda m: (priced[m].input, priced[m].output))
    first = by_price[:1] + by_price[-1:] if len(by_price) > 1 else by_price
    rest = by_price[1:-1] + [m for m in seeing if m not in priced]
    return tuple(dict.fromkeys([*first, *rest, *unique]))


@dataclass(frozen=True)
class Figures:
    """What one finished column shows under its answer (None: not known / not reported)."""

    outcome: str
    ttft_s: float | None
    total_s: float | None
    usage: Usage | None
    estimate: RequestEstimate | None
    flag: CalibrationFlag | None  # the bill differs from the estimate by more than 5 %
    price: Price | None
    cost: Money | None  # billed usage at ``price``; None without both
    finish_reason: str | None
    reported_model: str | None


@dataclass
class CompareColumn:
    """One model's side of a comparison: its label, its model and its answer's exchange."""

    label: str
    preset_id: str
    model: str
    exchange: Exchange | None = None
    refused: KantuError | None = None  # why it was never sent (settings, key, limits)
    key_source: str = "none"
    slot: int = 0  # its place in the form (blind mode shows the columns in another order)

    @property
    def name(self) -> str:
        """The model as ``<preset>/<model>``."""
        return model_name(self.preset_id, self.model)

    def start(
        self,
        turns: Sequence[ChatTurn],
        settings: AnySettings,
        options: ChatOptions,
        *,
        session: requests.Session | None = None,
        pictures_as_text: bool = False,
        lang: Lang = "en",
    ) -> None:
        """Send the question now; the answer is read in the exchange's own thread."""
        exchange = Exchange(turns, options, pictures_as_text=pictures_as_text, lang=lang)
        self.begin(exchange, settings, session=session)

    def begin(
        self,
        exchange: Exchange,
        settings: AnySettings,
        *,
        session: requests.Session | None = None,
    ) -> Exchange:
        """Start ``exchange`` (not started yet) as this column's answer; return it."""
        self.key_source = str(getattr(settings, "key_source", "none"))
        self.exchange = exchange.start(settings, session=session)
        return self.exchange

    def refuse(self, error: KantuError) -> None:
        """Mark the column as not sent, with why (shown in the column only)."""
        self.refused = error

    def stop(self) -> None:
        """Stop this column's answer only."""
        if self.exchange is not None:
            self.exchange.stop()

    @property
    def finished(self) -> bool:
        """Whether the column is final: answered, stopped, failed or never sent."""
        return self.exchange is None or self.exchange.finished

    @property
    def text(self) -> str:
        """The answer so far."""
        return self.exchange.text if self.exchange is not None else ""

    @property
    def answer(self) -> Answer | None:
        """The finished answer, or None while running (or when never sent)."""
        return self.exchange.answer if self.exchange is not None else None

    @property
    def error(self) -> KantuError | None:
        """What went wrong in this column, if anything."""
        if self.refused is not None:
            return self.refused
        answer = self.answer
        return answer.error if answer is not None else None

    def figures(self, price: Price | None) -> Figures | None:
        """Return the column's figures once it is final (None while running)."""
        if not self.finished:
            return None
        answer = self.answer
        if answer is None:
            return Figures("error", None, None, None, None, None, price, None, None, None)
        meta = answer.meta
        usage = meta.usage
        estimate = meta.prompt_estimate
        return Figures(
            outcome=meta.outcome,
            ttft_s=meta.ttft_s,
            total_s=meta.total_s,
            usage=usage,
            estimate=estimate,
            flag=Calibration().flag(estimate, usage),
            price=price,
            cost=cost_of(usage, price) if usage is not None and price is not None else None,
            finish_reason=meta.finish_reason,
            reported_model=meta.model,
        )


@dataclass(frozen=True)
class TallyRow:
    """One model's record in the session: how often it was picked best, of how many votes."""

    name: str
    wins: int
    votes: int


@dataclass
class CompareTally:
    """The session's running tally: per model, wins and the votes it took part in."""

    wins: dict[str, int] = field(default_factory=dict)
    votes: dict[str, int] = field(default_factory=dict)

    def record(self, best: str, names: Sequence[str]) -> None:
        """Count one vote: ``best`` won, every model in ``names`` took part (once each)."""
        for name in dict.fromkeys(names):
            self.votes[name] = self.votes.get(name, 0) + 1
        self.wins[best] = self.wins.get(best, 0) + 1

    def rows(self) -> list[TallyRow]:
        """Return every model voted on, most wins first (then fewest votes, then name)."""
        rows = [TallyRow(n, self.wins.get(n, 0), v) for n, v in self.votes.items()]
        return sorted(rows, key=lambda r: (-r.wins, r.votes, r.name))


@dataclass
class CompareRun:
    """One comparison: pictures, question and 2–4 columns; in blind mode, names hidden until the
    vote (or ``reveal``)."""

    question: str
    images: tuple[PreparedImage, ...]
    columns: list[CompareColumn]
    blind: bool = False
    best: str | None = None  # the label picked best
    shown: bool = False  # the names were revealed without a vote
    created: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def create(
        cls,
        question: str,
        images: Sequence[PreparedImage],
        targets: Sequence[tuple[str, str]],
        *,
        blind: bool = False,
        rng: random.Random | None = None,
    ) -> CompareRun:
        """Return a run for ``targets`` (preset id, model), labelled A, B, C… by position.

        In blind mode the columns are shuffled first, so a position says nothing of the model.
        Raises ValueError unless there are 2–4 targets.
        """
        if not MIN_COLUMNS <= len(targets) <= MAX_COLUMNS:
            raise ValueError(f"a comparison has {MIN_COLUMNS}–{MAX_COLUMNS} columns")
        order = list(enumerate(targets))
        if blind:
            (rng or random.SystemRandom()).shuffle(order)
        columns = [
            CompareColumn(LABELS[i], pid, model, slot=slot)
            for i, (slot, (pid, model)) in enumerate(order)
        ]
        return cls(question, tuple(images), columns, blind=blind)

    def turns(self) -> tuple[ChatTurn, ...]:
        """Return what every column sends: one user turn with the question and the pictures."""
        return (ChatTurn("user", self.question, self.images),)

    def plan(
        self,
        column: CompareColumn,
        options: ChatOptions,
        *,
        pictures_as_text: bool = False,
        lang: Lang = "en",
    ) -> PlannedRequest:
        """Return the request ``column`` sends: the question as the first of a conversation."""
        return Conversation().next_request(
            self.turns()[0],
            options=options,
            policy=ALL,
            lang=lang,
            model=column.model,
            pictures_as_text=pictures_as_text,
        )

    @property
    def finished(self) -> bool:
        """Whether every column is final."""
        return all(column.finished for column in self.columns)

    @property
    def revealed(self) -> bool:
        """Whether the model names may be shown."""
        return not self.blind or self.best is not None or self.shown

    def column(self, label: str) -> CompareColumn:
        """Return the column labelled ``label``; KeyError if there is none."""
        for column in self.columns:
            if column.label == label:
                return column
        raise KeyError(label)

    def title(self, column: CompareColumn, lang: Lang) -> str:
        """Return the column's heading: its label, and its model once names are revealed."""
        if not self.revealed:
            return t("compare.blind_title", lang, label=column.label)
        return t("compare.column_title", lang, label=column.label, model=column.name)

    def vote(self, label: str, tally: CompareTally) -> bool:
        """Pick ``label`` as the best answer, reveal the names and count it in ``tally``.

        One vote per run: return False (and change nothing) when already voted.
        Raises KeyError for an unknown label.
        """
        best = self.column(label)
        if self.best is not None:
            return False
        self.best = label
        tally.record(best.name, [column.name for column in self.columns])
        return True

    def reveal(self) -> None:
        """Show the names without voting."""
        self.shown = True

    def stop(self) -> None:
        """Stop every column (a new comparison replaces this one)."""
        for column in self.columns:
            column.stop()


# -- export ------------------------------------------------------------------------------------


def _money(money: Money | None) -> dict[str, Any] | None:
    return None if money is None else {"amount": money.amount, "currency": money.currency}


def _figures_dict(figures: Figures | None) -> dict[str, Any]:
    if figures is None:
        return {"outcome": "running"}
    usage, estimate, price, flag = figures.usage, figures.estimate, figures.price, figures.flag
    return {
        "outcome": figures.outcome,
        "ttft_s": figures.ttft_s,
        "total_s": figures.total_s,
        "prompt_tokens": usage.prompt_tokens if usage else None,
        "completion_tokens": usage.completion_tokens if usage else None,
        "estimated_prompt_tokens": estimate.prompt_tokens if estimate else None,
        "estimate_approximate": estimate.approximate if estimate else None,
        "estimate_flag": flag.kind if flag else None,
        "cost": _money(figures.cost),
        "price_known": price is not None,
        "price_confirmed": price.confirmed if price else None,
        "finish_reason": figures.finish_reason,
        "reported_model": figures.reported_model,
    }


def export_dict(
    run: CompareRun,
    prices: Mapping[str, Price | None],
    vision: Mapping[str, bool | None] | None = None,
    lang: Lang = "en",
) -> dict[str, Any]:
    """Return the run as plain data (what ``export_json`` writes).

    ``prices`` and ``vision`` are keyed by ``<preset>/<model>``; error messages are in ``lang``.
    """
    vision = vision or {}
    best = run.column(run.best).name if run.best is not None else None
    columns = []
    for column in run.columns:
        error = column.error
        columns.append(
            {
                "label": column.label,
                "preset": column.preset_id,
                "model": column.model,
                "answer": column.text,
                "error": None
                if error is None
                else {"kind": error.kind, "message": error.message(lang)},
                "figures": _figures_dict(column.figures(prices.get(column.name))),
                "sees_pictures": vision.get(column.name),
            }
        )
    return {
        "kantu_compare": EXPORT_VERSION,
        "created": run.created.isoformat(timespec="seconds"),
        "question": run.question,
        "blind": run.blind,
        "vote": None if run.best is None else {"best": run.best, "model": best},
        "pictures": [
            {
                "name": image.name,
                "mime": image.mime,
                "width": image.width,
                "height": image.height,
                "sha256": image.sha256,
                "data": base64.b64encode(image.data).decode("ascii"),
            }
            for image in run.images
        ],
        "columns": columns,
    }


def export_json(
    run: CompareRun,
    prices: Mapping[str, Price | None],
    vision: Mapping[str, bool | None] | None = None,
    lang: Lang = "en",
) -> str:
    """Return the run as JSON text (pictures base64 in ``data``)."""
    return json.dumps(export_dict(run, prices, vision, lang), ensure_ascii=False, indent=2)


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def export_markdown(
    run: CompareRun,
    prices: Mapping[str, Price | None],
    vision: Mapping[str, bool | None] | None = None,
    lang: Lang = "en",
) -> str:
    """Return the run as Markdown: pictures inline as data URLs, then one section per column
    with its figures table, then the vote. Headings and labels are in ``lang``."""
    data = export_dict(run, prices, vision, lang)
    lines = [f"# {t('compare.export_title', lang)}", "", f"_{data['created']}_", ""]
    lines += [f"## {t('compare.question', lang)}", "", safe_markdown(run.question), ""]
    for image in data["pictures"]:
        # Kantu's own copy of the picture, as a data URL; its name is only text.
        alt = escape_markdown(image["name"])
        lines += [f"![{alt}](data:{image['mime']};base64,{image['data']})", ""]
    for column in data["columns"]:
        fig = column["figures"]
        title = f"{column['label']} · {column['preset']}/{column['model']}"
        lines += [f"## {escape_markdown(title)}", ""]
        if column["error"]:
            message = safe_markdown(column["error"]["message"])
            lines += [*(f"> {line}" for line in f"⚠️ {message}".splitlines()), ""]
        lines += [safe_markdown(column["answer"]) if column["answer"] else "—", ""]
        cost = fig.get("cost")
        rows = [
            (t("compare.fig_outcome", lang), fig.get("outcome") or "—"),
            (t("compare.fig_ttft", lang), _seconds(fig.get("ttft_s"))),
            (t("compare.fig_total", lang), _seconds(fig.get("total_s"))),
            (t("compare.fig_prompt", lang), _count(fig.get("prompt_tokens"))),
            (t("compare.fig_completion", lang), _count(fig.get("completion_tokens"))),
            (t("compare.fig_estimate", lang), _count(fig.get("estimated_prompt_tokens"))),
            (
                t("compare.fig_cost", lang),
                "—" if not cost else Money(cost["amount"], cost["currency"]).format(lang),
            ),
            (t("compare.fig_finish", lang), markdown_cell(fig.get("finish_reason") or "—")),
            (t("compare.fig_vision", lang), _vision_word(column["sees_pictures"], lang)),
        ]
        lines += ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows] + [""]
    if data["vote"]:
        vote = data["vote"]
        lines += [f"## {t('compare.vote_heading', lang)}", ""]
        best = t(
            "compare.export_best",
            lang,
            label=escape_markdown(vote["best"]),
            model=escape_markdown(vote["model"]),
        )
        lines += [best, ""]
    return "\n".join(lines)


def _vision_word(sees: bool | None, lang: Lang) -> str:
    if sees is None:
        return t("compare.vision_unchecked", lang)
    return t("compare.vision_yes" if sees else "compare.vision_no", lang)
