"""The Kinesis facts the figures rest on, and the arithmetic on them.

Per-shard write limits: 1 MiB/s and 1,000 records/s, counting each Kinesis record's data blob plus its
UTF-8 partition key (an aggregate is one record). PUT payload units: Kinesis bills each Kinesis record in
25 KB chunks, rounded up; 25 KB is taken as 25 KiB here, consistent with the 1 MiB record limit (a 1 MiB
aggregate is 41 units; with 25,000-byte units it would be 42: the ratios between producers barely move).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIB = 1024 * 1024
PAYLOAD_UNIT_BYTES = 25 * 1024


@dataclass(frozen=True)
class ShardLimits:
    bytes_per_second: int = MIB
    records_per_second: int = 1000


SHARD_LIMITS = ShardLimits()


def record_size(data: bytes, partition_key: str) -> int:
    """What one Kinesis record counts against the shard limits (and what is billed)."""
    return len(data) + len(partition_key.encode("utf-8"))


def payload_units(size: int) -> int:
    """PUT payload units of one Kinesis record of `size` bytes: 25 KiB chunks, rounded up, at least one."""
    if size < 0:
        raise ValueError(f"size must be >= 0, got {size}")
    return max(1, math.ceil(size / PAYLOAD_UNIT_BYTES))


def floor_seconds(total_bytes: int, kinesis_records: int, shards: int, limits: ShardLimits = SHARD_LIMITS) -> float:
    """The physical floor: no producer can put this much through `shards` shards faster.

    max(bytes / (shards x 1 MiB/s), records / (shards x 1,000/s)), assuming keys spread evenly over the shards.
    """
    if shards < 1:
        raise ValueError(f"shards must be >= 1, got {shards}")
    by_bytes = total_bytes / (shards * limits.bytes_per_second)
    by_records = kinesis_records / (shards * limits.records_per_second)
    return max(by_bytes, by_records)


def byte_capacity_fraction(
    total_bytes: int, seconds: float, shards: int, limits: ShardLimits = SHARD_LIMITS
) -> float | None:
    """Achieved bytes/s as a fraction of what `shards` shards take (None for a zero duration)."""
    if seconds <= 0:
        return None
    return total_bytes / seconds / (shards * limits.bytes_per_second)
