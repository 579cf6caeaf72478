"""Give the memory the offline reader frees back to the system (glibc's malloc only).

onnxruntime and OpenCV allocate and free hundreds of MB per picture in blocks just under glibc's
dynamic mmap threshold, so they land in heap arenas that glibc keeps: after 5 pictures a process
held 735–946 MB with 70 MB in use. Two knobs, both owned here:

- ``tune_allocator()`` once at start-up, before the reader loads: ``mallopt(M_MMAP_THRESHOLD)``
  (what ``MALLOC_MMAP_THRESHOLD_`` does, which only works when set before the process starts), so
  big blocks are mmap'ed and unmapped when freed. ``KANTU_MMAP_THRESHOLD`` sets the bytes
  (default 131072); ``0`` leaves glibc's own behaviour.
- ``give_back()`` after a read: ``malloc_trim(0)`` returns the arenas' free pages
  (``KANTU_MALLOC_TRIM=off`` skips it, for ``bench/memory.py``'s comparison).

On other C libraries (macOS, musl) both are no-ops with a debug log.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import platform
import threading
from collections.abc import Mapping
from typing import Any

from components.errors import ConfigError
from components.settings_source import SettingsSource

log = logging.getLogger("kantu")

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number (malloc.h)
DEFAULT_MMAP_THRESHOLD = 131072  # glibc's static default: the measured 205 MB at ~7 %
MAX_MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc refuses more (HEAP_MAX_SIZE / 2 on 64-bit)
SETTING = "KANTU_MMAP_THRESHOLD"
TRIM_SETTING = "KANTU_MALLOC_TRIM"

_tuned_lock = threading.Lock()
_tuned: list[int] = []  # the threshold set in this process (set once)


@functools.cache
def _glibc() -> Any | None:
    """Return glibc's handle, or None on another C library (or without mallopt/malloc_trim)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        log.debug("not glibc: the allocator is left as it is")
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):
        log.debug("glibc's mallopt or malloc_trim not found: the allocator is left as it is")
        return None
    return libc


def mmap_threshold(environ: Mapping[str, str]) -> int:
    """Return the threshold to set from ``KANTU_MMAP_THRESHOLD`` (bytes; 0: leave glibc's own).
    A bad value is logged and the default used."""
    text = SettingsSource(None, environ).text(SETTING)
    if text is None:
        return DEFAULT_MMAP_THRESHOLD
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_MMAP_THRESHOLD:
        log.warning(
            "%s=%r is not 0..%d bytes: %d used",
            SETTING,
            text,
            MAX_MMAP_THRESHOLD,
            DEFAULT_MMAP_THRESHOLD,
        )
        return DEFAULT_MMAP_THRESHOLD
    return value


def tune_allocator(environ: Mapping[str, str] = os.environ) -> int:
    """Set glibc's mmap threshold once per process (later calls do nothing); return the bytes
    set, 0 when left alone (not glibc, or ``KANTU_MMAP_THRESHOLD=0``). Never raises."""
    with _tuned_lock:
        if _tuned:
            return _tuned[0]
        threshold = mmap_threshold(environ)
        libc = _glibc()
        if libc is None or threshold == 0 or libc.mallopt(M_MMAP_THRESHOLD, threshold) != 1:
            threshold = 0
        _tuned.append(threshold)
        log.debug("malloc mmap threshold: %s", threshold or "glibc's default")
        return threshold


@functools.cache
def _trim_wanted() -> bool:
    try:
        return SettingsSource(None, os.environ).flag(TRIM_SETTING) is not False
    except ConfigError:
        log.warning("%s is not a flag: trimming after reads", TRIM_SETTING)
        return True


def give_back() -> bool:
    """Return the allocator's free pages to the system (``malloc_trim(0)``); return whether any
    were. Cheap next to a read (milliseconds); a no-op off glibc."""
    libc = _glibc()
    if libc is None or not _trim_wanted():
        return False
    return bool(libc.malloc_trim(0))
