"""Layer `verify` of `ingest`, above `endpoint` and `run` (it reads their reports), below `smoke` and `local`: did the
records a run reports as published reach the destination bucket?

`verify_delivery` (in `polling`) reads what Firehose delivered (and what it failed to deliver) since the run
started, matches it against the run's report by (run_id, uri, index), and polls until nothing is missing or the
timeout passes. This package's own names are the light ones (options, results); the modules that read S3 load
boto3 only when imported.
"""

from ingest.verify.options import (
    DEFAULT_CLOCK_SKEW_SECONDS,
    DEFAULT_POLL_INTERVAL_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
    VerifyOptions,
    default_timeout_seconds,
)
from ingest.verify.result import FailedDelivery, RecordRef, UnreadableObject, VerifyResult

__all__ = [
    "DEFAULT_CLOCK_SKEW_SECONDS",
    "DEFAULT_POLL_INTERVAL_SECONDS",
    "DEFAULT_TIMEOUT_SECONDS",
    "FailedDelivery",
    "RecordRef",
    "UnreadableObject",
    "VerifyOptions",
    "VerifyResult",
    "default_timeout_seconds",
]
