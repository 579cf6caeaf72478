"""`kantu batch`: one prompt over many pictures, with a progress bar on stderr.

::

    kantu batch FILE_OR_DIR... --prompt TEXT [--columns a,b,c] [--concurrency N]
        [--model M] [--detail D] [--out results.jsonl] [--via batch-api]

Folders are walked (pictures and .zip archives, in name order). Results go to ``--out`` as JSON
Lines, one per picture, written as each picture settles; rerunning with the same ``--out`` skips
the pictures already answered (same picture bytes, prompt, model and detail) and retries the rest.

``--via batch-api`` hands the job to the provider's own batch engine (``/v1/files`` and
``/v1/batches``: about half price, results within 24 hours): the batch id is saved beside
``--out`` (``OUT.batch.json``), so an interrupted run picks the same batch up again.

Exit codes: 0 every picture answered; 1 some failed, were refused or cancelled (see ``--out``);
2 usage errors or settings that cannot work; 130 interrupted (Ctrl-C; finished answers are kept).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from components.batch import structured
from components.batch.export import from_record, record
from components.batch.intake import from_paths
from components.batch.items import prepare_items
from components.batch.job import MAX_CONCURRENCY, BatchJob, BatchSpec, ItemResult, Progress
from components.cli.commands import command_parser
from components.cli.connection import add_connection_flags, command_line_settings
from components.cli.outcome import FAILED, INTERRUPTED, OK, USAGE
from components.cli.output import redraw
from components.costs.prices import PriceBook, price_for
from components.errors import KantuError
from components.images.prepared import DETAILS
from components.providers.settings import ClientSettings
from components.settings_source import command_line_source

BAR_WIDTH = 24


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the `batch` subcommand."""
    parser = command_parser(
        sub, "batch", summary="one prompt over many pictures; results to a JSONL file", doc=__doc__
    )
    parser.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help="pictures, folders, zips")
    parser.add_argument("--prompt", required=True, help="what to ask of every picture")
    parser.add_argument("--columns", default="", help="answer as a JSON object with these keys")
    parser.add_argument(
        "--concurrency", type=_concurrency, default=4, metavar="N", help="1 to 16 (default 4)"
    )
    parser.add_argument("--detail", choices=DETAILS, default="auto", help="image detail")
    parser.add_argument("--out", default="results.jsonl", help="JSON Lines output and resume file")
    parser.add_argument(
        "--via", choices=("direct", "batch-api"), default="direct", help="how to send"
    )
    add_connection_flags(parser)
    parser.add_argument(
        "--timeout", type=float, default=60.0, metavar="SECONDS", help="read timeout (default 60)"
    )
    parser.add_argument(
        "--poll", type=float, default=10.0, metavar="SECONDS", help="batch-api: poll every (10)"
    )
    parser.set_defaults(run=run)


def _concurrency(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_CONCURRENCY}")
    return value


def read_results(path: Path) -> dict[str, dict[str, Any]]:
    """Return the records of an earlier run by key (the last line for a key wins); a damaged
    line (an interrupted write) is skipped."""
    found: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return found
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and obj.get("key"):
                found[obj["key"]] = obj
    return found


class ResultFile:
    """The ``--out`` file: each settled item appended at once (a crash loses nothing
    finished), then rewritten whole, one line per picture, in order, by ``finish``."""

    def __init__(self, path: Path, spec: BatchSpec) -> None:
        self.path = path
        self.spec = spec
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle: TextIO = path.open("a", encoding="utf-8")

    def append(self, result: ItemResult) -> None:
        self._handle.write(json.dumps(record(result, self.spec), ensure_ascii=False) + "\n")
        self._handle.flush()

    def finish(self, results: list[ItemResult], earlier: dict[str, dict[str, Any]]) -> None:
        self._handle.close()
        keys = {r.key for r in results}
        lines = [record(r, self.spec) for r in results]
        lines += [obj for key, obj in earlier.items() if key not in keys]  # other runs' pictures
        temp = self.path.with_name(self.path.name + ".tmp")
        temp.write_text(
            "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in lines), encoding="utf-8"
        )
        temp.replace(self.path)


def progress_line(p: Progress) -> str:
    """Return the one-line progress bar: done / failed / remaining, speed and time left."""
    filled = round(BAR_WIDTH * p.fraction)
    eta = "?" if p.eta_s is None else f"{p.eta_s:.0f}s"
    return (
        f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {p.settled}/{p.total - p.refused} "
        f"done {p.done} failed {p.failed} remaining {p.remaining} "
        f"· {p.throughput:.1f}/s · eta {eta}"
    )


