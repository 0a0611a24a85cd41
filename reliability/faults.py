"""Faults injected into the Kinesis side of a real `publish` run, against an in-process moto Kinesis.

Each scenario publishes the same small source (7 day files of 288 records) with `publish()`, the command's
own code path, changed in two places only: its Kinesis client is wrapped by `FaultyKinesis`, and the
publisher's backoff sleeps are recorded instead of slept (so a scenario that retries for minutes in real
time takes a second here; the retry decisions are the real ones) and its jitter seeded (so they are the same
decisions on every run). The stream is read back afterwards.
"""

from __future__ import annotations

import contextlib
import functools
import io
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
from moto import mock_aws

from ingest.commands.publish import publish_and_print
from ingest.publishing import KinesisPublisher
from ingest.run.publish import PublishOptions, PublishResult
from ingest.run.report import RunReport
from ingest.sample import sample_files
from reliability.accounting import RecordKey, account, duplicates, never_delivered, read_dead_letters
from reliability.aws import REGION, aws_environment, isolated_variables
from reliability.kinesis import CallFault, FaultyKinesis, read_stream
from reliability.results import Counts, Outcome

STREAM = "faults"
SOURCE_DAYS = 7
JITTER_SEED = 0
"""The publisher's jitter and partition keys are seeded: a scenario retries the same way on every run."""


def write_source(directory: Path, days: int = SOURCE_DAYS) -> dict[str, int]:
    """Day files like the seed bucket's (288 records each) under `directory`; returns URI -> record count."""
    counts = {}
    for key, content in sample_files(days=days).items():
        path = directory / key.rsplit("/", 1)[-1]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        counts[path.resolve().as_uri()] = content.count(b'"date"')
    return counts


@dataclass
class Run:
    result: PublishResult
    stderr: str
    dead_letters: list[dict[str, Any]]
    backoff: list[float]

    @property
    def report(self) -> RunReport:
        assert self.result.report is not None, "the run could not start"
        return self.result.report


