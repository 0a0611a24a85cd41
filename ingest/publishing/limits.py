"""Kinesis Data Streams' write limits, as data so tests (and a stream with other quotas) can vary them.

Sizes count the data blob plus the UTF-8 partition key, as the service does ("The record size limit applies to
the total size of the partition key and data blob"; an ExplicitHashKey does not count).
Sources: the PutRecords API reference (500 records per call, 1 MiB per record, 5 MiB per call including
partition keys: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html) and "Quotas and
limits" (each shard takes 1 MiB/s and 1,000 records/s of writes, in provisioned and on-demand mode alike:
https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html). Newer API references allow records
and calls of up to 10 MiB on streams configured for them; the defaults here are every stream's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class KinesisLimits:
    max_records_per_call: int = 500
    max_bytes_per_call: int = 5 * MIB
    max_bytes_per_record: int = MIB
    max_partition_key_chars: int = 256


KINESIS_LIMITS = KinesisLimits()


@dataclass(frozen=True)
class ShardWriteLimits:
    """What one shard accepts per second of writes; an aggregate counts as one record."""

    bytes_per_second: int = MIB
    records_per_second: int = 1000


SHARD_WRITE_LIMITS = ShardWriteLimits()


def entry_size(data: bytes, partition_key: str) -> int:
    """What one Kinesis record counts against the per-record and per-call limits."""
    return len(data) + len(partition_key.encode("utf-8"))


def check_partition_key(partition_key: str, limits: KinesisLimits = KINESIS_LIMITS) -> str:
    """Reject a key the service would refuse, before it costs a call (a bad key is a bug, not bad data)."""
    if not 1 <= len(partition_key) <= limits.max_partition_key_chars:
        most = limits.max_partition_key_chars
        raise ValueError(f"partition key must be 1 to {most} characters, got {len(partition_key)}")
    return partition_key
