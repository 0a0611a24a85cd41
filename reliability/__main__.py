"""`python -m reliability`: run every check and print the table of docs/reliability.md (markdown, on stdout).

    python -m reliability                          corpus, faults, a 20,000-record load, security checks
    python -m reliability --load-records 1000000   the same with the one-million-record load (a few minutes)
    python -m reliability load --records 1000000   the load alone, with its timings and peak memory

The table also goes to reliability/results.json (`--results`), with every check's details. Exit status 0 when
every check passed, 1 otherwise. Work files go to a temporary directory, or to `--keep DIR`.
"""

from __future__ import annotations

import argparse
import functools
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from reliability.corpus import run_corpus
from reliability.faults import FAULTS
from reliability.kill_restart import kill_restart_outcome
from reliability.load import load_outcome, run_load
from reliability.results import Outcome, markdown_table, write_results
from reliability.security import SECURITY, iam_lint
from reliability.source_faults import SOURCE_FAULTS

RESULTS = Path(__file__).resolve().parent / "results.json"
DEFAULT_LOAD_RECORDS = 20_000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m reliability", description=__doc__.split("\n", 1)[0])
    parser.add_argument("what", nargs="?", choices=["all", "load"], default="all", help="everything, or the load")
    parser.add_argument("--records", "--load-records", dest="records", type=int, default=DEFAULT_LOAD_RECORDS)
    parser.add_argument("--no-aggregate", dest="aggregate", action="store_false", help="load: one record per put")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"where the JSON goes (default {RESULTS})")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep the work files in DIR")
    return parser


def _progress(message: str) -> None:
    print(f"reliability: {message}", file=sys.stderr, flush=True)


def _single(check: Callable[[Path], Outcome], workdir: Path) -> list[Outcome]:
    return [check(workdir)]


def _load(records: int, aggregate: bool, workdir: Path) -> list[Outcome]:
    return [load_outcome(run_load(records, workdir, aggregate=aggregate))]


def run_all(workdir: Path, *, load_records: int, aggregate: bool = True) -> list[Outcome]:
    """Every check, in the table's order, each in its own work directory."""
    checks: list[tuple[str, Callable[[Path], list[Outcome]]]] = [("corpus", run_corpus)]
    checks += [(name, functools.partial(_single, fault)) for name, fault in {**FAULTS, **SOURCE_FAULTS}.items()]
    checks.append(("sigkill-then-restart", functools.partial(_single, kill_restart_outcome)))
    checks.append((f"load-{load_records}", functools.partial(_load, load_records, aggregate)))
    checks += [(name, functools.partial(_single, check)) for name, check in SECURITY.items()]
    checks.append(("iam-lint", lambda _: [iam_lint()]))
    outcomes: list[Outcome] = []
    for name, run in checks:
        started = time.monotonic()
        found = run(workdir / name)
        for outcome in found:  # the table reads the same whichever temporary directory the checks ran in
            outcome.observed = outcome.observed.replace(str(workdir), "$WORK")
        failed = sum(not outcome.passed for outcome in found)
        _progress(f"{name}: {len(found) - failed} passed, {failed} failed ({time.monotonic() - started:.1f} s)")
        outcomes += found
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reliability-") as scratch:
        workdir = (args.keep or Path(scratch)).resolve()
        if args.what == "load":
            result = run_load(args.records, workdir / "load", aggregate=args.aggregate)
            print(result.summary())
            outcome = load_outcome(result)
            print(markdown_table([outcome]))
            return 0 if outcome.passed else 1
        started = time.monotonic()
        outcomes = run_all(workdir, load_records=args.records, aggregate=args.aggregate)
    context = {
        "command": "python -m reliability"
        + (f" --load-records {args.records}" if args.records != DEFAULT_LOAD_RECORDS else ""),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "seconds": round(time.monotonic() - started, 1),
    }
    write_results(outcomes, args.results, context=context)
    print(markdown_table(outcomes))
    return 0 if all(outcome.passed for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
