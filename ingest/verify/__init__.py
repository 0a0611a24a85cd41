"""Delivery verification: did the records a publish run reports as published reach the destination bucket?

Reads what Firehose delivered (and what it failed to deliver) since the run started, matches it against the
run report by (run_id, uri, index), and polls until nothing is missing or the timeout passes.
"""

from ingest.verify.options import (
    DEFAULT_CLOCK_SKEW_SECONDS,
    DEFAULT_POLL_INTERVAL_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
    VerifyOptions,
    default_timeout_seconds,
)
from ingest.verify.polling import PollProgress, verify_delivery
from ingest.verify.result import FailedDelivery, RecordRef, UnreadableObject, VerifyResult
from ingest.verify.s3 import DeliveryCheckError

__all__ = [
    "DEFAULT_CLOCK_SKEW_SECONDS",
    "DEFAULT_POLL_INTERVAL_SECONDS",
    "DEFAULT_TIMEOUT_SECONDS",
    "DeliveryCheckError",
    "FailedDelivery",
    "PollProgress",
    "RecordRef",
    "UnreadableObject",
    "VerifyOptions",
    "VerifyResult",
    "default_timeout_seconds",
    "verify_delivery",
]
