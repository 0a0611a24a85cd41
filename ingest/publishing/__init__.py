"""Stage layer of `ingest`, the publisher: Kinesis Data Streams with shard-aware KPL aggregation, per-shard pacing,
calls in flight and retries.

`KinesisPublisher` (`kinesis`) is the entry point, records in and outcomes out (`model`), its options resolved
into `settings`; its `ShardDispatcher` (`dispatch`) runs one publish: the
per-shard lanes and their queues (`lanes`, paced by `rate`, on the map `shards` reads), PutRecords calls built,
made and settled (`calls`, with `call_errors` typing a failed call), and the records packed into entries
(`packing`, `aggregation` and `kpl` for KPL aggregates, `batching` for the per-call limits). `stream` describes
the stream and sets up its client; `deaggregation` reads published records back, aggregates taken apart. The
retry policy is shared with the endpoint's client and lives in `ingest.retry`; it is re-exported here.
"""

from components.core.limits import KINESIS_LIMITS, SHARD_WRITE_LIMITS, KinesisLimits, ShardWriteLimits
from ingest.publishing.kinesis import KinesisPublisher
from ingest.publishing.model import (
    RECORD_TOO_LARGE,
    OutgoingRecord,
    PublishAbortedError,
    PublishOutcome,
    PublishStats,
)
from ingest.publishing.stream import StreamDescription, describe_stream
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
    "describe_stream",
]
