"""The translation table: both languages everywhere, a message for every error kind, every key
the code uses defined and every key defined used.

Keys are found in the code statically: string literals shaped like a key (``"batch.via"``),
f-strings that build one (``f"batch.via.{v}"``, declared below as a family with its finite
values, taken from the code's own types where it has them), and the reasons errors are raised
with (``ConfigError("no_key")`` is ``config.no_key``).
"""

from __future__ import annotations

import ast
import re
import string
import subprocess
import sys
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from components import errors
from components.batch import model as batch_model
from components.batch import prompts as batch_prompts
from components.conversation import context_choice, context_policy, history
from components.costs import calibration, prices
from components.hosting import access, limits
from components.hosting.config import LIMIT_FIELDS
from components.i18n import FEATURES, LANGS, TEXTS, lang_from_locale, merge, t
from components.images import prepared
from components.ui import prompt_presets, theme
from tests.conftest import ROOT

PRODUCTION: tuple[Path, ...] = tuple(
    path
    for path in (
        ROOT / "app.py",
        *sorted((ROOT / "pages").rglob("*.py")),
        *sorted((ROOT / "components").rglob("*.py")),
    )
    if (ROOT / "components" / "i18n") not in path.parents
)
PREFIXES = sorted({prefix for feature in FEATURES for prefix in feature.PREFIXES})
KEY_SHAPE = re.compile(rf"(?:{'|'.join(map(re.escape, PREFIXES))})(?:\.[a-z0-9_]+)+")
# Literals shaped like a key that are something else: file names, the OpenAI object types.
NOT_KEYS = {
    "app.py",
    "camera.css",
    "camera.html",
    "camera.jpg",
    "camera.js",
    "chat.completion",
    "chat.completion.chunk",
    "probe.png",
}

# Errors whose message key is built from the reason they are raised with: the callable, the
# position of the reason among its arguments, and the key family it names.
REASONS: dict[str, tuple[int, str]] = {
    "ConfigError": (0, "config.{}"),
    "ImageError": (0, "image.{}"),
    "TransferError": (0, "transfer.{}"),
    "HistoryError": (0, "history.{}"),
    "ReaderRefusedError": (0, "error.ocr_refused.{}"),
    "Refused": (1, "batch.refused.{}"),
    "too_complex": (1, "image.too_complex.{}"),
}


def _args(alias: object) -> tuple[str, ...]:
    return typing.get_args(alias)


# A reason passed as a variable, by file and expression: the values it can take.
DYNAMIC_REASONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("components/hosting/gate.py", "why"): _args(access.Refusal),
    ("components/hosting/gate.py", "f'limit_{hit.scope}_{hit.unit}'"): tuple(
        f"limit_{scope}_{unit}"
        for scope in _args(limits.Scope)
        if scope != "closed"  # limits_broken: its own reason
        for unit in _args(limits.Unit)
    ),
    ("components/images/prepare.py", "reason"): ("corrupt", "not_image"),
}


def _error_kinds() -> set[str]:
    """Every error kind whose message is ``error.<kind>`` (not its own ``message_key``)."""
    found, todo = set(), [errors.KantuError]
    while todo:
        cls = todo.pop()
        if cls.message_key is errors.KantuError.message_key:
            found.add(cls.kind)
        todo.extend(cls.__subclasses__())
    return found


# Keys built in f-strings, each template with the values its placeholder takes.
FAMILIES: dict[str, Iterable[str]] = {
    "actions.{}": ("regenerate", "edit", "delete"),
    "admin.limit.{}": LIMIT_FIELDS,
    "batch.preset.{}": batch_prompts.PRESETS,
    "batch.prompt.{}": [p for p in batch_prompts.PRESETS if p not in ("own", "classify")],
    "batch.status.{}": _args(batch_model.Status),
    "batch.via.{}": ("direct", "batch_api"),
    "camera.{}": ("take", "retake", "live", "starting", "denied", "none", "busy", "unavailable"),
    "context.policy.{}": _args(context_choice.PolicyKind),
    "context.travel.{}": _args(context_policy.Travel),
    "costs.origin.{}": _args(prices.Origin),
    "detail.{}": _args(prepared.Detail),
    "money.flag.{}": _args(calibration.FlagKind),
    "preset.{}.label": prompt_presets.PRESETS,
    "preset.{}.question": prompt_presets.PRESETS,
    "theme.{}": theme.THEME_CHOICES,
    "transfer.md.{}": _args(typing.get_type_hints(history.Entry)["role"]),
    "transfer.md.status.{}": [s for s in _args(history.Status) if s != "ok"],
    "error.{}": sorted(_error_kinds()),
    # The reasons' families: their values are the reasons found where the errors are raised.
    **{family: () for _, family in REASONS.values()},
}


