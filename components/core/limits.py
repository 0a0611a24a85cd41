"""AWS service limits and the argument ranges derived from them: one place for the numbers AWS enforces.

Both sides use them: the component checks its arguments against them before any AWS call (a bad value fails
`pulumi preview` with a message), and the publisher batches within them. Sizes count the data blob plus the UTF-8
partition key, as Kinesis does. Kept as data so tests (and a stream with other quotas) can vary them.

Sources:
- Kinesis Data Streams quotas and limits:
  https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
- PutRecords: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
- Firehose buffering hints: https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html
- CloudWatch Logs PutRetentionPolicy:
  https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
- S3 lifecycle transitions: https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
- WAF rate-based rules: https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html
- Firehose record format conversion: https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html
- Athena WorkGroupConfiguration: https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfiguration.html
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
"""Every stream's defaults. Newer API references allow records and calls of up to 10 MiB on streams configured for
them; an ExplicitHashKey does not count against the record size."""


@dataclass(frozen=True)
class ShardWriteLimits:
    """What one shard accepts per second of writes, in provisioned and on-demand mode alike; an aggregate counts as
    one record."""

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


RETENTION_HOURS_RANGE = (24, 8760)
"""Kinesis stream retention: 24 hours to 365 days."""
SHARD_COUNT_MIN = 1
BUFFERING_SIZE_MB_RANGE = (1, 128)
"""Firehose BufferingHints.SizeInMBs."""
BUFFERING_INTERVAL_SECONDS_RANGE = (0, 900)
"""Firehose BufferingHints.IntervalInSeconds."""
IA_MIN_DAYS = 30
"""S3 refuses a transition to STANDARD_IA earlier than 30 days after creation."""
IA_MIN_STAY_DAYS = 30
"""... and an object must stay 30 days in STANDARD_IA before a later transition."""
CONVERSION_MIN_BUFFERING_SIZE_MB = 64
"""Firehose refuses record format conversion with a smaller buffer: "BufferingHints.SizeInMBs must be at least 64
when data format conversion is enabled" (InvalidArgumentException, quoted by the Terraform AWS provider's
acceptance tests for aws_kinesis_firehose_delivery_stream)."""
CONVERSION_S3_COMPRESSION = "UNCOMPRESSED"
"""With conversion on, S3-level compression is off; the Parquet serializer compresses (Snappy) inside the file
("Amazon S3 compression gets disabled when you enable format conversion":
https://docs.aws.amazon.com/firehose/latest/dev/enable-record-format-conversion.html)."""
ATHENA_MIN_BYTES_SCANNED_CUTOFF_MB = 10
"""WorkGroupConfiguration.BytesScannedCutoffPerQuery: minimum 10,000,000 bytes."""
HTTP_MAX_BATCH_RECORDS_RANGE = (1, KINESIS_LIMITS.max_records_per_call)
"""One POST /v1/batch becomes one PutRecords call, so it cannot carry more records than PutRecords takes."""
WAF_RATE_LIMIT_RANGE = (10, 2_000_000_000)
"""RateBasedStatement.Limit: requests one aggregation instance (here one client IP) may make per evaluation window."""
WAF_RATE_WINDOW_SECONDS = 300
"""The evaluation window the rate limit counts over (AWS's default of 60, 120, 300 or 600 s)."""
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
"""The values CloudWatch Logs accepts for a log group's retention (PutRetentionPolicy)."""
