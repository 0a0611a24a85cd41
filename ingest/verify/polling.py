"""`verify_delivery`: look at the bucket until every published record is there or waiting is pointless.

Delivery is asynchronous (Firehose buffers up to its interval, then writes), so one look right after a
publish proves nothing. The check polls until nothing is missing, every missing record is under the error
prefix (Firehose gave up on them: they will not come), or the timeout passes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ingest.errors import ConfigurationError
from ingest.verify.delivery_errors import FailedRecord
from ingest.verify.listing import parse_timestamp
from ingest.verify.matching import DeliveredRecords, ExpectedRecords, Match, RecordKey, match_records
from ingest.verify.options import VerifyOptions
from ingest.verify.reports import PublishedRecords
from ingest.verify.result import FailedDelivery, RecordRef, UnreadableObject, VerifyResult
from ingest.verify.s3 import s3_client as build_s3_client
from ingest.verify.scanning import BucketScanner, Snapshot

LISTED_MISSING = 20
LISTED_FAILURES = 10


@dataclass(frozen=True)
class PollProgress:
    """Where a check stands after one poll that left records missing."""

    poll: int
    elapsed_seconds: float
    expected: int
    delivered: int
    missing: int
    next_poll_seconds: float
    remaining_seconds: float

    def line(self) -> str:
        return (
            f"poll {self.poll} at {self.elapsed_seconds:.0f} s: {self.delivered} of {self.expected} records "
            f"delivered, {self.missing} missing; next look in {self.next_poll_seconds:.0f} s "
            f"(gives up in {self.remaining_seconds:.0f} s)"
        )


def verify_delivery(
    report: PublishedRecords,
    options: VerifyOptions,
    *,
    s3_client: Any = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    progress: Callable[[PollProgress], None] | None = None,
) -> VerifyResult:
    """Raises ConfigurationError when the check cannot start or the bucket cannot be read for a setup reason
    (no such bucket, refused credentials), DeliveryCheckError when reading fails part-way."""
    # Complexity 18: the set-up checks, one polling loop (until nothing but failed records is missing, or time is
    # up, with progress between polls) and the result built from the last scan, which the loop and the result
    # share; split, the last snapshot would have to travel between functions.
    options.check()
    if report.finished_at is None:
        raise ConfigurationError(
            f"run {report.run_id} has no finished_at: it is still running, or it crashed before its final report"
        )
    finished_at = parse_timestamp(report.finished_at)
    since = _window_start(report, options)
    expected = ExpectedRecords(report.expected_records())
    own_run_ids = report.own_run_ids()
    run_ids = expected.run_ids | own_run_ids
    scanner = BucketScanner(
        s3_client if s3_client is not None else build_s3_client(options.region),
        bucket=options.bucket,
        prefix=options.prefix,
        error_prefix=options.error_prefix,
        since=since,
        run_ids=run_ids,
        own_run_ids=own_run_ids,
    )

    started = clock()
    polls = 0
    while True:
        snapshot = scanner.scan()
        polls += 1
        failed = [record for error in snapshot.error_objects for record in error.failed]
        outcome = _match(expected, snapshot, failed, run_ids)
        elapsed = clock() - started
        remaining = options.timeout_seconds - elapsed
        if outcome.missing == outcome.missing_failed or remaining <= 0:
            break
        wait = min(options.poll_interval_seconds, remaining)
        if progress is not None:
            progress(
                PollProgress(polls, elapsed, outcome.expected, outcome.delivered, outcome.missing, wait, remaining)
            )
        sleep(wait)

    first, last = _arrivals(snapshot, finished_at)
    ours = [record for record in failed if record.provenance and record.provenance.run_id in run_ids]
    return VerifyResult(
        run_id=report.run_id,
        bucket=options.bucket,
        prefix=options.prefix,
        error_prefix=options.error_prefix,
        window_start=_iso(since),
        finished_at=report.finished_at,
        expected=outcome.expected,
        delivered=outcome.delivered,
        missing=outcome.missing,
        duplicated=outcome.duplicated,
        unexpected=outcome.unexpected,
        republished=outcome.republished,
        foreign=sum(item.foreign for item in snapshot.objects),
        other_runs=sum(item.other_runs for item in snapshot.objects),
        first_arrival_seconds=first,
        last_arrival_seconds=last,
        missing_records=tuple(RecordRef(uri, index) for _, uri, index in outcome.missing_records),
        missing_failed=outcome.missing_failed,
        failed_delivery_count=len(ours),
        failed_deliveries=tuple(_failed_delivery(record) for record in ours[:LISTED_FAILURES]),
        other_failures=len(failed) - len(ours),
        objects_scanned=len(snapshot.objects),
        error_objects_scanned=len(snapshot.error_objects),
        unreadable_objects=_unreadable(snapshot),
        earlier_runs_expected=sum(1 for run_id, _, _ in expected if run_id not in own_run_ids),
        polls=polls,
        elapsed_seconds=round(elapsed, 3),
        timed_out=outcome.missing > outcome.missing_failed,
    )


def _window_start(report: PublishedRecords, options: VerifyOptions) -> datetime:
    if options.since is not None:
        return parse_timestamp(options.since)
    return parse_timestamp(report.started_at) - timedelta(seconds=options.clock_skew_seconds)


def _match(expected: ExpectedRecords, snapshot: Snapshot, failed: list[FailedRecord], run_ids: frozenset[str]) -> Match:
    delivered = DeliveredRecords()
    for item in snapshot.objects:
        delivered.merge(item.records)
    failed_keys: frozenset[RecordKey] = frozenset(
        (record.provenance.run_id, record.provenance.source, record.provenance.index)
        for record in failed
        if record.provenance is not None and record.provenance.run_id in run_ids
    )
    return match_records(expected, delivered, failed=failed_keys, listed=LISTED_MISSING)


def _arrivals(snapshot: Snapshot, finished_at: datetime) -> tuple[float | None, float | None]:
    """Whole seconds from the end of the run to the first and the last object holding a record of this run.

    S3's LastModified has one-second resolution (the sub-second part is always zero), so the run's end is cut to
    its second too: an object written in the same second as the run finished is 0 s, never a negative fraction
    that only the truncation made up. A negative value is a whole second or more: delivery during the run.
    """
    # Amazon S3 API Reference: ListObjectsV2's sample response gives <LastModified>2009-10-12T17:50:30.000Z</...>,
    # and HeadObject/GetObject return Last-Modified as an HTTP date (RFC 7231: whole seconds).
    moments = [item.stored.last_modified for item in snapshot.objects if item.holds_own_records]
    if not moments:
        return None, None
    reference = finished_at.replace(microsecond=0)
    return (min(moments) - reference).total_seconds() // 1, (max(moments) - reference).total_seconds() // 1


def _unreadable(snapshot: Snapshot) -> tuple[UnreadableObject, ...]:
    found = [(item.stored.key, item.unreadable) for item in snapshot.objects]
    found += [(item.stored.key, item.unreadable) for item in snapshot.error_objects]
    return tuple(UnreadableObject(key, reason) for key, reason in found if reason is not None)


def _failed_delivery(record: FailedRecord) -> FailedDelivery:
    provenance = record.provenance
    return FailedDelivery(
        error_code=record.error_code,
        error_message=record.error_message,
        uri=provenance.source if provenance else None,
        index=provenance.index if provenance else None,
        run_id=provenance.run_id if provenance else None,
        attempts_made=record.attempts_made,
        arrival=record.arrival,
        key=record.key,
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
