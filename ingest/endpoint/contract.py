"""What the tracking endpoint expects of a client, and what the client expects of it: path, limits, timeouts,
which answers are worth another try. Kept free of HTTP libraries so the command line can read it cheaply."""

from __future__ import annotations

BATCH_PATH = "/v1/batch"
MAX_BATCH_RECORDS = 500
"""The endpoint's ceiling for one batch request (Kinesis PutRecords takes 500 entries per call)."""
API_KEY_ENVIRONMENT = "TRACKING_API_KEY"
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 35.0
"""Above API Gateway's 29 s integration timeout, so the endpoint answers before the client gives up."""
RETRYABLE_STATUSES = frozenset({429, 503, 504})
STREAM_SIDE_STATUSES = frozenset({500, 502})
"""Retried only when the endpoint names a transient Kinesis error code (or none at all)."""
