"""Keep the API key out of everything Kantu shows: error details and the streamed answer itself.

An upstream may echo the key it was sent, plainly or encoded. ``KeyScrubber`` knows the key's
forms and replaces each with ``***``:

- the key itself, also with whitespace or newlines between its characters (split over two
  ``data:`` lines), and as a Python/JSON string escape shows it (``\\n`` for a newline);
- URL-encoded (``quote`` and ``quote_plus``);
- base64 (standard and URL-safe alphabets) at each of the three byte alignments, so base64 of
  the key alone, of ``Bearer <key>`` and of a Basic-style ``user:<key>`` are all caught: only
  the characters that encode the key's bytes alone are matched, whatever surrounds them, with
  the few characters on either side that mix the key's bytes with its neighbours'.

Scrubbing comes first: ``KantuError`` then masks generic token shapes and cuts to length.
``TextGuard`` does the same for streamed text, holding back only as much of the tail as could be
the start of a key form that the next delta completes.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

MASK = "***"
MIN_SECRET_LEN = 8
"""Shorter strings are no real key, and masking them would garble the provider's words."""
_MIN_DANGLING = 4
"""A held-back tail this long that is the start of a key form is masked, never released."""


def _base64_cores(secret: bytes) -> list[str]:
    """Return, per alignment and alphabet, the base64 characters that depend on ``secret`` alone."""
    cores = []
    for offset in range(3):
        # bytes before the secret fill the first group; characters of partial groups also
        # depend on the neighbours, so only whole groups made of the secret's bytes are kept
        first = (3 - offset) % 3
        whole = (len(secret) - first) // 3 * 3
        if whole < 6:
            continue
        group = secret[first : first + whole]
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            cores.append(encode(group).decode("ascii"))
    return cores


def _forms(secret: str) -> tuple[str, ...]:
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    forms.add(repr(secret)[1:-1])
    forms.update(_base64_cores(secret.encode("utf-8")))
    return tuple(sorted((f for f in forms if len(f) >= MIN_SECRET_LEN), key=len, reverse=True))


@dataclass(frozen=True)
class KeyScrubber:
    """Replace every known form of one secret with ``***``; the secret never shows in a repr."""

    secret: str = field(repr=False)
    forms: tuple[str, ...] = field(init=False, repr=False)
    _pattern: re.Pattern[str] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        active = len(self.secret) >= MIN_SECRET_LEN
        forms = _forms(self.secret) if active else ()
        object.__setattr__(self, "forms", forms)
        if not active:
            object.__setattr__(self, "_pattern", None)
            return
        spaced = r"\s*".join(re.escape(c) for c in self.secret)
        # a base64 core also takes the few characters that mix the key's first and last bytes
        # with their neighbours: they would still give away part of the key
        cores = {c for c in _base64_cores(self.secret.encode("utf-8"))}
        alternatives = [spaced]
        for form in forms:
            edge = r"[A-Za-z0-9+/_-]{0,3}" if form in cores else ""
            tail = edge + "={0,2}" if edge else ""
            alternatives.append(edge + re.escape(form) + tail)
        object.__setattr__(self, "_pattern", re.compile("|".join(alternatives)))

    def __call__(self, text: str) -> str:
        """Return ``text`` with every form of the secret replaced by ``***``."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)

    def dangling(self, text: str) -> int:
        """Return the length of the longest tail of ``text`` that starts some form of the secret."""
        longest = 0
        for form in self.forms:
            tail = text[-(len(form) - 1) :]
            at = tail.find(form[0])
            while at != -1 and len(tail) - at > longest:
                if form.startswith(tail[at:]):
                    longest = len(tail) - at
                    break
                at = tail.find(form[0], at + 1)
        return longest


NO_SECRET = KeyScrubber("")


class TextGuard:
    """Scrub streamed text: ``push`` each delta, then ``flush`` at the end (or on a failure).

    Only a tail that could be the start of the key (or one of its forms) is held back, so
    ordinary text streams through at once.
    """

    __slots__ = ("_pending", "_scrub")

    def __init__(self, scrub: KeyScrubber) -> None:
        self._scrub = scrub
        self._pending = ""

    def push(self, delta: str) -> str:
        """Return what of ``delta`` (with what was held back) can be shown now."""
        if not self._scrub.forms:
            return delta
        text = self._scrub(self._pending + delta)
        keep = self._scrub.dangling(text)
        self._pending = text[len(text) - keep :] if keep else ""
        return text[: len(text) - keep]

    def flush(self) -> str:
        """Return the held-back tail: masked when it is long enough to be the start of a key."""
        tail, self._pending = self._pending, ""
        return MASK if len(tail) >= _MIN_DANGLING else tail
