"""Kinesis Data Streams' PutRecords limits, as data so tests (and a stream with other quotas) can vary them.

Sizes count the data blob plus the UTF-8 partition key, as the service does.
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


def entry_size(data: bytes, partition_key: str) -> int:
    """What one Kinesis record counts against the per-record and per-call limits."""
    return len(data) + len(partition_key.encode("utf-8"))


def check_partition_key(partition_key: str, limits: KinesisLimits = KINESIS_LIMITS) -> str:
    """Reject a key the service would refuse, before it costs a call (a bad key is a bug, not bad data)."""
    if not 1 <= len(partition_key) <= limits.max_partition_key_chars:
        most = limits.max_partition_key_chars
        raise ValueError(f"partition key must be 1 to {most} characters, got {len(partition_key)}")
    return partition_key