def run(args: argparse.Namespace) -> int:
    """Run the batch; return the exit code. Settings that cannot work raise (``__main__`` says
    so)."""
    settings = command_line_settings(args)
    prices = PriceBook.from_settings(command_line_source()).operator
    spec = BatchSpec(
        prompt=args.prompt,
        model=settings.model,
        detail=args.detail,
        columns=structured.parse_columns(args.columns),
        preset_id=settings.preset.id,
    )
    out = Path(args.out)
    earlier = read_results(out)
    answered = {key for key, obj in earlier.items() if obj.get("status") == "done"}
    intake = from_paths(args.paths)
    if not intake.sources and not intake.refused:
        print("error: no pictures found in the paths given", file=sys.stderr)
        return USAGE
    print(f"preparing {len(intake.sources)} pictures…", file=sys.stderr)
    items = prepare_items(
        intake.sources,
        detail=spec.detail,
        model=spec.model,
        refused=intake.refused,
        skip=lambda sha: spec.key(sha) in answered,
    )
    done = [from_record(obj) for obj in earlier.values()]
    price = price_for(settings.preset.id, spec.model, prices)
    if args.via == "batch-api":
        job = BatchJob(items, spec, price=price, done=done)
        return _via_batch_api(args, settings, job, out, earlier)
    output = ResultFile(out, spec)
    job = BatchJob(items, spec, price=price, done=done, on_result=output.append)
    skipped = job.progress().done
    if skipped:
        print(f"{skipped} already answered in {out}: skipped", file=sys.stderr)
    job.start(settings, concurrency=args.concurrency)
    last = ""
    try:
        while not job.wait(0.25):
            line = progress_line(job.progress())
            # a terminal redraws in place; a log gets a line only when the counts move
            if sys.stderr.isatty() or line.split("·")[0] != last.split("·")[0]:
                redraw(line, sys.stderr)
                last = line
    except KeyboardInterrupt:
        job.cancel()
        job.wait(10)
        output.finish(job.results(), earlier)
        print("\ninterrupted: finished answers are kept", file=sys.stderr)
        return INTERRUPTED
    final = job.progress()
    redraw(progress_line(final), sys.stderr)
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    output.finish(job.results(), earlier)
    return report(job.results(), out)


def _via_batch_api(
    args: argparse.Namespace,
    settings: ClientSettings,
    job: BatchJob,
    out: Path,
    earlier: dict[str, dict[str, Any]],
) -> int:
    """Send the queued items as one provider batch (or resume the saved one), then merge."""
    from components.batch import api  # only this path needs it

    state_path = out.with_name(out.name + ".batch.json")
    results = job.results()
    pending = [(r.key, job.image(r.index)) for r in results if r.status == "queued"]
    unique = list({key: image for key, image in pending if image is not None}.items())
    output = ResultFile(out, job.spec)
    if unique:
        client = api.BatchAPI(settings)
        try:
            lines = api.run_batch(
                client,
                job.spec,
                unique,
                state_path,
                poll_every=args.poll,
                on_status=lambda batch: redraw(_batch_line(batch), sys.stderr),
            )
        except KeyboardInterrupt:
            output.finish(results, earlier)
            print(
                f"\ninterrupted: the batch goes on at the provider; rerun the same command to "
                f"collect it (id saved in {state_path})",
                file=sys.stderr,
            )
            return INTERRUPTED
        except KantuError:
            output.finish(results, earlier)
            raise
        finally:
            client.close()
        results = api.merge(results, lines, job.spec, job.price)
    output.finish(results, earlier)
    state_path.unlink(missing_ok=True)
    return report(results, out)


def _batch_line(batch: dict[str, Any]) -> str:
    counts = batch.get("request_counts") or {}
    done = counts.get("completed", "?")
    return f"batch {batch.get('id')}: {batch.get('status')} ({done}/{counts.get('total', '?')})"


def report(results: list[ItemResult], out: Path) -> int:
    """Print one line per item that did not succeed, and the totals; return the exit code."""
    from components.batch.export import reason_text

    bad = [r for r in results if r.status != "done"]
    for result in bad:
        print(f"{result.status}: {result.name}: {reason_text(result)}", file=sys.stderr)
    done = len(results) - len(bad)
    print(f"{done} of {len(results)} answered; results in {out}", file=sys.stderr)
    return OK if not bad else FAILED