@dataclass
class Bench:
    """One scenario's moto Kinesis, source and files."""

    workdir: Path
    kinesis: Any
    source: Path
    expected: dict[str, int]
    runs: list[Run] = field(default_factory=list)

    def publish(
        self,
        client: Any,
        *,
        aggregate: bool = True,
        checkpoint: Path | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> Run:
        """`publish()` with `client` as its Kinesis client and its backoff recorded (and passed on to `sleep`, a
        manual clock, when given) instead of slept; stderr captured."""
        label = f"run{len(self.runs) + 1}"
        backoff: list[float] = []

        def wait(seconds: float) -> None:
            backoff.append(seconds)
            if sleep is not None:
                sleep(seconds)

        stderr = io.StringIO()
        with (
            mock.patch("ingest.run.publish.kinesis_client", lambda region=None: client),
            mock.patch(
                "ingest.run.publish.KinesisPublisher",
                functools.partial(KinesisPublisher, sleep=wait, rng=random.Random(JITTER_SEED)),
            ),
            contextlib.redirect_stderr(stderr),
        ):
            result = publish_and_print(
                PublishOptions(
                    stream=STREAM,
                    source=str(self.source),
                    aggregate=aggregate,
                    region=REGION,
                    report=self.workdir / f"{label}-report.json",
                    dead_letter=self.workdir / f"{label}-dead-letter.jsonl",
                    checkpoint=checkpoint,
                ),
                quiet=True,
            )
        run = Run(result, stderr.getvalue(), read_dead_letters(self.workdir / f"{label}-dead-letter.jsonl"), backoff)
        self.runs.append(run)
        return run

    def delivered(self) -> Counter[RecordKey]:
        return Counter((item.run_id, item.source, item.index) for item in read_stream(self.kinesis, STREAM))


@contextlib.contextmanager
def bench(workdir: Path, *, days: int = SOURCE_DAYS) -> Iterator[Bench]:
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / "source"
    expected = write_source(source, days)
    with aws_environment(isolated_variables()), mock_aws():
        kinesis = boto3.client("kinesis", region_name=REGION)
        kinesis.create_stream(StreamName=STREAM, ShardCount=2)
        yield Bench(workdir, kinesis, source, expected)


def _one_run_outcome(name: str, tried: str, bench_: Bench, run: Run, *, status: int, checks: list[str]) -> Outcome:
    counts, problems = account(run.report, run.dead_letters, bench_.delivered())
    if run.result.status != status:
        problems.append(f"exit {run.result.status}, expected {status}: {run.stderr.strip()}")
    problems += checks
    report = run.report
    observed = (
        f"exit {run.result.status}; {report.put_calls} PutRecords calls, {report.retries} resent, "
        f"{report.throttled} throttled, {sum(run.backoff):.1f} s of backoff"
    )
    if run.stderr.strip():
        observed += f"; stderr: {run.stderr.strip()}"
    return Outcome("fault", name, tried, observed, counts, problems)


def throttling(workdir: Path, *, aggregate: bool) -> Outcome:
    """A quarter of the entries of every PutRecords call come back throttled: all are resent until accepted."""
    mode = "aggregated: 28 days, a few 1 MiB aggregates" if aggregate else "one user record per Kinesis record"
    with bench(workdir, days=28 if aggregate else SOURCE_DAYS) as bench_:
        faulty = FaultyKinesis(bench_.kinesis, throttle_fraction=0.25, seed=7)
        run = bench_.publish(faulty, aggregate=aggregate)
        checks = [] if faulty.counts.entries_throttled else ["nothing was throttled"]
        if run.report.records_published != sum(bench_.expected.values()):
            checks.append("not every record was published")
        name = f"throttle-25%-{'aggregated' if aggregate else 'plain'}"
        return _one_run_outcome(
            name, f"25% of PutRecords entries throttled ({mode})", bench_, run, status=0, checks=checks
        )


def persistent_throttling(workdir: Path) -> Outcome:
    """Every entry throttled, always: each is resent until the retry budget is spent, then dead-lettered."""
    with bench(workdir) as bench_:
        run = bench_.publish(FaultyKinesis(bench_.kinesis, throttle_fraction=1.0), aggregate=False)
        report = run.report
        checks = []
        if report.records_failed != sum(bench_.expected.values()):
            checks.append(f"{report.records_failed} failed, expected every record")
        reasons = {line["error_code"] for line in run.dead_letters}
        if reasons != {"ProvisionedThroughputExceededException"}:
            checks.append(f"dead-letter error codes {reasons}")
        return _one_run_outcome(
            "throttle-100%", "every entry throttled on every attempt", bench_, run, status=1, checks=checks
        )


def _every_nth_succeeds(code: str, period: int) -> CallFault:
    return lambda call: None if call % period == 0 else code


def transient_internal_failure(workdir: Path) -> Outcome:
    """Two of every three PutRecords calls fail whole with InternalFailure: each batch goes through on retry."""
    with bench(workdir) as bench_:
        faulty = FaultyKinesis(bench_.kinesis, call_fault=_every_nth_succeeds("InternalFailure", 3))
        run = bench_.publish(faulty, aggregate=False)
        checks = [] if run.report.records_published == sum(bench_.expected.values()) else ["records missing"]
        return _one_run_outcome(
            "internal-failure-2-of-3",
            "2 of every 3 PutRecords calls fail with InternalFailure (500)",
            bench_,
            run,
            status=0,
            checks=checks,
        )


def persistent_internal_failure_then_rerun(workdir: Path) -> Outcome:
    """After two good calls Kinesis fails every call: the run aborts (exit 1) with every record accounted for;
    a rerun with the same checkpoint publishes what is missing, skipping finished objects."""
    with bench(workdir) as bench_:
        checkpoint = workdir / "checkpoint.json"
        failing = FaultyKinesis(bench_.kinesis, call_fault=lambda call: "InternalFailure" if call > 2 else None)
        first = bench_.publish(failing, aggregate=False, checkpoint=checkpoint)
        second = bench_.publish(bench_.kinesis, aggregate=False, checkpoint=checkpoint)
        delivered = bench_.delivered()
        counts = Counts()
        problems = []
        for run, status in ((first, 1), (second, 0)):
            run_counts, run_problems = account(run.report, run.dead_letters, delivered)
            counts.add(run_counts)
            problems += run_problems
            if run.result.status != status:
                problems.append(f"exit {run.result.status}, expected {status}")
        if first.report.aborted is None:
            problems.append("the first run did not abort")
        missing = never_delivered(bench_.expected, delivered)
        if missing:
            problems.append(f"{missing} source records never delivered by either run")
        counts.lost = missing
        observed = (
            f"run 1: exit {first.result.status}, aborted ({first.report.aborted}), {first.report.records_failed} "
            f"failed and dead-lettered; run 2: exit {second.result.status}, {second.report.objects_unchanged} "
            f"objects skipped as unchanged; {duplicates(delivered)} duplicates in the stream"
        )
        return Outcome(
            "fault",
            "internal-failure-persistent",
            "every PutRecords call fails after the second, then a clean rerun with the checkpoint",
            observed,
            counts,
            problems,
        )


def expired_credentials(workdir: Path) -> Outcome:
    """The credentials expire half-way: PutRecords answers ExpiredTokenException; the run stops, exit 2."""
    with bench(workdir) as bench_:
        faulty = FaultyKinesis(bench_.kinesis, call_fault=lambda call: "ExpiredTokenException" if call > 2 else None)
        run = bench_.publish(faulty, aggregate=False)
        expected_line = "ingest publish: run aborted: PublishAbortedError: publishing to Kinesis stream"
        checks = []
        if not run.stderr.startswith(expected_line) or "ExpiredTokenException" not in run.stderr:
            checks.append(f"stderr {run.stderr!r}")
        if run.stderr.count("\n") != 1 or "Traceback" in run.stderr:
            checks.append("more than one stderr line")
        return _one_run_outcome(
            "credentials-expire-mid-run",
            "ExpiredTokenException from the third PutRecords call on",
            bench_,
            run,
            status=2,
            checks=checks,
        )


def refused_credentials(workdir: Path, *, code: str) -> Outcome:
    """Kinesis refuses the credentials from the first call (an unknown key, or a policy that denies): the run
    stops before reading anything, exit 2, one line naming the reason."""
    with bench(workdir) as bench_:
        run = bench_.publish(FaultyKinesis(bench_.kinesis, refusal=code))
        problems = []
        if run.result.status != 2:
            problems.append(f"exit {run.result.status}, expected 2")
        if run.result.report is not None:
            problems.append("a run started")
        if code not in run.stderr or run.stderr.count("\n") != 1 or "Traceback" in run.stderr:
            problems.append(f"stderr {run.stderr!r}")
        return Outcome(
            "fault",
            f"credentials-refused-{code.removesuffix('Exception').lower()}",
            f"every Kinesis call refused with {code}",
            f"exit {run.result.status} before reading anything; stderr: {run.stderr.strip()}",
            Counts(),
            problems,
        )


class ManualClock:
    """Time that moves only when the publisher sleeps: the stand-in's one-second windows pass in no time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def shard_limits(workdir: Path) -> Outcome:
    """The benchmark's Kinesis stand-in (bench/standin.py), which enforces the per-shard limits (1 MiB/s, 1,000
    records/s): four weeks of records, aggregated, into one shard, on a manual clock. Not run without bench/."""
    try:
        from bench.standin import ShardLimitedKinesis
    except ImportError:
        return Outcome("fault", "shard-limits", "bench/standin.py", "not run: bench.standin is not importable")
    clock = ManualClock()
    standin = ShardLimitedKinesis(1, stream_name=STREAM, clock=clock)
    with bench(workdir, days=28) as bench_:
        run = bench_.publish(standin, sleep=clock.sleep)
        report = run.report
        accepted = sum(shard.accepted_records for shard in standin.shards)
        throttled = sum(shard.throttled_records for shard in standin.shards)
        problems = []
        if run.result.status != 0 or report.records_published != sum(bench_.expected.values()):
            problems.append(f"exit {run.result.status}: {report.records_published} published: {run.stderr.strip()}")
        if accepted != report.kinesis_records:
            problems.append(f"stand-in accepted {accepted} Kinesis records, the report says {report.kinesis_records}")
        counts = Counts(report.records_read, report.records_published, report.records_rejected, report.records_failed)
        counts.lost = report.records_read - report.records_published - report.records_rejected - len(run.dead_letters)
        observed = (
            f"exit {run.result.status}; {throttled} Kinesis records throttled (the publisher paces itself to the "
            f"shard's limits; any throttled record is resent): {accepted} accepted = the report's "
            f"{report.kinesis_records}, over {clock.now:.1f} s of manual clock"
        )
        return Outcome(
            "fault",
            "shard-limits",
            "one shard enforcing 1 MiB/s and 1,000 records/s (the benchmark's stand-in); 8,064 records, aggregated",
            observed,
            counts,
            problems,
        )


FAULTS: dict[str, Callable[[Path], Outcome]] = {
    "throttle-plain": functools.partial(throttling, aggregate=False),
    "throttle-aggregated": functools.partial(throttling, aggregate=True),
    "throttle-persistent": persistent_throttling,
    "internal-failure-transient": transient_internal_failure,
    "internal-failure-persistent": persistent_internal_failure_then_rerun,
    "credentials-expire": expired_credentials,
    "credentials-unknown": functools.partial(refused_credentials, code="UnrecognizedClientException"),
    "credentials-denied": functools.partial(refused_credentials, code="AccessDeniedException"),
    "shard-limits": shard_limits,
}
