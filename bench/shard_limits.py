"""A backfill at the per-shard write limits: the batched producer, the previous publisher and ours against
`bench.standin`.

For each shard count and producer: the achieved throughput as a fraction of the shards' byte capacity,
the time against the physical floor (`bench.kinesis_limits.floor_seconds`, from the Kinesis records and
bytes that producer needs), and the calls and entries the throttling wasted. Runs in real time by default
(the producers really sleep between resends); tests pass a manual clock whose `sleep` moves it.

Each run publishes at least `RECORDS_PER_SHARD` records per shard (~8 s of a shard's byte capacity): an empty
shard takes a whole second's worth at once, so a run much shorter than that measures the first second's burst
(64 shards swallow 100,000 records in half a second), not the rate a producer keeps up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from bench.kinesis_limits import byte_capacity_fraction, floor_seconds
from bench.meter import MeteredKinesis
from bench.producers import BATCHED, INGEST, INGEST_PREVIOUS, make_producer
from bench.standin import ShardLimitedKinesis

SHARD_COUNTS: tuple[int, ...] = (1, 2, 4, 16, 64)
PRODUCERS: tuple[str, ...] = (BATCHED, INGEST_PREVIOUS, INGEST)
RECORDS_PER_SHARD = 25_000


def records_for(shards: int, records: int, per_shard: int = RECORDS_PER_SHARD) -> int:
    """The records of a run at `shards` shards: `records`, or more to keep every shard busy for ~8 s."""
    return max(records, shards * per_shard)


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
    latency_s: float = 0.0
    max_in_flight: int = 1

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
    latency: float = 0.0,
    max_in_flight: int = 1,
) -> LimitRun:
    stream = ShardLimitedKinesis(shards, clock=clock, latency=latency)
    client = MeteredKinesis(stream)
    producer = make_producer(producer_name, seed=seed, sleep=sleep, clock=clock, max_in_flight=max_in_flight)
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
        latency_s=latency,
        max_in_flight=max_in_flight,
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
    min_records: int | None = None,
    per_shard: int = RECORDS_PER_SHARD,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    seed: int = 0,
    progress: Callable[[str], None] = lambda message: None,
) -> list[LimitRun]:
    """Each producer at each shard count, on a fresh stand-in stream (empty windows) every time; `records` must
    hold `records_for(max(shard_counts), ...)` of them (fewer are used at fewer shards)."""
    runs = []
    for shards in shard_counts:
        sample = records[: records_for(shards, min_records or len(records), per_shard)]
        for name in producers:
            progress(f"{name} at {shards} shards, {len(sample):,} records")
            runs.append(run_at_limits(sample, name, shards, clock=clock, sleep=sleep, seed=seed))
    return runs


def in_flight_runs(
    records: Sequence[bytes],
    *,
    shards: int,
    latency: float,
    in_flight: Sequence[int] = (1, 2, 4),
    seed: int = 0,
) -> list[LimitRun]:
    """The ingest publisher with 1, 2, 4 calls in flight against shards `latency` seconds away (real time)."""
    return [
        run_at_limits(records, INGEST, shards, seed=seed, latency=latency, max_in_flight=count) for count in in_flight
    ]
