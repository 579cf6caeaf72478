"""Read a process's memory figures from ``/proc`` (Linux), for benches and memory tests.

``VmHWM`` is the peak resident set of the process's current image: unlike ``ru_maxrss``, it does
not carry the peak of whatever process started it across ``exec``.
"""

from __future__ import annotations


def status_mb(key: str, pid: int | str = "self") -> float:
    """Return the ``/proc/<pid>/status`` field ``key`` (``VmRSS``, ``VmHWM``…) in MB.

    Raises LookupError when the field is missing.
    """
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(f"{key} not in /proc/{pid}/status")
