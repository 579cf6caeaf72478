"""Estimate the suite's critical path from a ``--durations`` report, under today's xdist groups.

Run the suite once with ``python -m pytest -n 4 --dist loadgroup --durations=0 > run.log``, then
``python bench/suite_groups.py run.log [workers] [--per-module]``
(``--per-module``: the old rule, one group per module, for a before/after). It collects the tests (no test runs), gives each
the group ``tests/conftest.py`` gives it, adds up each group's setup, call and teardown seconds
from the report, and hands the groups to ``workers`` simulated workers (default 4) in the order
pytest-xdist's ``loadgroup`` does (groups of many tests first, then single tests in collection
order, each to the first worker free). It prints the longest groups, the sum of all durations, and
the simulated wall time: a lower bound under load (four workers share two cores), and a guide to
which group bounds the run. Tests missing from the report count as 0 s.
"""

from __future__ import annotations

import heapq
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DURATION = re.compile(r"^\s*([0-9.]+)s (?:setup|call|teardown)\s+(\S+)")


def durations(report: Path) -> dict[str, float]:
    """Return each test's seconds (setup + call + teardown) found in a ``--durations`` report."""
    seconds: dict[str, float] = defaultdict(float)
    for line in report.read_text(encoding="utf-8", errors="replace").splitlines():
        match = DURATION.match(line)
        if match:
            nodeid = match.group(2)
            if nodeid.rfind("@") > nodeid.rfind("]"):  # xdist appends "@group" to grouped ids
                nodeid = nodeid[: nodeid.rfind("@")]
            seconds[nodeid] += float(match.group(1))
    return seconds


class _Groups:
    """A pytest plugin that records each collected test's xdist group, in collection order."""

    def __init__(self) -> None:
        self.order: list[tuple[str, str]] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            marker = item.get_closest_marker("xdist_group")
            self.order.append((item.nodeid, str(marker.args[0]) if marker else item.nodeid))


def schedule(units: list[tuple[str, float]], workers: int) -> float:
    """Return the finish time of ``units`` (name, seconds) given in order to the first free worker."""
    free = [0.0] * workers
    for _, seconds in units:
        heapq.heappush(free, heapq.heappop(free) + seconds)
    return max(free)


def main() -> None:
    args = [arg for arg in sys.argv[1:] if arg != "--per-module"]
    per_module = len(args) < len(sys.argv) - 1
    report = Path(args[0])
    workers = int(args[1]) if len(args) > 1 else 4
    seconds = durations(report)
    groups = _Groups()
    pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", str(ROOT / "tests")], [groups])
    members: dict[str, list[str]] = defaultdict(list)
    for nodeid, group in groups.order:
        members[nodeid.split("::")[0] if per_module else group].append(nodeid)
    units = [(g, sum(seconds.get(n, 0.0) for n in ids)) for g, ids in members.items()]
    counts = {g: len(ids) for g, ids in members.items()}
    units.sort(key=lambda unit: -counts[unit[0]])  # xdist's --loadscope-reorder (stable)
    print(f"\n{'group':<64} {'tests':>5} {'s':>8}")
    for name, total in sorted(units, key=lambda unit: -unit[1])[:15]:
        print(f"{name[-64:]:<64} {counts[name]:>5} {total:>8.1f}")
    found = sum(1 for nodeid, _ in groups.order if nodeid in seconds)
    print(
        f"\ntests {len(groups.order)}, with a duration {found}; sum {sum(seconds.values()):.1f} s"
    )
    print(f"simulated wall on {workers} workers: {schedule(units, workers):.1f} s")


if __name__ == "__main__":
    main()
