"""Faults while a source object is read: connections reset or stalled half-way through a download.

The source is read over real HTTP through `FaultProxy`: an S3 bucket on moto's server (the S3 client reaches
it through `AWS_ENDPOINT_URL_S3`), or a file on a plain web server for the HTTP source. `publish()` runs
unchanged; the stream (on the same moto server) is read back afterwards.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from ingest.commands.publish import publish_and_print
from ingest.local.emulator import Emulator, running_emulator
from ingest.run.publish import PublishOptions
from ingest.sample import generate_records, sample_files
from ingest.sources import s3 as s3_source
from reliability.accounting import RecordKey, account, duplicates, never_delivered, read_dead_letters
from reliability.aws import aws_environment
from reliability.faults import Run
from reliability.fileserver import serving
from reliability.kinesis import read_stream
from reliability.proxy import Rule, object_get, running_proxy
from reliability.results import Counts, Outcome

BUCKET = "reliability-source"
PREFIX = "days/"
STREAM = "source-faults"
VICTIM = "2018-01-02.json"
"""The object the faults hit: the second of three, and the largest (a week of records, about 600 KB), so a
download cut after every 200 KB still makes progress from one 64 KiB read to the next."""
VICTIM_RECORDS = 7 * 288
STALL_READ_TIMEOUT_SECONDS = 1
"""The S3 client's read timeout during the stall scenario (60 s otherwise), so the check takes seconds."""


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@dataclass
class SourceBench:
    emulator: Emulator
    workdir: Path
    files: dict[str, bytes]
    """Object key (under PREFIX) -> content."""
    runs: list[Run] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.files[VICTIM])

    def publish(self, source: str, rules: list[Rule], *, checkpoint: Path | None = None, **environment: str) -> Run:
        """`publish()` of `source` with the S3 endpoint behind a FaultProxy applying `rules`."""
        label = f"run{len(self.runs) + 1}"
        stderr, warnings = io.StringIO(), _Lines()
        logger = logging.getLogger("ingest")
        with (
            running_proxy(self.emulator.endpoint_url, rules) as proxy,
            aws_environment({**self.emulator.environment(), "AWS_ENDPOINT_URL_S3": proxy.url, **environment}),
            contextlib.redirect_stderr(stderr),
        ):
            logger.addHandler(warnings)
            try:
                result = publish_and_print(
                    PublishOptions(
                        stream=STREAM,
                        source=source,
                        region=self.emulator.region,
                        report=self.workdir / f"{label}-report.json",
                        dead_letter=self.workdir / f"{label}-dead-letter.jsonl",
                        checkpoint=checkpoint,
                    ),
                    quiet=True,
                )
            finally:
                logger.removeHandler(warnings)
        run = Run(result, stderr.getvalue(), read_dead_letters(self.workdir / f"{label}-dead-letter.jsonl"), [])
        self.runs.append(run)
        self.warnings += warnings.lines
        return run

    def delivered(self) -> Counter[RecordKey]:
        kinesis = self.emulator.client("kinesis")
        return Counter((item.run_id, item.source, item.index) for item in read_stream(kinesis, STREAM))

    def expected_s3(self) -> dict[str, int]:
        """Source URI -> records, for the bucket's objects."""
        return {f"s3://{BUCKET}/{PREFIX}{key}": content.count(b'"date"') for key, content in self.files.items()}


@contextlib.contextmanager
def source_bench(workdir: Path) -> Iterator[SourceBench]:
    workdir.mkdir(parents=True, exist_ok=True)
    files = {key.rsplit("/", 1)[-1]: content for key, content in sample_files(days=3).items()}
    files[VICTIM] = (json.dumps(list(generate_records(VICTIM_RECORDS, seed=2)), indent=2) + "\n").encode()
    with running_emulator() as emulator:
        s3 = emulator.client("s3")
        location = {} if emulator.region == "us-east-1" else {"LocationConstraint": emulator.region}
        s3.create_bucket(Bucket=BUCKET, **({"CreateBucketConfiguration": location} if location else {}))
        for key, content in files.items():
            s3.put_object(Bucket=BUCKET, Key=PREFIX + key, Body=content)
        emulator.client("kinesis").create_stream(StreamName=STREAM, ShardCount=1)
        yield SourceBench(emulator, workdir, files)


def _outcome(name: str, tried: str, bench: SourceBench, expected: dict[str, int], statuses: list[int]) -> Outcome:
    """Every run's accounting, plus: every source record delivered, the exit statuses as expected."""
    delivered = bench.delivered()
    counts, problems = Counts(), []
    for run, status in zip(bench.runs, statuses, strict=True):
        if run.result.report is None:
            problems.append(f"a run could not start: {run.stderr.strip()}")
            continue
        run_counts, run_problems = account(run.report, run.dead_letters, delivered)
        counts.add(run_counts)
        problems += run_problems
        if run.result.status != status:
            problems.append(f"exit {run.result.status}, expected {status}: {run.stderr.strip()}")
    counts.lost = never_delivered(expected, delivered)
    if counts.lost:
        problems.append(f"{counts.lost} source records never delivered")
    resumes = sum("asking for the rest" in line for line in bench.warnings)
    exits = ", ".join(f"run {number}: exit {run.result.status}" for number, run in enumerate(bench.runs, 1))
    observed = f"{exits}; {resumes} resumed reads; {duplicates(delivered)} duplicates in the stream"
    failures = [line["reason"] for run in bench.runs for line in run.dead_letters if line["stage"] == "object"]
    if failures:
        observed += f"; dead letter: {failures[0]}"
    return Outcome("fault", name, tried, observed, counts, problems)


