"""What goes into the publisher and what comes back out.

Both are named tuples: the run builds one of each per record, and a frozen dataclass costs three times as much
to build.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import NamedTuple

from ingest.errors import TerminalError

RECORD_TOO_LARGE = "RecordTooLarge"


class OutgoingRecord(NamedTuple):
    """One user record to publish. `ref` is the caller's handle for it and comes back in its outcome.

    Without `partition_key` the publisher picks the shard (records need no order among themselves); with one,
    the record goes to the shard its key hashes to, after every earlier record with the same key.
    """

    data: bytes
    ref: Hashable
    partition_key: str | None = None


class PublishOutcome(NamedTuple):
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
    `shard_map_reads` counts ListShards readings of the map (the first, and one per reshard noticed).
    """

    put_calls: int = 0
    kinesis_records: int = 0
    user_records: int = 0
    bytes_published: int = 0
    retries: int = 0
    throttled: int = 0
    shard_map_reads: int = 0


class PublishAbortedError(TerminalError):
    """A PutRecords call failed for good; the run cannot go on.

    `pending` holds the refs of every record taken from the input but not settled by an outcome, in the order
    they were taken: the caller counts them (and whatever it had not handed over yet) as failed.
    """

    def __init__(self, stream_name: str, error_code: str, message: str, pending: tuple[Hashable, ...]) -> None:
        self.stream_name = stream_name
        self.error_code = error_code
        self.pending = pending
        super().__init__(
            f"publishing to Kinesis stream {stream_name!r} stopped: {error_code}: {message} "
            f"({len(pending)} records taken but not published)"
        )
