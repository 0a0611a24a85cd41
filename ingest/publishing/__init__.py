"""Publishing to Kinesis Data Streams: shard-aware KPL aggregation, per-shard pacing, calls in flight, retries."""

from components.core.limits import KINESIS_LIMITS, SHARD_WRITE_LIMITS, KinesisLimits, ShardWriteLimits
from ingest.publishing.kinesis import KinesisPublisher
from ingest.publishing.model import (
    RECORD_TOO_LARGE,
    OutgoingRecord,
    PublishAbortedError,
    PublishOutcome,
    PublishStats,
)
from ingest.publishing.stream import StreamDescription, client_config, describe_stream
from ingest.retry import DEFAULT_RETRY_POLICY, RETRYABLE_CODES, RetryPolicy

__all__ = [
    "DEFAULT_RETRY_POLICY",
    "KINESIS_LIMITS",
    "RECORD_TOO_LARGE",
    "RETRYABLE_CODES",
    "SHARD_WRITE_LIMITS",
    "KinesisLimits",
    "KinesisPublisher",
    "OutgoingRecord",
    "PublishAbortedError",
    "PublishOutcome",
    "PublishStats",
    "RetryPolicy",
    "ShardWriteLimits",
    "StreamDescription",
    "client_config",
    "describe_stream",
]
