"""Benchmark a batch: N pictures through the loopback upstream with 300 ms latency per request.

Run ``python bench/batch.py``. For 200 and 500 pictures (each size in a fresh process, so peak
memory is its own), on photo-like JPEGs (1600×1200, ~300 KB) generated into a temporary folder:

1. preparation: the folder read and every picture prepared once (``prepare_items``);
2. the run: ``BatchJob`` at concurrency 8 against ``FakeUpstream(latency=0.3)``, wall time
   against the ideal ``N / 8 × 0.3 s`` measured in the same run (target ≤ 1.2×);
3. memory: the process's peak RSS, beside what a naive batch would hold (every original's bytes)
   and what Kantu keeps (prepared bytes and thumbnails; answered pictures drop their bytes).

Prints one table; no absolute limits.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LATENCY = 0.3
CONCURRENCY = 8
SIZES = (200, 500)
KEY = "sk-bench-0123456789abcdef"


def make_pictures(folder: Path, count: int) -> int:
    """Write ``count`` distinct photo-like JPEGs; return their total bytes."""
    from PIL import ImageDraw

    from components.devtools.image_factory import photo

    bases = [photo(1600, 1200) for _ in range(4)]
    total = 0
    for n in range(count):
        image = bases[n % len(bases)].copy()
        ImageDraw.Draw(image).rectangle(
            (n % 40 * 30, n // 40 * 30, n % 40 * 30 + 25, n // 40 * 30 + 25), fill=(n % 255, 0, 0)
        )
        path = folder / f"p{n:04d}.jpg"
        image.save(path, "JPEG", quality=85)
        total += path.stat().st_size
    return total


def one(count: int) -> dict[str, float]:
    """Measure one size in this process; return the figures."""
    from components.batch.intake import from_paths
    from components.batch.items import prepare_items
    from components.batch.job import BatchJob, BatchSpec
    from components.devtools.upstream import FakeUpstream, sse
    from components.providers.settings import resolve_settings

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        originals = make_pictures(folder, count)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        intake = from_paths([folder])
        items = prepare_items(intake.sources, detail="auto", model="gpt-4o-mini")
        prepare_s = time.perf_counter() - started
        kept = sum(len(i.image.data) + len(i.thumbnail) for i in items if i.image is not None)
        usage = {"prompt_tokens": 300, "completion_tokens": 8, "total_tokens": 308}
        with FakeUpstream(default=sse(["一张照片"], usage=usage), latency=LATENCY) as up:
            settings = resolve_settings(
                base_url=up.base_url, api_key=KEY, model="gpt-4o-mini", environ={}
            )
            job = BatchJob(items, BatchSpec(prompt="描述", model="gpt-4o-mini"))
            del items  # the job holds what it needs
            started = time.perf_counter()
            job.start(settings, concurrency=CONCURRENCY)
            job.wait()
            run_s = time.perf_counter() - started
            progress = job.progress()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "count": count,
        "done": progress.done,
        "failed": progress.failed,
        "prepare_s": prepare_s,
        "run_s": run_s,
        "ideal_s": count / CONCURRENCY * LATENCY,
        "originals_mb": originals / 1e6,
        "kept_mb": kept / 1e6,
        "rss_before_mb": rss_before / 1024,
        "peak_mb": peak / 1024,
    }


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(one(int(sys.argv[2]))))
        return 0
    rows = []
    for count in SIZES:
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(count)], capture_output=True, text=True
        )
        if done.returncode != 0:
            print(done.stderr[-2000:], file=sys.stderr)
            return 1
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"batch bench: latency {LATENCY * 1000:.0f} ms per request, concurrency {CONCURRENCY}")
    head = (
        "| pictures | answered | prepare s | run s | ideal s | run/ideal | originals MB "
        "| kept MB | RSS before prepare MB | peak RSS MB |"
    )
    print(head)
    print("|" + "---|" * 10)
    for r in rows:
        print(
            f"| {r['count']} | {r['done']:.0f} | {r['prepare_s']:.1f} | {r['run_s']:.2f} "
            f"| {r['ideal_s']:.2f} | {r['run_s'] / r['ideal_s']:.2f}× | {r['originals_mb']:.1f} "
            f"| {r['kept_mb']:.1f} | {r['rss_before_mb']:.0f} | {r['peak_mb']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
