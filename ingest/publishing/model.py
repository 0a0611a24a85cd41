"""What goes into the publisher and what comes back out."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class OutgoingRecord:
    """One user record to publish. `ref` is the caller's handle for it and comes back in its outcome."""

    data: bytes
    ref: Hashable


@dataclass(frozen=True)
class PublishOutcome:
    """The fate of one user record: published, or failed with the service's (or our) error code."""

    ref: Hashable
    ok: bool
    error_code: str | None = None
    error_message: str | None = None


@dataclass
class PublishStats:
    """Running totals for one publisher.

    `kinesis_records` and `bytes_published` count what Kinesis accepted (aggregates, not the user records in
    them: the billed PUT payload); `user_records` counts user records published. `retries` counts Kinesis
    records sent again (an entry resent twice counts 2, a whole call retried counts all its entries);
    `throttled` counts Kinesis records that came back throttled, including those of a throttled call.
    """

    put_calls: int = 0
    kinesis_records: int = 0
    user_records: int = 0
    bytes_published: int = 0
    retries: int = 0
    throttled: int = 0
