"""Publish one source through the real run (`ingest.run.pipeline.run_pipeline`) into a null sink, and report
the process's CPU time and memory: `python -m bench.memory_probe PATH` prints one JSON object.

A process of its own, so its peak RSS is the run's and not the benchmark's (which holds the producers'
dataset and has run other sections). A sampling thread reads the resident set and the records read so far
every `SAMPLE_SECONDS`. Memory is bounded when it stops growing with the input: the RSS growth between the
sample at a quarter of the records and the end is within `GROWTH_TOLERANCE`; `rss_growth_per_million_records`
puts a number on a growth that is proportional to the input.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.null_sink import NullSinkKinesis
from ingest.publishing import KinesisPublisher
from ingest.run.dead_letter import DeadLetterWriter
from ingest.run.pipeline import run_pipeline
from ingest.run.report import RunReport
from ingest.sources import open_source
from ingest.stamps import new_run_id

SAMPLE_SECONDS = 0.2
GROWTH_TOLERANCE = 16 * 1024 * 1024
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class ProbeResult:
    source_bytes: int
    records_read: int
    records_published: int
    records_rejected: int
    records_failed: int
    kinesis_records: int
    wall_s: float
    cpu_s: float
    baseline_rss_bytes: int
    """RSS once everything is imported, before the run."""
    peak_rss_bytes: int
    """The process's peak RSS (`peak_rss`)."""
    rss_at_quarter_bytes: int
    """RSS when a quarter of the records had been read (after warm-up: buffers and aggregates are full)."""
    rss_at_end_bytes: int

    @property
    def rss_growth_per_million_records(self) -> float:
        grown = self.rss_at_end_bytes - self.rss_at_quarter_bytes
        return grown / (0.75 * self.records_read) * 1e6 if self.records_read else 0.0

    @property
    def records_per_cpu_s(self) -> float:
        return self.records_read / self.cpu_s if self.cpu_s > 0 else 0.0

    @property
    def bounded(self) -> bool:
        return self.rss_at_end_bytes - self.rss_at_quarter_bytes <= GROWTH_TOLERANCE

    def to_dict(self) -> dict[str, object]:
        return {
            **asdict(self),
            "records_per_cpu_s": self.records_per_cpu_s,
            "rss_growth_per_million_records": self.rss_growth_per_million_records,
            "bounded": self.bounded,
        }


def current_rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * _PAGE_SIZE


def peak_rss() -> int:
    """The process's peak RSS (VmHWM). Not getrusage's ru_maxrss: Linux carries that across exec, so in a
    child it includes the parent's RSS at fork (the benchmark's, hundreds of MiB)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("/proc/self/status has no VmHWM line")


class RssSampler:
    """(records read, RSS bytes) every `interval` seconds on a daemon thread, and once more at the end."""

    def __init__(self, records_read: Callable[[], int], interval: float = SAMPLE_SECONDS) -> None:
        self.samples: list[tuple[int, int]] = []
        self._records_read = records_read
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def _sample(self) -> None:
        self.samples.append((self._records_read(), current_rss()))

    def rss_at_fraction(self, fraction: float) -> int:
        """RSS of the first sample taken once `fraction` of the final record count had been read."""
        total = self.samples[-1][0]
        return next(rss for records, rss in self.samples if records >= fraction * total)


def probe(path: Path) -> ProbeResult:
    source = open_source(str(path))
    publisher = KinesisPublisher(NullSinkKinesis(), "null-sink", aggregate=True, shard_aware=False)
    report = RunReport(run_id=new_run_id(), source=source.uri, stream="null-sink", aggregate=True, format="auto")
    baseline = current_rss()
    with tempfile.TemporaryDirectory() as scratch:
        dead_letter = DeadLetterWriter(Path(scratch) / "dead-letter.jsonl", report.run_id, create=False)
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        with dead_letter, RssSampler(lambda: report.records_read) as sampler:
            run_pipeline(source, publisher, report, dead_letter=dead_letter)
        wall_s, cpu_s = time.perf_counter() - wall_start, time.process_time() - cpu_start
    return ProbeResult(
        source_bytes=path.stat().st_size,
        records_read=report.records_read,
        records_published=report.records_published,
        records_rejected=report.records_rejected,
        records_failed=report.records_failed,
        kinesis_records=publisher.stats.kinesis_records,
        wall_s=wall_s,
        cpu_s=cpu_s,
        baseline_rss_bytes=baseline,
        peak_rss_bytes=peak_rss(),
        rss_at_quarter_bytes=sampler.rss_at_fraction(0.25),
        rss_at_end_bytes=sampler.samples[-1][1],
    )


if __name__ == "__main__":
    print(json.dumps(asdict(probe(Path(sys.argv[1])))))
