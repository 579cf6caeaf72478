"""Benchmark how fast the access code and the operator code can be guessed (issue 19 item 4).

Run ``python bench/guessing.py --baseline DIR`` where DIR is a checkout of the code to compare
with (e.g. ``git worktree add /tmp/kantu-before <commit>``, or ``git archive <commit> | tar -x``).
For each code it prints, for the baseline and for this checkout:

- **fresh sessions, one address**: ``--workers`` processes, each opening a fresh AppTest session
  (the app's real entry script, as a new websocket would) and typing two wrong codes in it, over
  and over for ``--seconds`` (the red team's replay: a new session whenever the old one waits);
- **many addresses** (this checkout only): ``--addresses`` clients, each with its own network
  address, each guessing once a second through ``throttle.check_code`` on one ledger file.

A guess counts as compared when the page said "that code is not right" (or the check said
``wrong``); the rest were refused unread. The table gives the mean rate per minute of wall time
and, for runs of a minute or more, the most compared in any rolling minute (the throttle's own
measure). Target: ≤ 30 a minute per code. Loopback only: the operator's URL is 127.0.0.1 and nothing is ever asked.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
TARGET_PER_MINUTE = 30
SECRET_CODE = secrets.token_hex(12)  # never guessed: every guess is wrong


def _fresh_session(tree: Path, ledger: str, code: str):
    """Return a new AppTest session on ``tree``'s app whose reruns go through the entry script."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(tree / "app.py"), default_timeout=30)
    run_once = at._run

    def run_from_entry(*args, **kwargs):
        at._finished_page_script_hash = ""  # as a browser's rerun (see tests/conftest.py)
        return run_once(*args, **kwargs)

    at._run = run_from_entry
    at.secrets.update(
        {
            "KANTU_BASE_URL": "http://127.0.0.1:9/v1",
            "KANTU_API_KEY": "bench-operator-key-0000",
            "KANTU_LEDGER_PATH": ledger,
            "KANTU_ACCESS_CODE": code,
            "KANTU_ADMIN_CODE": code,
        }
    )
    at.session_state["kantu_lang"] = "en"
    at.run()
    return at


def _guess(at, scope: str, typed: str, wrong_text: str, unlock: str) -> bool:
    """Type ``typed`` into the code box; return whether it was compared."""
    admin = scope == "operator"
    if admin:
        at.switch_page("pages/admin.py").run()
    at.text_input(key="kantu_admin_code" if admin else "kantu_access_code").input(typed)
    next(b for b in at.button if b.label == unlock).click()
    (at.switch_page("pages/admin.py") if admin else at).run()
    return wrong_text in [e.value for e in at.error]


def worker(tree: Path, scope: str, ledger: str, seconds: float) -> dict[str, object]:
    """Open fresh sessions and guess twice in each until ``seconds`` pass; return the number of
    guesses and when each compared one was."""
    sys.path.insert(0, str(tree))
    os.chdir(tree)
    from components.i18n import t

    wrong, unlock = t("hosting.wrong_code", "en"), t("hosting.unlock", "en")
    tried, compared = 0, []
    deadline = time.time() + seconds
    while time.time() < deadline:
        at = _fresh_session(tree, ledger, SECRET_CODE)
        for _ in range(2):
            tried += 1
            if _guess(at, scope, secrets.token_hex(4), wrong, unlock):
                compared.append(time.time())
    return {"tried": tried, "compared": compared}


def fresh_sessions(tree: Path, scope: str, workers: int, seconds: float) -> dict[str, float]:
    """Run ``workers`` guessing processes against ``tree``; return tries and compared."""
    ledger = str(Path(tempfile.mkdtemp(prefix="kantu-guess-")) / "ledger.sqlite3")
    argv = [sys.executable, __file__, "--worker", str(tree), scope, ledger, str(seconds)]
    started = time.monotonic()
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) for _ in range(workers)]
    counts = [
        json.loads(p.communicate(timeout=seconds + 120)[0].strip().splitlines()[-1]) for p in procs
    ]
    elapsed = time.monotonic() - started
    return {
        "seconds": elapsed,
        "tried": sum(c["tried"] for c in counts),
        "compared": [at for c in counts for at in c["compared"]],
    }


def many_addresses(scope: str, addresses: int, seconds: float) -> dict[str, float]:
    """Let ``addresses`` clients guess once a second each through ``check_code``."""
    sys.path.insert(0, str(HERE))
    from components.hosting.ledger import SQLiteLedger
    from components.hosting.throttle import check_code, client_key

    ledger = SQLiteLedger(Path(tempfile.mkdtemp(prefix="kantu-guess-")) / "ledger.sqlite3")
    counts: dict[str, list[float]] = {"tried": [], "compared": []}
    lock = threading.Lock()
    started = time.monotonic()

    def client(n: int) -> None:
        key = client_key("bench", f"198.51.100.{n}")
        while (now := time.monotonic()) - started < seconds:
            check = check_code(
                ledger, scope, key, secrets.token_hex(4), (SECRET_CODE,), now=time.time()
            )
            with lock:
                counts["tried"].append(now)
                if check.failed:
                    counts["compared"].append(time.time())
            time.sleep(max(0.0, 1.0 - (time.monotonic() - now)))  # paced: one guess a second

    threads = [threading.Thread(target=client, args=(n,)) for n in range(addresses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "seconds": time.monotonic() - started,
        "tried": len(counts["tried"]),
        "compared": counts["compared"],
    }


def most_in_a_minute(times: list[float]) -> int:
    """Return the most of ``times`` inside any rolling 60 s."""
    times = sorted(times)
    return max((bisect.bisect_left(times, t + 60.0) - i for i, t in enumerate(times)), default=0)


def _row(code: str, tree: str, how: str, result: dict) -> str:
    compared = result["compared"]
    mean = len(compared) / result["seconds"] * 60
    peak = most_in_a_minute(compared) if result["seconds"] >= 60 else None
    worst = peak if peak is not None else mean
    return (
        f"| {code} | {tree} | {how} | {result['seconds']:.0f} | {result['tried']:,} | "
        f"{len(compared):,} | {mean:,.0f} | {'—' if peak is None else peak} | "
        f"{'ok' if worst <= TARGET_PER_MINUTE else 'OVER'} |"
    )


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", type=Path, help="a checkout of the code to compare with")
    parser.add_argument("--seconds", type=float, default=65.0, help="per measure on this checkout")
    parser.add_argument("--baseline-seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--addresses", type=int, default=50)
    parser.add_argument("--codes", default="access,operator")
    args = parser.parse_args()
    print(
        "| code | tree | guessers | seconds | guesses | compared | compared / min (mean) "
        "| most in any minute | ≤ 30 |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---|")
    for scope in args.codes.split(","):
        trees = [("baseline", args.baseline, args.baseline_seconds)] if args.baseline else []
        for name, tree, seconds in [*trees, ("this", HERE, args.seconds)]:
            result = fresh_sessions(tree, scope, args.workers, seconds)
            how = f"{args.workers} procs, fresh sessions, 1 address"
            print(_row(scope, name, how, result), flush=True)
        result = many_addresses(scope, args.addresses, args.seconds)
        print(
            _row(scope, "this", f"{args.addresses} addresses, 1 guess/s each", result), flush=True
        )


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--worker":
        _, _, tree, scope, ledger, seconds = sys.argv
        print(json.dumps(worker(Path(tree), scope, ledger, float(seconds))))
    else:
        main()
