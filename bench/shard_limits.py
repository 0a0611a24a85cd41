"""A backfill at the per-shard write limits: the batched producer and ours against `bench.standin`.

For each shard count and producer: the achieved throughput as a fraction of the shards' byte capacity,
the time against the physical floor (`bench.kinesis_limits.floor_seconds`, from the Kinesis records and
bytes that producer needs), and the calls and entries the throttling wasted. Runs in real time by default
(the producers really sleep between resends); tests pass a manual clock whose `sleep` moves it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from bench.kinesis_limits import byte_capacity_fraction, floor_seconds
from bench.meter import MeteredKinesis
from bench.producers import BATCHED, INGEST, make_producer
from bench.standin import ShardLimitedKinesis

SHARD_COUNTS: tuple[int, ...] = (1, 2, 4)
PRODUCERS: tuple[str, ...] = (BATCHED, INGEST)


@dataclass(frozen=True)
class LimitRun:
    producer: str
    shards: int
    records: int
    published: int
    failed: int
    """User records the producer gave up on (its retry policy ran out before the shards had room)."""
    wall_s: float
    records_per_s: float
    kinesis_records: int
    bytes: int
    """Bytes the shards accepted (data plus partition keys)."""
    floor_s: float
    """The physical floor for all the records (see `needed_for_all`)."""
    time_vs_floor: float | None
    byte_capacity_fraction: float | None
    api_calls: int
    calls_throttled: int
    calls_fully_throttled: int
    throttled_entries: int
    retries: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def run_at_limits(
    records: Sequence[bytes],
    producer_name: str,
    shards: int,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    seed: int = 0,
) -> LimitRun:
    stream = ShardLimitedKinesis(shards, clock=clock)
    client = MeteredKinesis(stream)
    producer = make_producer(producer_name, seed=seed, sleep=sleep)
    start = clock()
    tally = producer(client, stream.stream_name, records)
    wall_s = clock() - start
    meter = client.meter
    floor_s = floor_seconds(
        *needed_for_all(meter.bytes_accepted, meter.kinesis_records, tally.published, len(records)), shards
    )
    return LimitRun(
        producer=producer_name,
        shards=shards,
        records=len(records),
        published=tally.published,
        failed=tally.failed,
        wall_s=wall_s,
        records_per_s=tally.published / wall_s if wall_s > 0 else 0.0,
        kinesis_records=meter.kinesis_records,
        bytes=meter.bytes_accepted,
        floor_s=floor_s,
        time_vs_floor=wall_s / floor_s if floor_s > 0 else None,
        byte_capacity_fraction=byte_capacity_fraction(meter.bytes_accepted, wall_s, shards),
        api_calls=meter.api_calls,
        calls_throttled=meter.calls_throttled,
        calls_fully_throttled=meter.calls_fully_throttled,
        throttled_entries=meter.throttled_entries,
        retries=tally.retries,
    )


def needed_for_all(accepted_bytes: int, kinesis_records: int, published: int, records: int) -> tuple[int, int]:
    """Bytes and Kinesis records that all `records` need: what was accepted, extrapolated per user record
    when the producer gave some up (their aggregates were never accepted, so never counted)."""
    if published in (0, records):
        return accepted_bytes, kinesis_records
    scale = records / published
    return round(accepted_bytes * scale), round(kinesis_records * scale)


def simulate(
    records: Sequence[bytes],
    *,
    producers: Sequence[str] = PRODUCERS,
    shard_counts: Sequence[int] = SHARD_COUNTS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    seed: int = 0,
) -> list[LimitRun]:
    """Each producer at each shard count, on a fresh stand-in stream (empty windows) every time."""
    return [
        run_at_limits(records, name, shards, clock=clock, sleep=sleep, seed=seed)
        for shards in shard_counts
        for name in producers
    ]
