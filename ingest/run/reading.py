"""The one read step every producer takes: decoded, validated records of one stored object.

`publish` (over a source's objects) and `send` (over a file or standard input) both read through here, so a
record one of them accepts the other accepts too, and a rejection reads the same in both: the format reader
undoes compression and decodes (`ingest.formats.read_object`), then the data dictionary judges each record
(`ingest.records.validate_record`). What happens to a record next (Kinesis, the endpoint) is the caller's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from ingest.errors import RecordValidationError
from ingest.formats import AUTO, DEFAULT_CHUNK_SIZE, MalformedRecord, StoredObject, detect_format, read_object
from ingest.records import PriceRecord, validate_record
from ingest.run.dead_letter import Stage


@dataclass(frozen=True)
class ValidRecord:
    index: int
    """0-based ordinal among the records of its object: stable across runs, so `verify` can name it."""
    position: str
    """Where a person finds it: "record 12", "line 13", "row 5"."""
    record: PriceRecord


@dataclass(frozen=True)
class RejectedRecord:
    """A record that cannot be decoded (stage READ) or breaks the data dictionary (stage VALIDATE)."""

    index: int
    position: str
    stage: Stage
    reason: str
    raw: object
    """The value as read, for the dead-letter line."""
    field: str | None = None
    """The offending field, when validation names one."""


def resolve_format(obj: StoredObject, format_name: str) -> str:
    """The format to read `obj` with: the one named, or the one its extension / content type says (auto)."""
    return detect_format(obj) if format_name == AUTO else format_name


def read_records(
    stream: BinaryIO, obj: StoredObject, *, format_name: str, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[ValidRecord | RejectedRecord]:
    """Every record of `obj`, read lazily from `stream` (its bytes as stored), valid or rejected with its reason.

    A FormatError while iterating means the rest of the object cannot be read; what was yielded before stands.
    """
    for item in read_object(stream, obj, format_name=format_name, chunk_size=chunk_size):
        if isinstance(item, MalformedRecord):
            yield RejectedRecord(item.index, item.position, Stage.READ, item.reason, item.raw)
            continue
        try:
            record = validate_record(item.value)
        except RecordValidationError as exc:
            yield RejectedRecord(item.index, item.position, Stage.VALIDATE, str(exc), item.value, exc.field)
            continue
        yield ValidRecord(item.index, item.position, record)