def _trees() -> Iterator[tuple[str, ast.Module]]:
    for path in PRODUCTION:
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _template(node: ast.JoinedStr) -> str | None:
    """Return ``"batch.via.{}"`` for ``f"batch.via.{v}"``; None unless it starts like a key."""
    head = node.values[0] if node.values else None
    if not (isinstance(head, ast.Constant) and "." in head.value):
        return None
    if head.value.split(".", 1)[0] not in PREFIXES:
        return None
    return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


class Uses:
    """What the production code asks of the table, found without running it."""

    def __init__(self) -> None:
        self.literals: set[str] = set()  # t("literal") and key-shaped literals anywhere
        self.templates: set[str] = set()
        self.reasons: dict[str, set[str]] = {family: set() for _, family in REASONS.values()}
        self.undeclared: list[str] = []  # reasons passed as variables nobody declared
        self.declared_seen: set[tuple[str, str]] = set()
        for where, tree in _trees():
            for node in ast.walk(tree):
                self._visit(where, node)

    def _visit(self, where: str, node: ast.AST) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if KEY_SHAPE.fullmatch(node.value) and node.value not in NOT_KEYS:
                self.literals.add(node.value)
        elif isinstance(node, ast.JoinedStr) and (template := _template(node)) is not None:
            self.templates.add(template)
        elif isinstance(node, ast.Call):
            first = node.args[0] if node.args else None
            if _called(node) == "t" and isinstance(first, ast.Constant):
                self.literals.add(str(first.value))
            if _called(node) in REASONS:
                self._reason(where, node)

    def _reason(self, where: str, node: ast.Call) -> None:
        position, family = REASONS[_called(node)]
        told = [k.value for k in node.keywords if k.arg == "message_key"]
        if len(node.args) <= position or (told and not isinstance(told[0], ast.IfExp)):
            return  # a message_key given every time names the key instead of the reason
        arg = node.args[position]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            self.reasons[family].add(arg.value)
            return
        site = (where, ast.unparse(arg))
        if site in DYNAMIC_REASONS:
            self.declared_seen.add(site)
            self.reasons[family].update(DYNAMIC_REASONS[site])
        else:
            self.undeclared.append(f"{where}:{node.lineno}: {site[1]}")

    def all_keys(self) -> set[str]:
        """Every key the code can ask for."""
        found = set(self.literals)
        for template, values in FAMILIES.items():
            found.update(template.format(value) for value in values)
        for family, reasons in self.reasons.items():
            found.update(family.format(reason) for reason in reasons)
        return found


@pytest.fixture(scope="module")
def uses() -> Uses:
    return Uses()


def test_every_key_the_code_uses_has_both_languages(uses):
    missing = sorted(
        key for key in uses.all_keys() if any(not TEXTS.get(key, {}).get(lang) for lang in LANGS)
    )
    assert missing == []


def test_every_key_defined_is_used(uses):
    assert sorted(set(TEXTS) - uses.all_keys()) == []


def test_every_key_built_in_an_f_string_is_a_declared_family(uses):
    assert sorted(uses.templates - set(FAMILIES)) == []  # declare it above, with its values
    assert sorted(set(FAMILIES) - uses.templates) == []  # no longer built: drop it


def test_every_reason_passed_as_a_variable_is_declared(uses):
    assert uses.undeclared == []  # declare it in DYNAMIC_REASONS, with its values
    assert sorted(set(DYNAMIC_REASONS) - uses.declared_seen) == []


def test_the_scan_finds_the_uses_it_must():
    found = Uses()
    assert {"chat.placeholder", "image.too_many_pixels_claimed"} <= found.literals
    assert {"batch.via.{}", "config.{}", "error.{}"} <= found.templates
    assert {"no_key", "limit_daily_cost"} <= found.reasons["config.{}"]
    assert "zip_symlink" in found.reasons["batch.refused.{}"]


