"""Which delivered objects a check reads: those under a prefix written since the window started.

Firehose names data objects `<prefix>year=YYYY/month=MM/day=DD/hour=HH/...` (`components.core.layout`), from the
arrival time of the oldest record in the object. Zero-padded, those keys sort by time, so the listing starts
after the window's first hour (`StartAfter`) instead of paging through the bucket's whole history on every
poll. The error prefix puts a failure type first (`errors/<type>/year=...`), so it is listed in full; it is
small unless deliveries keep failing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from components.core.layout import HIVE_TIME_PARTITIONS, expand_timestamps
from ingest.errors import ConfigurationError


@dataclass(frozen=True)
class StoredObject:
    key: str
    etag: str
    last_modified: datetime
    """S3's clock, to the second."""
    size: int


def parse_timestamp(text: str) -> datetime:
    """An ISO-8601 time as a report or `--since` writes it; without an offset it is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ConfigurationError(f"not an ISO-8601 time: {text!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def partition_folder(prefix: str, moment: datetime) -> str:
    """The folder Firehose writes objects whose oldest record arrived at `moment` to (UTC hour)."""
    return prefix + expand_timestamps(HIVE_TIME_PARTITIONS, moment)


def list_delivered(s3: Any, bucket: str, prefix: str, since: datetime) -> Iterator[StoredObject]:
    """Data objects under `prefix` modified at or after `since`, from the hour partition of `since` on."""
    start_after = partition_folder(prefix, since)
    yield from _list(s3, since, Bucket=bucket, Prefix=prefix, StartAfter=start_after)


def list_errors(s3: Any, bucket: str, error_prefix: str, since: datetime) -> Iterator[StoredObject]:
    """Error objects under `error_prefix` modified at or after `since`."""
    yield from _list(s3, since, Bucket=bucket, Prefix=error_prefix)


def _list(s3: Any, since: datetime, **parameters: str) -> Iterator[StoredObject]:
    for page in s3.get_paginator("list_objects_v2").paginate(**parameters):
        for entry in page.get("Contents", ()):
            if entry["Key"].endswith("/") and entry["Size"] == 0:
                continue  # a folder marker made by a console or a tool, never a delivery
            if entry["LastModified"] >= since:
                yield StoredObject(entry["Key"], entry["ETag"], entry["LastModified"], entry["Size"])
