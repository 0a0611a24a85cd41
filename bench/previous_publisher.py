"""The publisher as it was before issue 16, kept as the benchmark's baseline (`ingest-previous`).

Frozen from `ingest/publishing/` at commit 41d03ab so every benchmark run measures the old and the new publisher
side by side, on the same machine and data, rather than comparing against a pasted number. Its algorithm, in
short: aggregates filled with aws-kinesis-agg's `AggRecord`, one at a time, each under a fresh random partition
key (so several may land on one shard); calls of up to 500 entries / 5 MiB sent one at a time; entries that
come back with a retryable code resent after an exponential, fully jittered backoff (`RetryPolicy`), until the
budget is spent. Only what the benchmark calls is kept (no abort accounting: the bench treats any call failure
as fatal). Not used by `ingest`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any

from aws_kinesis_agg.aggregator import AggRecord
from botocore.exceptions import BotoCoreError, ClientError

from components.core.limits import KinesisLimits
from ingest.publishing import (
    DEFAULT_RETRY_POLICY,
    KINESIS_LIMITS,
    RECORD_TOO_LARGE,
    OutgoingRecord,
    PublishOutcome,
    PublishStats,
)
from ingest.publishing.batching import BatchBuilder, PutEntry
from ingest.publishing.call_errors import error_code
from ingest.publishing.packing import PARTITION_KEY_CHARS, random_partition_key
from ingest.publishing.stream import stream_parameter
from ingest.retry import RetryPolicy, is_throttling


class PreviousAggregatingPacker:
    """One aggregate at a time under a random key, as the previous publisher filled them."""

    def __init__(self, rng: random.Random, limits: KinesisLimits = KINESIS_LIMITS) -> None:
        self._rng = rng
        self._max_bytes = limits.max_bytes_per_record
        self._aggregate: AggRecord | None = None
        self._key = ""
        self._refs: list[Hashable] = []
        self._first_data = b""

    def add(self, record: OutgoingRecord) -> list[PutEntry]:
        appended = self._append(record) if self._aggregate is not None else "full"
        if appended == "added":
            return []
        if appended == "too big":
            return [PutEntry(record.data, random_partition_key(self._rng), (record.ref,))]
        completed = self.flush()
        self._key = random_partition_key(self._rng)
        self._aggregate = AggRecord(self._max_bytes - len(self._key.encode("utf-8")))
        if self._append(record) == "added":
            return completed
        self._aggregate = None
        return [*completed, PutEntry(record.data, random_partition_key(self._rng), (record.ref,))]

    def flush(self) -> list[PutEntry]:
        if self._aggregate is None or not self._refs:
            return []
        refs = tuple(self._refs)
        data = self._first_data if len(refs) == 1 else self._aggregate.get_contents()[2]
        self._aggregate, self._refs, self._first_data = None, [], b""
        return [PutEntry(data, self._key, refs)]

    def _append(self, record: OutgoingRecord) -> str:
        assert self._aggregate is not None
        try:
            added = self._aggregate.add_user_record(self._key.encode("utf-8"), record.data)
        except ValueError:
            return "too big"
        if not added:
            return "full"
        if not self._refs:
            self._first_data = record.data
        self._refs.append(record.ref)
        return "added"


class PreviousKinesisPublisher:
    """The previous `KinesisPublisher`: same constructor arguments the bench passes, same outcomes and stats."""

    def __init__(
        self,
        client: Any,
        stream_name: str,
        *,
        retry: RetryPolicy = DEFAULT_RETRY_POLICY,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._client = client
        self._stream = stream_parameter(stream_name)
        self._retry = retry
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.stats = PublishStats()

    def publish(self, records: Iterable[OutgoingRecord]) -> Iterator[PublishOutcome]:
        packer = PreviousAggregatingPacker(self._rng)
        batch = BatchBuilder()
        for record in records:
            if len(record.data) + PARTITION_KEY_CHARS > KINESIS_LIMITS.max_bytes_per_record:
                yield PublishOutcome(record.ref, False, RECORD_TOO_LARGE, "too large")
                continue
            for entry in packer.add(record):
                if completed := batch.add(entry):
                    yield from self._send(completed)
        for entry in packer.flush():
            if completed := batch.add(entry):
                yield from self._send(completed)
        yield from self._send(batch.take())

    # Complexity C (radon) kept on purpose: this is the previous publisher's retry loop as it shipped, the bench's
    # baseline; reshaping it would change what the comparison measures.
    def _send(self, entries: list[PutEntry]) -> Iterator[PublishOutcome]:
        pending = entries
        attempt = 0
        while pending:
            attempt += 1
            final = attempt >= self._retry.max_attempts
            self.stats.put_calls += 1
            try:
                response = self._client.put_records(Records=[entry.request() for entry in pending], **self._stream)
            except (ClientError, BotoCoreError) as exc:
                if final or not self._retry.is_retryable(error_code(exc)):
                    raise
                self.stats.retries += len(pending)
                self._sleep(self._retry.backoff(attempt, self._rng))
                continue
            resend: list[PutEntry] = []
            for entry, result in zip(pending, response["Records"], strict=True):
                code = result.get("ErrorCode")
                if not code:
                    self.stats.kinesis_records += 1
                    self.stats.user_records += len(entry.refs)
                    self.stats.bytes_published += len(entry.data)
                    yield from (PublishOutcome(ref, True) for ref in entry.refs)
                    continue
                if is_throttling(code):
                    self.stats.throttled += 1
                if self._retry.is_retryable(code) and not final:
                    resend.append(entry)
                    continue
                yield from (PublishOutcome(ref, False, code, result.get("ErrorMessage")) for ref in entry.refs)
            if resend:
                self.stats.retries += len(resend)
                self._sleep(self._retry.backoff(attempt, self._rng))
            pending = resend
