"""The one read step every producer takes: decoded, validated records of one stored object.

`publish` (over a source's objects) and `send` (over a file or standard input) both read through here, so a
record one of them accepts the other accepts too, and a rejection reads the same in both: the format reader
undoes compression and decodes (`ingest.formats.read_object`), then the data dictionary judges each record. The
judge is the caller's to choose among the dictionary's own: `send` wants the validated record
(`validate_record`), `publish` the bytes Kinesis gets (`RecordEncoder.encode`, which validates and encodes in one
step, compiled from the schema); both raise the same RecordValidationError for the same record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO, Generic, NamedTuple, TypeVar

from ingest.errors import RecordValidationError
from ingest.formats import AUTO, DEFAULT_CHUNK_SIZE, MalformedRecord, StoredObject, detect_format, read_object
from ingest.records import PriceRecord, validate_record

Accepted = TypeVar("Accepted")


class Stage(StrEnum):
    """Where a record or object was lost, so readers of a dead-letter file can group lines without parsing
    reasons. The read step rejects at READ and VALIDATE; a publish run adds PUBLISH and OBJECT."""

    READ = "read"
    """The format reader could not decode this record (a malformed JSON line, a short CSV row, ...)."""
    VALIDATE = "validate"
    """Decoded, but breaks the data dictionary; `field` names the offending field."""
    PUBLISH = "publish"
    """Valid, but Kinesis did not accept it (after retries) or never acknowledged it before an abort."""
    OBJECT = "object"
    """The object itself (or the rest of it) could not be read or decoded."""


class ValidRecord(NamedTuple, Generic[Accepted]):
    """A tuple rather than a dataclass: one is made per record on the publish path, where every allocation shows."""

    index: int  # type: ignore[assignment]  # the field shadows tuple.index, which no caller uses
    """0-based ordinal among the records of its object: stable across runs, so `verify` can name it."""
    position: str
    """Where a person finds it: "record 12", "line 13", "row 5"."""
    value: Accepted
    """What the judge made of the record: the validated record, or its encoded bytes."""


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


def validated(value: object, index: int) -> PriceRecord:
    """The judge that keeps the validated record (the index is the encoder's, for provenance)."""
    return validate_record(value)


def read_records(
    stream: BinaryIO,
    obj: StoredObject,
    *,
    format_name: str,
    judge: Callable[[object, int], Accepted],
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[ValidRecord[Accepted] | RejectedRecord]:
    """Every record of `obj`, read lazily from `stream` (its bytes as stored), judged by `judge(value, index)`
    (which raises RecordValidationError for a record the dictionary refuses), or rejected with its reason.

    A FormatError while iterating means the rest of the object cannot be read; what was yielded before stands.
    """
    for item in read_object(stream, obj, format_name=format_name, chunk_size=chunk_size):
        if isinstance(item, MalformedRecord):
            yield RejectedRecord(item.index, item.position, Stage.READ, item.reason, item.raw)
            continue
        try:
            accepted = judge(item.value, item.index)
        except RecordValidationError as exc:
            yield RejectedRecord(item.index, item.position, Stage.VALIDATE, str(exc), item.value, exc.field)
            continue
        yield ValidRecord(item.index, item.position, accepted)
