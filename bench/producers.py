"""The producers under comparison: two written the way people write them by hand, and this project's.

Each takes already-encoded user records (the bytes `publish` would send) and a Kinesis client, and returns
how many records it published, failed and resent; what went over the wire is metered outside
(`bench.meter`), the same way for all of them.

- naive: one PutRecord call per record, a random partition key each, no error handling: the tutorial loop.
  Against a real endpoint botocore's standard retry mode resends a throttled call; that is all it has.
- batched: PutRecords with 500 records per call (the records here are ~250 bytes, so the 5 MiB call limit
  is never near), a random partition key each, no aggregation. To finish at all at the shard limits it
  needs a retry loop, and gets the simple one a hand-written producer has: resend the entries that came
  back with an ErrorCode after a fixed 100 ms pause, until none is left (no backoff, no attempt cap).
- ingest / ingest-no-aggregate: `ingest.publishing.KinesisPublisher` as `publish` builds it (shard map, pacing,
  default retry policy, KPL aggregation on or off).
- ingest-previous: the publisher before issue 16 (`bench.previous_publisher`: random-key aggregates, one call at
  a time, jittered exponential backoff), run in the same benchmark as the baseline.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bench.previous_publisher import PreviousKinesisPublisher
from ingest.publishing import KinesisPublisher, OutgoingRecord, PublishOutcome
from ingest.publishing.packing import random_partition_key

BATCH_SIZE = 500
BATCHED_RESEND_PAUSE_SECONDS = 0.1

NAIVE = "naive"
BATCHED = "batched"
INGEST = "ingest"
INGEST_NO_AGGREGATE = "ingest-no-aggregate"
INGEST_PREVIOUS = "ingest-previous"
PRODUCER_NAMES: tuple[str, ...] = (NAIVE, BATCHED, INGEST_PREVIOUS, INGEST, INGEST_NO_AGGREGATE)
DEFAULT_PRODUCER = INGEST
"""The project's default (`publish` aggregates unless told --no-aggregate): the reference of every ratio."""


@dataclass(frozen=True)
class Tally:
    published: int
    """User records the stream acknowledged."""
    failed: int
    """User records the producer gave up on."""
    retries: int
    """Kinesis records sent again after the stream refused them (one entry resent twice counts 2)."""


class Producer(Protocol):
    def __call__(self, client: Any, stream: str, records: Sequence[bytes]) -> Tally: ...


@dataclass(frozen=True)
class Naive:
    rng: random.Random

    def __call__(self, client: Any, stream: str, records: Sequence[bytes]) -> Tally:
        for data in records:
            client.put_record(StreamName=stream, Data=data, PartitionKey=random_partition_key(self.rng))
        return Tally(published=len(records), failed=0, retries=0)


@dataclass(frozen=True)
class Batched:
    rng: random.Random
    sleep: Callable[[float], None] = time.sleep
    pause: float = BATCHED_RESEND_PAUSE_SECONDS

    def __call__(self, client: Any, stream: str, records: Sequence[bytes]) -> Tally:
        retries = 0
        for start in range(0, len(records), BATCH_SIZE):
            pending = [
                {"Data": data, "PartitionKey": random_partition_key(self.rng)}
                for data in records[start : start + BATCH_SIZE]
            ]
            while pending:
                response = client.put_records(StreamName=stream, Records=pending)
                if not response["FailedRecordCount"]:
                    break
                pending = [
                    entry for entry, result in zip(pending, response["Records"], strict=True) if "ErrorCode" in result
                ]
                retries += len(pending)
                self.sleep(self.pause)
        return Tally(published=len(records), failed=0, retries=retries)


@dataclass(frozen=True)
class Ingest:
    aggregate: bool
    rng: random.Random
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    max_in_flight: int = 1

    def __call__(self, client: Any, stream: str, records: Sequence[bytes]) -> Tally:
        publisher = KinesisPublisher(
            client,
            stream,
            aggregate=self.aggregate,
            sleep=self.sleep,
            clock=self.clock,
            rng=self.rng,
            max_in_flight=self.max_in_flight,
        )
        published, failed = _count(publisher.publish(map(OutgoingRecord, records, range(len(records)))))
        return Tally(published=published, failed=failed, retries=publisher.stats.retries)


@dataclass(frozen=True)
class IngestPrevious:
    rng: random.Random
    sleep: Callable[[float], None] = time.sleep

    def __call__(self, client: Any, stream: str, records: Sequence[bytes]) -> Tally:
        publisher = PreviousKinesisPublisher(client, stream, sleep=self.sleep, rng=self.rng)
        published, failed = _count(publisher.publish(map(OutgoingRecord, records, range(len(records)))))
        return Tally(published=published, failed=failed, retries=publisher.stats.retries)


def _count(outcomes: Iterable[PublishOutcome]) -> tuple[int, int]:
    """(published, failed) user records."""
    published = failed = 0
    for outcome in outcomes:
        if outcome.ok:
            published += 1
        else:
            failed += 1
    return published, failed


def make_producer(
    name: str,
    *,
    seed: int = 0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    max_in_flight: int = 1,
) -> Producer:
    """A fresh producer; `seed` fixes partition keys and jitter, so two runs send the same calls. `clock` is the
    time `sleep` moves (the ingest publisher paces the shards by it)."""
    rng = random.Random(seed)
    if name == NAIVE:
        return Naive(rng)
    if name == BATCHED:
        return Batched(rng, sleep)
    if name == INGEST_PREVIOUS:
        return IngestPrevious(rng, sleep)
    if name in (INGEST, INGEST_NO_AGGREGATE):
        return Ingest(name == INGEST, rng, sleep, clock, max_in_flight)
    raise ValueError(f"unknown producer {name!r}; known: {', '.join(PRODUCER_NAMES)}")
