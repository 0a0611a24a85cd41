"""Load: N generated records through the local pipeline end to end, with `publish` and `verify` measured.

The emulator, the seeded source bucket and the Firehose stand-in run in this process; `publish` and `verify`
run as child processes (`python -m ingest ...`, as a user runs them), so each one's peak resident memory is
its own (`wait4`'s rusage), not the emulator's, which holds every object and record in memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ingest.local.stack import running_local_stack
from ingest.run.report import load_report
from reliability.aws import child_environment
from reliability.results import Counts, Outcome

MIB = 1024 * 1024
MEMORY_BUDGET_BYTES = 256 * MIB
"""Peak resident memory `publish` may use, whatever the number of records: it streams."""
VERIFY_TIMEOUT_SECONDS = 300


SAMPLE_SECONDS = 0.5


@dataclass(frozen=True)
class Measured:
    status: int
    seconds: float
    peak_rss_bytes: int
    """VmHWM at the last look: the most the process has held since it started (to within SAMPLE_SECONDS)."""
    stdout: str
    stderr: str
    rss_samples: tuple[tuple[float, int], ...] = ()
    """(seconds since start, VmRSS bytes) every SAMPLE_SECONDS: how memory moved during the run."""

    def peak_between(self, start: float, end: float) -> int:
        """The largest sample taken between these fractions of the run (0 to 1)."""
        window = [rss for at, rss in self.rss_samples if start * self.seconds <= at <= end * self.seconds]
        return max(window, default=0)


@dataclass(frozen=True)
class LoadResult:
    records: int
    objects: int
    seed_seconds: float
    publish: Measured
    deliver_seconds: float
    verify: Measured
    report: dict[str, Any]
    verification: dict[str, Any]

    def summary(self) -> str:
        report, check, publish = self.report, self.verification, self.publish
        quarters = ", ".join(f"{publish.peak_between(start, start + 0.25) / MIB:.0f}" for start in (0, 0.25, 0.5, 0.75))
        return "\n".join(
            [
                f"Load: {self.records} records in {self.objects} objects through the local pipeline.",
                f"  seed      {self.seed_seconds:7.1f} s (emulator, bucket, stack)",
                f"  publish   {publish.seconds:7.1f} s, exit {publish.status}, peak RSS "
                f"{publish.peak_rss_bytes / MIB:.0f} MiB (largest sample per quarter of the run: {quarters} MiB): "
                f"{report.get('records_published')} published, {report.get('records_rejected')} rejected, "
                f"{report.get('records_failed')} failed, {report.get('kinesis_records')} Kinesis records",
                f"  deliver   {self.deliver_seconds:7.1f} s (the Firehose stand-in's final flush)",
                f"  verify    {self.verify.seconds:7.1f} s, exit {self.verify.status}, peak RSS "
                f"{self.verify.peak_rss_bytes / MIB:.0f} MiB: {check.get('delivered')} of {check.get('expected')} "
                f"delivered, {check.get('missing')} missing, {check.get('duplicated')} duplicated",
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        document = asdict(self)
        for name in ("publish", "verify"):
            document[name].pop("stdout")
            samples = document[name]["rss_samples"]
            document[name]["rss_samples"] = samples[:: max(1, len(samples) // 40)]
        return document


def _run_measured(argv: list[str], env: dict[str, str], cwd: Path) -> Measured:
    """Run `python -m ingest ARGV`, its output in files (no pipe to fill up), its memory read from /proc every
    SAMPLE_SECONDS: VmRSS for the timeline, VmHWM (the high-water mark since exec) for the peak.

    Not wait4's ru_maxrss: Linux carries into it the high-water mark of the memory image the child had before
    exec, which is this process's, with the emulator holding every record; ru_maxrss would report that.
    """
    started = time.monotonic()
    out_path, err_path = cwd / f"{argv[0]}.stdout", cwd / f"{argv[0]}.stderr"
    samples: list[tuple[float, int]] = []
    high_water = [0]
    with out_path.open("w") as out, err_path.open("w") as err:
        child = subprocess.Popen([sys.executable, "-m", "ingest", *argv], env=env, cwd=cwd, stdout=out, stderr=err)
        sampler = threading.Thread(target=_sample_memory, args=(child, started, samples, high_water), daemon=True)
        sampler.start()
        child.wait()
        sampler.join()
    return Measured(
        child.returncode,
        time.monotonic() - started,
        high_water[0],
        out_path.read_text(encoding="utf-8"),
        err_path.read_text(encoding="utf-8"),
        tuple(samples),
    )


def _sample_memory(
    child: subprocess.Popen[bytes], started: float, samples: list[tuple[float, int]], high_water: list[int]
) -> None:
    status = Path(f"/proc/{child.pid}/status")
    while child.poll() is None:
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            resident, peak = (int(fields[name].split()[0]) * 1024 for name in ("VmRSS", "VmHWM"))
        except (OSError, KeyError, ValueError):
            return  # the process has gone, or is a zombie without memory
        samples.append((time.monotonic() - started, resident))
        high_water[0] = max(high_water[0], peak)
        time.sleep(SAMPLE_SECONDS)


def run_load(records: int, workdir: Path, *, aggregate: bool = True) -> LoadResult:
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with running_local_stack(records=records) as stack:
        seeded = time.monotonic()
        env, names, args = child_environment(stack.emulator.environment()), stack.pipeline.names, stack.pipeline.args
        report_path = workdir / "report.json"
        published = _run_measured(
            ["publish", "--stream", names.stream, "--source", stack.source.url, "--region", stack.pipeline.region,
             "--report", str(report_path), "--dead-letter", str(workdir / "dead-letter.jsonl"), "--quiet",
             "--aggregate" if aggregate else "--no-aggregate"],
            env,
            workdir,
        )  # fmt: skip
        flushed = time.monotonic()
        stack.firehose.flush()
        delivered = time.monotonic() - flushed
        verified = _run_measured(
            ["verify", "--report", str(report_path), "--bucket", names.bucket, "--prefix", args.data_prefix,
             "--error-prefix", args.error_prefix, "--region", stack.pipeline.region, "--poll-interval", "1",
             "--timeout", str(VERIFY_TIMEOUT_SECONDS), "--json"],
            env,
            workdir,
        )  # fmt: skip
        objects = len(stack.source.keys)
    report = load_report(report_path).to_dict() if report_path.exists() else {}
    report.pop("objects", None)
    verification = json.loads(verified.stdout) if verified.stdout.strip().startswith("{") else {}
    return LoadResult(records, objects, seeded - started, published, delivered, verified, report, verification)


def load_outcome(result: LoadResult) -> Outcome:
    report, check = result.report, result.verification
    problems = []
    if result.publish.status != 0:
        problems.append(f"publish exited {result.publish.status}: {result.publish.stderr.strip()[-300:]}")
    if result.verify.status != 0 or check.get("missing") != 0:
        problems.append(f"verify exited {result.verify.status}: {check.get('missing')} missing")
    if report.get("records_published") != result.records or check.get("expected") != result.records:
        problems.append(f"{report.get('records_published')} published of {result.records}")
    if result.publish.peak_rss_bytes > MEMORY_BUDGET_BYTES:
        problems.append(f"publish peak RSS {result.publish.peak_rss_bytes / MIB:.0f} MiB over the budget")
    counts = Counts(
        read=report.get("records_read", 0),
        published=check.get("delivered", 0),
        rejected=report.get("records_rejected", 0),
        failed=report.get("records_failed", 0),
        lost=check.get("missing", result.records),
    )
    observed = (
        f"publish exit {result.publish.status} in {result.publish.seconds:.0f} s, peak RSS "
        f"{result.publish.peak_rss_bytes / MIB:.0f} MiB (budget {MEMORY_BUDGET_BYTES // MIB}); verify exit "
        f"{result.verify.status} in {result.verify.seconds:.0f} s, peak RSS {result.verify.peak_rss_bytes / MIB:.0f} "
        f"MiB: {check.get('delivered')} of {check.get('expected')} delivered, {check.get('missing')} missing"
    )
    tried = f"{result.records:,} generated records, {result.objects:,} objects, through the local pipeline"
    return Outcome("load", f"load-{result.records}", tried, observed, counts, problems)
