"""Publishing to Kinesis Data Streams: batching within the service limits, KPL aggregation, retries."""

from components.core.limits import KINESIS_LIMITS, KinesisLimits
from ingest.publishing.kinesis import RECORD_TOO_LARGE, KinesisPublisher, PublishAbortedError
from ingest.publishing.model import OutgoingRecord, PublishOutcome, PublishStats
from ingest.publishing.retry import DEFAULT_RETRY_POLICY, RETRYABLE_CODES, RetryPolicy
from ingest.publishing.stream import StreamDescription, client_config, describe_stream

__all__ = [
    "DEFAULT_RETRY_POLICY",
    "KINESIS_LIMITS",
    "RECORD_TOO_LARGE",
    "RETRYABLE_CODES",
    "KinesisLimits",
    "KinesisPublisher",
    "OutgoingRecord",
    "PublishAbortedError",
    "PublishOutcome",
    "PublishStats",
    "RetryPolicy",
    "StreamDescription",
    "client_config",
    "describe_stream",
]
