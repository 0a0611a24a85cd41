"""When and how long to wait before sending again what AWS refused, for every client of the tool.

The publisher (PutRecords entries and whole calls) and the tracking endpoint's HTTP client (the stream-side
errors the endpoint relays) share one policy, so this sits at the level both can see instead of inside either.

Two layers retry, on purpose: the client's botocore "standard" mode retries a whole call on transport
errors and throttling; this policy covers what botocore cannot see, the entries of a successful
PutRecords response that came back with an ErrorCode, and whole calls that failed even after botocore's
own attempts. Only codes on the allow-list are retried: anything else is a problem waiting will not fix.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# The codes PutRecords returns per entry and per call:
# https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html and
# https://docs.aws.amazon.com/kinesis/latest/APIReference/CommonErrors.html
THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "LimitExceededException",
        "KMSThrottlingException",
        "KMS.ThrottlingException",
    }
)

RETRYABLE_CODES = THROTTLING_CODES | frozenset(
    {
        "InternalFailure",
        "InternalFailureException",
        "InternalServerError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
        # botocore's transport errors, named by class, once the client's own retries are spent.
        "EndpointConnectionError",
        "ConnectionClosedError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
    }
)


def is_throttling(code: str) -> bool:
    return code in THROTTLING_CODES


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter.

    After failed attempt n, wait uniform(0, min(max_delay, base_delay * 2**(n-1))) seconds.

    Full jitter spreads the retries of many producers hitting the same hot shard instead of having them
    retry in lock-step. `max_attempts` counts the first send.

    The defaults are sized for a backfill at the shard limits, where throttling is Kinesis' normal flow
    control rather than a fault: a shard takes 1 MiB or 1,000 records per second, so waiting longer than about a
    second wastes capacity, and a budget of 8 attempts gave up on 40% of a 100,000-record backfill into one
    shard (bench/, "At the shard limits"). 30 attempts capped at 1 s keep retrying for ~25 s without progress
    before a record is declared failed.
    """

    max_attempts: int = 30
    base_delay: float = 0.1
    max_delay: float = 1.0
    retryable_codes: frozenset[str] = RETRYABLE_CODES

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if not 0 <= self.base_delay <= self.max_delay:
            raise ValueError(f"need 0 <= base_delay <= max_delay, got {self.base_delay} and {self.max_delay}")

    def is_retryable(self, error_code: str) -> bool:
        return error_code in self.retryable_codes

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** min(attempt - 1, 62))
        return rng.uniform(0, ceiling)


DEFAULT_RETRY_POLICY = RetryPolicy()