def s3_reset_once(workdir: Path) -> Outcome:
    """The connection drops half-way through one object: the read resumes from the next byte (ranged GET)."""
    with source_bench(workdir) as bench:
        bench.publish(
            f"s3://{BUCKET}/{PREFIX}", [Rule(object_get(PREFIX + VICTIM), "cut", after_bytes=bench.size // 2)]
        )
        outcome = _outcome(
            "s3-reset-mid-object", "S3 connection reset half-way through one object", bench, bench.expected_s3(), [0]
        )
        _expect_resumes(outcome, bench, 1)
        return outcome


def s3_reset_every_response(workdir: Path) -> Outcome:
    """Every response for the object is cut after a quarter of its size: the read keeps resuming until done."""
    with source_bench(workdir) as bench:
        rule = Rule(object_get(PREFIX + VICTIM), "cut", after_bytes=bench.size // 3, times=None)
        bench.publish(f"s3://{BUCKET}/{PREFIX}", [rule])
        outcome = _outcome(
            "s3-reset-every-response",
            "every S3 response for one object reset after a third of the object",
            bench,
            bench.expected_s3(),
            [0],
        )
        _expect_resumes(outcome, bench, 2)
        return outcome


def s3_read_timeout(workdir: Path) -> Outcome:
    """The connection goes silent half-way (longer than the read timeout): the read resumes."""
    with (
        source_bench(workdir) as bench,
        mock.patch.object(s3_source, "READ_TIMEOUT_SECONDS", STALL_READ_TIMEOUT_SECONDS),
    ):
        stall = Rule(object_get(PREFIX + VICTIM), "stall", after_bytes=bench.size // 2, stall_seconds=3)
        bench.publish(f"s3://{BUCKET}/{PREFIX}", [stall])
        outcome = _outcome(
            "s3-read-timeout",
            f"S3 download stalls half-way for longer than the read timeout ({STALL_READ_TIMEOUT_SECONDS} s here)",
            bench,
            bench.expected_s3(),
            [0],
        )
        _expect_resumes(outcome, bench, 1)
        return outcome


def s3_object_unreadable_then_rerun(workdir: Path) -> Outcome:
    """No byte of one object ever arrives: after 5 resumes without progress the object fails (exit 1), the
    others are published; a rerun with the checkpoint reads only that object, whole."""
    with source_bench(workdir) as bench:
        checkpoint = workdir / "checkpoint.json"
        dead = Rule(object_get(PREFIX + VICTIM), "cut", after_bytes=0, times=None)
        bench.publish(f"s3://{BUCKET}/{PREFIX}", [dead], checkpoint=checkpoint)
        bench.publish(f"s3://{BUCKET}/{PREFIX}", [], checkpoint=checkpoint)
        outcome = _outcome(
            "s3-object-unreadable",
            "every S3 response for one object reset before its first byte, then a rerun with the checkpoint",
            bench,
            bench.expected_s3(),
            [1, 0],
        )
        second = bench.runs[1].report
        if second.objects_unchanged != len(bench.files) - 1:
            outcome.problems.append(f"the rerun skipped {second.objects_unchanged} objects, not all but one")
        return outcome


def http_reset_once(workdir: Path) -> Outcome:
    """The HTTP source: the connection drops half-way; the read resumes with `Range` + `If-Range`."""
    root = workdir / "site"
    root.mkdir(parents=True, exist_ok=True)
    with source_bench(workdir) as bench:
        (root / VICTIM).write_bytes(bench.files[VICTIM])
        with (
            serving(root) as site,
            running_proxy(site, [Rule(object_get(VICTIM), "cut", after_bytes=bench.size // 2)]) as proxy,
        ):
            url = f"{proxy.url}/{VICTIM}"
            bench.publish(url, [])
        expected = {url: bench.files[VICTIM].count(b'"date"')}
        outcome = _outcome(
            "http-reset-mid-file", "HTTP(S) source: connection reset half-way through the file", bench, expected, [0]
        )
        _expect_resumes(outcome, bench, 1)
        return outcome


def _expect_resumes(outcome: Outcome, bench: SourceBench, at_least: int) -> None:
    resumes = sum("asking for the rest" in line for line in bench.warnings)
    if resumes < at_least:
        outcome.problems.append(f"{resumes} resumed reads, expected at least {at_least}")


SOURCE_FAULTS: dict[str, Callable[[Path], Outcome]] = {
    "s3-reset-once": s3_reset_once,
    "s3-reset-every-response": s3_reset_every_response,
    "s3-read-timeout": s3_read_timeout,
    "s3-object-unreadable": s3_object_unreadable_then_rerun,
    "http-reset-once": http_reset_once,
}
