"""One object per process, made on first use: the reader and its quota are shared by every
session, and two threads asking at once must not make two."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ProcessOne(Generic[T]):
    """Hold the process's one ``T``, made by ``make`` on the first ``get`` (under a lock)."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._made: T | None = None

    def get(self) -> T:
        """Return the one ``T``, making it on the first call."""
        with self._lock:
            if self._made is None:
                self._made = self._make()
            return self._made

    def made(self) -> T | None:
        """Return the one ``T`` if it has been made, without making it."""
        return self._made
