"""What starting the tool costs: `python -m ingest --help` and `import ingest.run`, each timed in fresh interpreters
(median of N), next to a bare interpreter, with the heavy libraries each one loaded.

The target (issue 13) is `--help` under 0.25 s on the reference machine: a command loads boto3, requests, tqdm and
the like only when it runs, never to print its usage. The timings are wall clock, interpreter start included,
because that is what a person typing the command waits for; the list of heavy modules is what keeps them low.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT_RUNS = 7
HEAVY_MODULES = (
    "boto3",
    "botocore",
    "pulumi",
    "pulumi_aws",
    "requests",
    "urllib3",
    "tqdm",
    "aws_kinesis_agg",
    "moto",
    "jsonschema",
)
"""Libraries whose import costs tens of milliseconds or more, or that the tool must never load (Pulumi)."""

_HELP = (
    "import contextlib, io, runpy, sys\n"
    "sys.argv = ['ingest', '--help']\n"
    "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
    "    runpy.run_module('ingest', run_name='__main__')\n"
)


@dataclass(frozen=True)
class Probe:
    label: str
    argv: tuple[str, ...]
    """Arguments to the interpreter for the timed runs."""
    code: str
    """The same work as a `-c` program, run once more to see what it loaded."""


PROBES = (
    Probe("python -c pass", ("-c", "pass"), ""),
    Probe("python -m ingest --help", ("-m", "ingest", "--help"), _HELP),
    Probe('python -c "import ingest.run"', ("-c", "import ingest.run"), "import ingest.run\n"),
)


@dataclass(frozen=True)
class ImportCost:
    label: str
    runs: int
    median_s: float
    min_s: float
    heavy_modules: tuple[str, ...]
    """The heavy libraries (HEAVY_MODULES) that were imported."""

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "heavy_modules": list(self.heavy_modules)}


def heavy_modules_loaded(code: str) -> tuple[str, ...]:
    """The HEAVY_MODULES that `code` imports, run in a fresh interpreter from the repository root."""
    report = (
        "\nimport json, sys\n"
        f"heavy = {HEAVY_MODULES!r}\n"
        "print(json.dumps(sorted({name.partition('.')[0] for name in sys.modules} & set(heavy))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code + report], cwd=REPOSITORY, capture_output=True, text=True, timeout=120, check=True
    )
    return tuple(json.loads(done.stdout.strip().splitlines()[-1]))


def _wall_seconds(argv: Sequence[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, *argv], cwd=REPOSITORY, capture_output=True, timeout=120, check=True)
    return time.perf_counter() - started


def measure(runs: int = DEFAULT_RUNS, probes: Sequence[Probe] = PROBES) -> list[ImportCost]:
    """Each probe `runs` times (after one warm-up run that fills the OS file cache), median and best."""
    costs = []
    for probe in probes:
        _wall_seconds(probe.argv)
        times = [_wall_seconds(probe.argv) for _ in range(runs)]
        costs.append(
            ImportCost(
                label=probe.label,
                runs=runs,
                median_s=round(statistics.median(times), 4),
                min_s=round(min(times), 4),
                heavy_modules=heavy_modules_loaded(probe.code),
            )
        )
    return costs


def import_cost_text(costs: Sequence[ImportCost]) -> str:
    """One line per probe: median and best wall time, and the heavy modules it loaded."""
    lines = []
    for cost in costs:
        heavy = ", ".join(cost.heavy_modules) or "none"
        lines.append(
            f"- `{cost.label}`: median {cost.median_s:.3f} s, best {cost.min_s:.3f} s over {cost.runs} fresh "
            f"interpreters; heavy modules loaded: {heavy}"
        )
    return "\n".join(lines)
