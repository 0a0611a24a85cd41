"""The bytes of one published user record, and their inverse for `verify`.

One compact JSON object per record, with no trailing newline: the delivery stream's processor appends
the delimiter. Provenance sits under a single key so consumers can drop it with one `pop`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import msgspec

from ingest.errors import IngestError, RecordValidationError
from ingest.records.fields import FIELD_SPECS
from ingest.records.model import PriceRecord, plain_values, validate_record

PROVENANCE_KEY = "_ingest"


@dataclass(frozen=True)
class Provenance:
    """Where a published record came from: enough for `verify` to name a missing record."""

    source: str
    """URI of the source object."""
    run_id: str
    index: int
    """0-based ordinal of the record in its source object (`RawRecord.index`)."""


class RecordDecodeError(IngestError, ValueError):
    """Bytes that are not a record this package encoded (not JSON, wrong shape, bad field, no provenance)."""


def encode_record(record: PriceRecord, provenance: Provenance) -> bytes:
    """Compact JSON; ASCII-escaped so any source URI (even one with undecodable path bytes) encodes."""
    document: dict[str, object] = {
        **record.as_dict(),
        PROVENANCE_KEY: {
            "source": provenance.source,
            "run_id": provenance.run_id,
            "index": provenance.index,
        },
    }
    return json.dumps(document, separators=(",", ":"), allow_nan=False).encode("ascii")


_PublishedFields = msgspec.defstruct("PublishedFields", [(spec.name, object) for spec in FIELD_SPECS])
"""The dictionary's fields in its order: msgspec writes a struct as an object with its fields in order, which is
the start of `encode_record`'s document (field names are plain identifiers, see `ingest.records.fields`)."""
_ENCODE = msgspec.json.Encoder().encode


class RecordEncoder:
    """Validates and encodes the records of one source object, to exactly the bytes `encode_record` writes.

    Built once per object: the provenance's source and run id are written into a byte template once, and a
    record costs one struct, one msgspec call and one formatting. Records `plain_values` does not accept take
    the reference path (`validate_record`, `encode_record`), which also raises the same RecordValidationError.
    """

    def __init__(self, source: str, run_id: str) -> None:
        self._source = source
        self._run_id = run_id
        provenance = json.dumps({"source": source, "run_id": run_id}, separators=(",", ":")).encode("ascii")
        self._provenance = b',"%s":' % PROVENANCE_KEY.encode("ascii") + provenance[:-1].replace(b"%", b"%%")
        self._provenance += b',"index":%d}}'

    def encode(self, value: object, index: int) -> bytes:
        values = plain_values(value)
        if values is None:
            return encode_record(validate_record(value), Provenance(self._source, self._run_id, index))
        return _ENCODE(_PublishedFields(*values))[:-1] + self._provenance % index


def decode_record(data: bytes) -> tuple[dict[str, object], Provenance]:
    """Parse and re-validate one encoded record; surrounding whitespace (Firehose's newline) is ignored."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _decode_error(data, f"not UTF-8 JSON ({exc})") from None
    if not isinstance(document, dict):
        raise _decode_error(data, f"expected a JSON object, got {type(document).__name__}")
    provenance = _provenance(data, document.get(PROVENANCE_KEY))
    try:
        record = validate_record(document)
    except RecordValidationError as exc:
        raise _decode_error(data, str(exc)) from None
    fields: dict[str, object] = dict(record.as_dict())
    return fields, provenance


def _provenance(data: bytes, value: object) -> Provenance:
    if not isinstance(value, dict):
        raise _decode_error(data, f"{PROVENANCE_KEY!r} must be an object with source, run_id and index")
    source, run_id, index = value.get("source"), value.get("run_id"), value.get("index")
    if not isinstance(source, str) or not isinstance(run_id, str):
        raise _decode_error(data, f"{PROVENANCE_KEY!r}.source and .run_id must be strings")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise _decode_error(data, f"{PROVENANCE_KEY!r}.index must be a non-negative integer")
    return Provenance(source=source, run_id=run_id, index=index)


def _decode_error(data: bytes, reason: str) -> RecordDecodeError:
    return RecordDecodeError(f"cannot decode record {data[:80]!r}: {reason}")
