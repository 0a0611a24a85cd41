"""Records Firehose gave up on: the JSON documents it writes under the error prefix.

Each line describes one record: `attemptsMade`, `arrivalTimestamp` and `attemptEndingTimestamp` (epoch
milliseconds), `errorCode`, `errorMessage`, `rawData` (the record's bytes, base64) and, depending on the
failure type, fields such as `lambdaArn`. The objects may be GZIP-compressed like the data. Decoding
`rawData` back to a provenance is what lets `verify` say *which* published records failed; a payload that is
still KPL-aggregated is de-aggregated first, and one that is not a record of ours is kept without a provenance.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from ingest.publishing.deaggregation import user_payloads
from ingest.records import Provenance
from ingest.verify.reading import decode_pieces, split_pieces


@dataclass(frozen=True)
class FailedRecord:
    """One record found under the error prefix."""

    key: str
    """The error object it was found in."""
    error_code: str | None
    error_message: str | None
    attempts_made: int | None
    arrival: str | None
    """When the record reached Firehose (ISO-8601 UTC), from `arrivalTimestamp`."""
    provenance: Provenance | None
    """None when `rawData` is missing or is not a record this package published."""


def read_failed_records(lines: Iterable[bytes], key: str) -> Iterator[FailedRecord]:
    """Every record described in one error object; pieces that are not Firehose error documents are skipped."""
    for piece in split_pieces(lines):
        if not piece.is_object:
            continue
        document = json.loads(piece.data)
        if not isinstance(document, dict) or not ({"rawData", "errorCode"} & document.keys()):
            continue
        provenances: list[Provenance | None] = [p for p in _provenances(document.get("rawData")) if p is not None]
        for provenance in provenances or [None]:
            yield FailedRecord(
                key=key,
                error_code=_text(document.get("errorCode")),
                error_message=_text(document.get("errorMessage")),
                attempts_made=_integer(document.get("attemptsMade")),
                arrival=_epoch_millis(document.get("arrivalTimestamp")),
                provenance=provenance,
            )


def _provenances(raw_data: object) -> Iterator[Provenance | None]:
    if not isinstance(raw_data, str):
        return
    try:
        data = base64.b64decode(raw_data, validate=True)
    except (binascii.Error, ValueError):
        return
    for payload in user_payloads(data):
        yield from decode_pieces([payload])


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _integer(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _epoch_millis(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        moment = datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
