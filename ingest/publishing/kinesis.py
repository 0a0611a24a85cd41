"""Publish user records to a Kinesis Data Stream with PutRecords, losing none, at the shards' limits.

Every record taken from the input ends in exactly one way: a `PublishOutcome` (ok, or failed with its
error code once the retry budget is spent or the code is not retryable), or, when a whole call fails in a
way retrying does not fix (the stream is gone, credentials are refused, the service stays unavailable),
in the `pending` refs of the `PublishAbortedError` that ends the run. Records still in the input iterator
at that point were never taken. Aborting rather than failing records one by one keeps a missing stream
from costing a full retry budget per batch for the rest of the input.

How the calls are made is the shard dispatcher's (`ingest.publishing.dispatch`: the run; `lanes`: per-shard
queues and pacing; `calls`: building and settling PutRecords calls); docs/publisher.md has the design and the
measurements.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from components.core.limits import KINESIS_LIMITS, SHARD_WRITE_LIMITS, KinesisLimits, ShardWriteLimits
from ingest.publishing.dispatch import ShardDispatcher
from ingest.publishing.model import OutgoingRecord, PublishOutcome, PublishStats
from ingest.publishing.settings import PublisherSettings
from ingest.publishing.stream import stream_parameter
from ingest.retry import DEFAULT_RETRY_POLICY, RetryPolicy


class SleptTime:
    """A clock that moves only when its owner sleeps: the time of a publisher told how to sleep but not what
    time it is (tests, simulations), so that its pacing and its sleeps agree."""

    def __init__(self, sleep: Callable[[float], None]) -> None:
        self._sleep = sleep
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self._sleep(seconds)
        self.now += seconds


class KinesisPublisher:
    """Streams records into PutRecords calls; one instance per run, so `stats` covers the run.

    `client` is a boto3 Kinesis client, ideally built with `client_config()` (standard retry mode,
    timeouts). `shard_aware` reads the stream's shard map (ListShards) to aim each aggregate at one shard and
    pace every shard to `shard_limits`; without it, or when the map cannot be read (ListShards refused, or a
    client that has no such call), aggregates get random keys and throttling is answered by retries alone.
    `max_in_flight` calls run at once (1: on the caller's thread).
    `max_aggregate_bytes` caps an aggregate below the 1 MiB record limit: smaller aggregates cost more PUT units
    but less to resend. `max_buffered_bytes` bounds the entries waiting to be sent (memory, and how far the
    input runs ahead of a paced shard). `sleep`, `clock` and `rng` (jitter, partition keys) are injectable for
    fast, repeatable tests; given `sleep` but no `clock`, the publisher's time is the sum of its sleeps.
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
        clock: Callable[[], float] | None = None,
        rng: random.Random | None = None,
        shard_aware: bool = True,
        shard_limits: ShardWriteLimits = SHARD_WRITE_LIMITS,
        max_in_flight: int = 1,
        max_buffered_bytes: int | None = None,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError(f"max_in_flight must be at least 1, got {max_in_flight}")
        if clock is None and sleep is not time.sleep:
            slept = SleptTime(sleep)
            clock, sleep = slept, slept.sleep
        self._settings = PublisherSettings(
            client=client,
            stream_name=stream_name,
            stream=stream_parameter(stream_name),
            aggregate=aggregate,
            retry=retry,
            limits=limits,
            max_aggregate_bytes=max_aggregate_bytes,
            sleep=sleep,
            clock=clock or time.monotonic,
            rng=rng or random.Random(),
            shard_aware=shard_aware,
            shard_limits=shard_limits,
            max_in_flight=max_in_flight,
            max_buffered_bytes=max_buffered_bytes or 2 * limits.max_bytes_per_call,
        )
        self.stats = PublishStats()

    def publish(self, records: Iterable[OutgoingRecord]) -> Iterator[PublishOutcome]:
        """Yield one outcome per input record, in call-completion order.

        The input is consumed lazily: at most `max_buffered_bytes` of entries wait, plus the aggregate being
        filled and the calls in flight. Raises `PublishAbortedError` as described in the module docs.
        """
        return ShardDispatcher(self._settings, self.stats, records).outcomes()