def test_every_text_has_chinese_and_english():
    missing = [key for key, entry in TEXTS.items() if any(not entry.get(lang) for lang in LANGS)]
    assert missing == []


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_chinese_and_english_fill_the_same_placeholders():
    differ = [
        key
        for key, entry in TEXTS.items()
        if _placeholders(entry["zh"]) != _placeholders(entry["en"])
    ]
    assert differ == []


def _provider_error_kinds() -> set[str]:
    found, todo = set(), [errors.ProviderError]
    while todo:
        cls = todo.pop()
        found.add(cls.kind)
        todo.extend(cls.__subclasses__())
    return found


def test_every_error_kind_has_a_message_in_both_languages():
    kinds = _provider_error_kinds()
    assert {"auth", "protocol", "oversized"} <= kinds
    for kind in [*sorted(kinds), "unknown"]:
        zh, en = t(f"error.{kind}", "zh"), t(f"error.{kind}", "en")
        assert zh != f"error.{kind}" and en != f"error.{kind}"
        assert zh != en


def test_an_unknown_key_raises_rather_than_showing_itself():
    # A page compared with t(key) would otherwise pass with the key on both sides.
    with pytest.raises(KeyError, match=r"chat\.no_such_text"):
        t("chat.no_such_text", "en")


def test_missing_placeholder_is_left_visible_not_raised():
    assert "{model}" in t("error.model_not_found", "en")
    assert "gpt-x" in t("error.model_not_found", "en", model="gpt-x")


def test_browser_locale_picks_language():
    assert lang_from_locale("zh-CN") == "zh"
    assert lang_from_locale("zh-TW") == "zh"
    assert lang_from_locale("en-US") == "en"
    assert lang_from_locale("de-DE") == "en"


def test_error_messages_never_carry_a_key():
    err = errors.AuthError("Incorrect API key provided: sk-abcdefghijklmnopqrstuvwx")
    assert "sk-abc" not in err.detail and "sk-abc" not in str(err) and "sk-abc" not in repr(err)


def _feature(name: str, prefixes: tuple[str, ...], *keys: str) -> SimpleNamespace:
    return SimpleNamespace(
        __name__=name, PREFIXES=prefixes, MESSAGES={k: {"zh": "字", "en": "text"} for k in keys}
    )


def test_the_merge_refuses_a_key_outside_its_feature_or_a_prefix_claimed_twice():
    with pytest.raises(ValueError, match=r"'batch\.title' is in a, but no feature owns 'batch'"):
        merge([_feature("a", ("chat",), "batch.title")])
    with pytest.raises(ValueError, match="claimed"):
        merge([_feature("a", ("chat",), "chat.a"), _feature("b", ("chat",), "chat.b")])
    assert set(merge([_feature("a", ("chat",), "chat.a")])) == {"chat.a"}


def test_a_key_defined_in_two_features_fails_at_import():
    code = (
        "import importlib, components.i18n as i18n\n"
        "i18n.chat.MESSAGES['batch.via'] = {'zh': '字', 'en': 'text'}\n"
        "importlib.reload(i18n)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert (
        "ValueError: 'batch.via' is in components.i18n.chat, but components.i18n.batch owns 'batch'"
        in result.stderr
    ), result.stderr


def test_english_counts_of_one_are_singular_and_chinese_has_no_plural():
    assert t("batch.summary", "en", count=1, tokens="900", money="").startswith(
        "1 picture to send,"
    )
    assert t("batch.summary", "en", count=3, tokens="900", money="").startswith("3 pictures")
    assert t("batch.summary_refused", "en", count=1) == "1 file will not be sent:"
    assert t("costs.unpriced", "en", n=1) == "1 answer could not be priced"
    assert t("context.policy.last_turns", "en", n=2) == "Pictures of the last 2 questions"
    assert t("batch.summary", "zh", count=1, tokens="900", money="").startswith("1 张图片")


def test_no_english_text_counts_with_a_plural_noun_only():
    """A count of things next to a plain plural noun reads "1 pictures": give it a form."""
    plural_after_count = re.compile(r"\{(count|n)\} (pictures|files|answers|images|questions)\b")
    found = [key for key, entry in TEXTS.items() if plural_after_count.search(entry["en"])]
    # never 1: over a cap of at least one; "money.calibrated_one" says 1
    assert found == ["error.too_many_images", "money.calibrated"]
