"""What every answer stream and client shares: the iterator over a generator of text deltas, and
closing on ``with``. ``ChatStream`` (an upstream's answer) and ``LocalStream`` (the local text
reader's) differ in what their generator does, not in how it is iterated or stopped."""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from typing import Self


class DeltaStream:
    """An iterator of text deltas made by ``self._gen`` (what ``st.write_stream`` consumes)."""

    _gen: Generator[str, None, None]

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> str:
        return next(self._gen)

    def _close_generator(self) -> None:
        """End the generator, which runs its cleanup; when it is being iterated in another
        thread right now (ValueError), that thread ends it on the flag its owner set."""
        with contextlib.suppress(ValueError):
            self._gen.close()


class ClosesOnExit:
    """``with client:`` closes the client (its ``close()``) at the end of the block."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
