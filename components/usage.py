"""What a provider reports an answer cost in tokens.

Read by ``providers`` (from the stream) and by ``costs`` (billed lines, calibration), so it sits
below both.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Usage:
    """Token counts as the provider reported them."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
