"""Publish user records to a Kinesis Data Stream with PutRecords, losing none.

Every record taken from the input ends in exactly one way: a `PublishOutcome` (ok, or failed with its
error code once the retry budget is spent or the code is not retryable), or, when a whole call fails in a
way retrying does not fix (the stream is gone, credentials are refused, the service stays unavailable),
in the `pending` refs of the `PublishAbortedError` that ends the run. Records still in the input iterator
at that point were never taken. Aborting rather than failing records one by one keeps a missing stream
from costing a full retry budget per batch for the rest of the input.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, TypedDict

from botocore.exceptions import BotoCoreError, ClientError

from components.core.limits import KINESIS_LIMITS, KinesisLimits
from ingest.errors import TerminalError
from ingest.publishing.aggregation import AggregatingPacker
from ingest.publishing.batching import BatchBuilder, PutEntry
from ingest.publishing.model import OutgoingRecord, PublishOutcome, PublishStats
from ingest.publishing.packing import PARTITION_KEY_CHARS, Packer, PlainPacker
from ingest.publishing.retry import (
    DEFAULT_RETRY_POLICY,
    RetryPolicy,
    error_code,
    error_message,
    is_throttling,
)

RECORD_TOO_LARGE = "RecordTooLarge"


class PublishAbortedError(TerminalError):
    """A PutRecords call failed for good; the run cannot go on.

    `pending` holds the refs of every record taken from the input but not settled by an outcome: the
    caller counts them (and whatever it had not handed over yet) as failed.
    """

    def __init__(self, stream_name: str, error_code: str, message: str, pending: tuple[Hashable, ...]) -> None:
        self.stream_name = stream_name
        self.error_code = error_code
        self.pending = pending
        super().__init__(
            f"publishing to Kinesis stream {stream_name!r} stopped: {error_code}: {message} "
            f"({len(pending)} records taken but not published)"
        )


class _PutResult(TypedDict, total=False):
    SequenceNumber: str
    ShardId: str
    ErrorCode: str
    ErrorMessage: str


class _CallFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def stream_parameter(stream: str) -> dict[str, str]:
    """Kinesis APIs take a stream by name or by ARN; stack outputs usually give the ARN."""
    return {"StreamARN": stream} if stream.startswith("arn:") else {"StreamName": stream}


class KinesisPublisher:
    """Streams records into PutRecords calls; one instance per run, so `stats` covers the run.

    `client` is a boto3 Kinesis client, ideally built with `client_config()` (standard retry mode,
    timeouts). `sleep` and `rng` (jitter and partition keys) are injectable for fast, repeatable tests.
    `max_aggregate_bytes` caps an aggregate below the 1 MiB record limit: smaller aggregates cost more
    PUT units but less to resend when one is throttled.
    """

    def __init__(
        self,
        client: Any,
        stream_name: str,
        *,
        aggregate: bool = True,
        retry: RetryPolicy = DEFAULT_RETRY_POLICY,
        limits: KinesisLimits = KINESIS_LIMITS,
        max_aggregate_bytes: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._client = client
        self._stream_name = stream_name
        self._aggregate = aggregate
        self._retry = retry
        self._limits = limits
        self._max_aggregate_bytes = max_aggregate_bytes
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.stats = PublishStats()

    def publish(self, records: Iterable[OutgoingRecord]) -> Iterator[PublishOutcome]:
        """Yield one outcome per input record, in batch-completion order.

        The input is consumed lazily: at most one PutRecords call's worth of entries (plus the aggregate
        being filled) is held at a time. Raises `PublishAbortedError` as described in the module docs.
        """
        packer = self._new_packer()
        batch = BatchBuilder(self._limits)
        in_flight: Counter[Hashable] = Counter()

        def send(entries: list[PutEntry]) -> Iterator[PublishOutcome]:
            for outcome in self._send(entries):
                in_flight[outcome.ref] -= 1
                if not in_flight[outcome.ref]:
                    del in_flight[outcome.ref]  # a settled ref kept at zero would grow with the whole input
                yield outcome

        try:
            for record in records:
                if len(record.data) + PARTITION_KEY_CHARS > self._limits.max_bytes_per_record:
                    yield self._too_large(record)
                    continue
                in_flight[record.ref] += 1
                for entry in packer.add(record):
                    if completed := batch.add(entry):
                        yield from send(completed)
            for entry in packer.flush():
                if completed := batch.add(entry):
                    yield from send(completed)
            yield from send(batch.take())
        except _CallFailed as failure:
            pending = tuple((+in_flight).elements())
            raise PublishAbortedError(self._stream_name, failure.code, failure.message, pending) from failure

    def _new_packer(self) -> Packer:
        if self._aggregate:
            return AggregatingPacker(self._rng, max_bytes=self._max_aggregate_bytes, limits=self._limits)
        return PlainPacker(self._rng)

    def _too_large(self, record: OutgoingRecord) -> PublishOutcome:
        size = len(record.data) + PARTITION_KEY_CHARS
        return PublishOutcome(
            record.ref,
            ok=False,
            error_code=RECORD_TOO_LARGE,
            error_message=(
                f"{size} bytes with its partition key; a Kinesis record holds at most "
                f"{self._limits.max_bytes_per_record}"
            ),
        )

    def _send(self, entries: list[PutEntry]) -> Iterator[PublishOutcome]:
        """One batch through PutRecords, resending only the entries that failed with a retryable code."""
        pending = entries
        attempt = 0
        while pending:
            attempt += 1
            final = attempt >= self._retry.max_attempts
            try:
                results = self._put_records(pending)
            except (ClientError, BotoCoreError) as exc:
                call_code = error_code(exc)
                if final or not self._retry.is_retryable(call_code):
                    raise _CallFailed(call_code, error_message(exc)) from exc
                if is_throttling(call_code):
                    self.stats.throttled += len(pending)
                self._wait_before_resending(pending, attempt)
                continue
            resend: list[PutEntry] = []
            for entry, result in zip(pending, results, strict=True):
                code = result.get("ErrorCode")
                if not code:
                    self._count_published(entry)
                    yield from (PublishOutcome(ref, ok=True) for ref in entry.refs)
                    continue
                if is_throttling(code):
                    self.stats.throttled += 1
                if self._retry.is_retryable(code) and not final:
                    resend.append(entry)
                    continue
                message = result.get("ErrorMessage") or code
                if self._retry.is_retryable(code):
                    message = f"{message} (still failing after {attempt} attempts)"
                yield from (PublishOutcome(ref, ok=False, error_code=code, error_message=message) for ref in entry.refs)
            if resend:
                self._wait_before_resending(resend, attempt)
            pending = resend

    def _put_records(self, entries: list[PutEntry]) -> list[_PutResult]:
        self.stats.put_calls += 1
        response = self._client.put_records(
            Records=[entry.request() for entry in entries], **stream_parameter(self._stream_name)
        )
        return list(response["Records"])

    def _wait_before_resending(self, entries: list[PutEntry], attempt: int) -> None:
        self.stats.retries += len(entries)
        self._sleep(self._retry.backoff(attempt, self._rng))

    def _count_published(self, entry: PutEntry) -> None:
        self.stats.kinesis_records += 1
        self.stats.user_records += len(entry.refs)
        self.stats.bytes_published += len(entry.data)
