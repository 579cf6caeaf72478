"""The allocator setting for the offline reader (issue 24 item 4): the threshold read from the
environment, set once per process, and trimming that never fails. RSS figures: bench/memory.py."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from components.ocr.allocator import DEFAULT_MMAP_THRESHOLD, give_back, mmap_threshold


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, DEFAULT_MMAP_THRESHOLD),
        ("", DEFAULT_MMAP_THRESHOLD),
        ("0", 0),
        ("262144", 262144),
        ("lots", DEFAULT_MMAP_THRESHOLD),
        ("-5", DEFAULT_MMAP_THRESHOLD),
        ("999999999999", DEFAULT_MMAP_THRESHOLD),
    ],
)
def test_the_threshold_comes_from_the_environment_and_a_bad_value_keeps_the_default(
    value, expected
):
    environ = {} if value is None else {"KANTU_MMAP_THRESHOLD": value}
    assert mmap_threshold(environ) == expected


def _tuned_in_fresh_process(environ_value: str) -> list[str]:
    code = (
        "from components.ocr.allocator import tune_allocator\n"
        f"print(tune_allocator({{'KANTU_MMAP_THRESHOLD': {environ_value!r}}}))\n"
        "print(tune_allocator({'KANTU_MMAP_THRESHOLD': '0'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.split()


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_the_threshold_is_set_once_per_process_and_zero_leaves_glibc_alone():
    assert _tuned_in_fresh_process("131072") == ["131072", "131072"]  # the second call: no-op
    assert _tuned_in_fresh_process("0") == ["0", "0"]


def test_giving_memory_back_never_fails():
    assert give_back() in (True, False)
