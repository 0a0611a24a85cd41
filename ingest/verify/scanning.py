"""One look at the bucket: the delivered objects and error objects in the window, each read at most once.

Polling re-lists every time (objects appear, and may be deleted or overwritten), but an object is only
downloaded again when its ETag changes, so a poll costs a listing plus the objects that are new since the
last one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from ingest.verify.delivery_errors import FailedRecord, read_failed_records
from ingest.verify.listing import StoredObject, list_delivered, list_errors
from ingest.verify.matching import DeliveredRecords
from ingest.verify.reading import UnreadableObjectError, decode_pieces, iter_lines
from ingest.verify.s3 import s3_problem

Content = TypeVar("Content")


@dataclass(frozen=True)
class DataObject:
    """What one delivered object holds, reduced to what matching needs."""

    stored: StoredObject
    records: DeliveredRecords
    """Records of the report's runs (other runs' records are only counted)."""
    holds_own_records: bool
    """At least one record the report's run itself wrote (not an earlier run's): the object counts for the latency."""
    other_runs: int
    foreign: int
    unreadable: str | None = None
    """Why the object could not be read to the end; the records read before that still count."""


@dataclass(frozen=True)
class ErrorObject:
    stored: StoredObject
    failed: tuple[FailedRecord, ...]
    unreadable: str | None = None


@dataclass(frozen=True)
class Snapshot:
    objects: tuple[DataObject, ...]
    error_objects: tuple[ErrorObject, ...]


class _Cache(Generic[Content]):
    """Content by key, valid while the key's ETag is unchanged; keys no longer listed are forgotten."""

    def __init__(self, read: Callable[[StoredObject], Content | None]) -> None:
        self._read = read
        self._entries: dict[str, tuple[str, Content]] = {}

    def refresh(self, listed: Iterable[StoredObject]) -> tuple[Content, ...]:
        entries: dict[str, tuple[str, Content]] = {}
        for stored in listed:
            cached = self._entries.get(stored.key)
            if cached is not None and cached[0] == stored.etag:
                entries[stored.key] = cached
                continue
            content = self._read(stored)
            if content is not None:
                entries[stored.key] = (stored.etag, content)
        self._entries = entries
        return tuple(content for _, content in entries.values())


class BucketScanner:
    def __init__(
        self,
        s3: Any,
        *,
        bucket: str,
        prefix: str,
        error_prefix: str,
        since: datetime,
        run_ids: frozenset[str],
        own_run_ids: frozenset[str],
    ) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._prefix = prefix
        self._error_prefix = error_prefix
        self._since = since
        self._run_ids = run_ids
        self._own_run_ids = own_run_ids
        self._data = _Cache(self._read_data_object)
        self._errors = _Cache(self._read_error_object)

    def scan(self) -> Snapshot:
        objects = self._data.refresh(
            self._listing(list_delivered(self._s3, self._bucket, self._prefix, self._since), self._prefix)
        )
        error_objects = self._errors.refresh(
            self._listing(list_errors(self._s3, self._bucket, self._error_prefix, self._since), self._error_prefix)
        )
        return Snapshot(objects, error_objects)

    def _listing(self, objects: Iterator[StoredObject], prefix: str) -> list[StoredObject]:
        try:
            return list(objects)
        except (BotoCoreError, ClientError) as exc:
            raise s3_problem(exc, f"s3://{self._bucket}/{prefix}") from None

    def _download(self, key: str) -> bytes | None:
        """The object's bytes, or None when it was deleted since the listing."""
        try:
            response = self._s3.get_object(Bucket=self._bucket, Key=key)
            return bytes(response["Body"].read())
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise s3_problem(exc, f"s3://{self._bucket}/{key}") from None
        except BotoCoreError as exc:
            raise s3_problem(exc, f"s3://{self._bucket}/{key}") from None

    def _read_data_object(self, stored: StoredObject) -> DataObject | None:
        data = self._download(stored.key)
        if data is None:
            return None
        records = DeliveredRecords()
        holds_own_records = False
        other_runs = foreign = 0
        unreadable = None
        try:
            for provenance in decode_pieces(iter_lines(data)):
                if provenance is None:
                    foreign += 1
                elif provenance.run_id in self._run_ids:
                    records.add(provenance.run_id, provenance.source, provenance.index)
                    holds_own_records = holds_own_records or provenance.run_id in self._own_run_ids
                else:
                    other_runs += 1
        except UnreadableObjectError as exc:
            unreadable = str(exc)
        return DataObject(stored, records, holds_own_records, other_runs, foreign, unreadable)

    def _read_error_object(self, stored: StoredObject) -> ErrorObject | None:
        data = self._download(stored.key)
        if data is None:
            return None
        failed: list[FailedRecord] = []
        try:
            failed.extend(read_failed_records(iter_lines(data), stored.key))
        except UnreadableObjectError as exc:
            return ErrorObject(stored, tuple(failed), str(exc))
        return ErrorObject(stored, tuple(failed))
