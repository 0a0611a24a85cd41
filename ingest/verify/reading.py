"""The records inside one delivered object, however Firehose (or another producer) wrote them.

Compression is recognised by its magic bytes, not by the key: Firehose adds `.gz` to GZIP objects, but a
relay, a copy or a rename may not. So is Parquet (a stack with `record_format: parquet`): its rows are turned back
into the JSON lines they were converted from. Records may be one per line (the stack's AppendDelimiterToRecord
processor) or concatenated with no delimiter at all (a delivery stream without that processor); whitespace
between them is tolerated. Anything that is not a record of this package is `foreign`: another producer may
share the stream, and its lines are none of this check's business.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ingest.parquet import is_parquet, parquet_lines
from ingest.records import FIELDS, PROVENANCE_KEY, Provenance, RecordDecodeError, decode_record

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
SNAPPY_FRAMED_MAGIC = b"\xff\x06\x00\x00sNaPpY"

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\r\n"


class UnreadableObjectError(ValueError):
    """The object's bytes cannot be turned into lines (corrupt archive, unsupported compression)."""


@dataclass(frozen=True)
class Piece:
    """A span of a line: one complete JSON object, or whatever else is there (up to the end of the line)."""

    data: bytes
    is_object: bool


def iter_lines(data: bytes) -> Iterator[bytes]:
    """The decompressed lines of an object. GZIP may hold several members (Python reads them all); ZIP
    entries are read in order; Parquet rows become JSON lines. Snappy (framed or Hadoop) needs a library this package
    does not ship."""
    try:
        if is_parquet(data):
            yield from _parquet_lines(data)
        elif data.startswith(GZIP_MAGIC):
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
                yield from stream
        elif data.startswith(ZIP_MAGIC):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in archive.namelist():
                    with archive.open(name) as member:
                        yield from member
        elif data.startswith(SNAPPY_FRAMED_MAGIC):
            raise UnreadableObjectError("Snappy-compressed: verify reads GZIP, ZIP and uncompressed objects only")
        else:
            yield from io.BytesIO(data)
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
        raise UnreadableObjectError(f"cannot decompress: {exc}") from None
    except ImportError as exc:
        raise UnreadableObjectError(f"a Parquet object, and {exc.name} is not installed: pip install pyarrow") from None


def _parquet_lines(data: bytes) -> Iterator[bytes]:
    try:
        yield from parquet_lines(data, (*FIELDS, PROVENANCE_KEY))
    except ValueError as exc:  # pyarrow's ArrowInvalid: a corrupt or truncated file
        raise UnreadableObjectError(f"cannot read Parquet: {exc}") from None


def split_pieces(lines: Iterable[bytes]) -> Iterator[Piece]:
    """JSON objects one after the other, whether separated by newlines, other whitespace or nothing."""
    for line in lines:
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            if line.strip():
                yield Piece(line, is_object=False)
            continue
        position, end = 0, len(text)
        while True:
            while position < end and text[position] in _WHITESPACE:
                position += 1
            if position >= end:
                break
            stop = _object_end(text, position)
            if stop is None:
                yield Piece(text[position:].rstrip(_WHITESPACE).encode("utf-8"), is_object=False)
                break
            yield Piece(text[position:stop].encode("utf-8"), is_object=True)
            position = stop


def _object_end(text: str, position: int) -> int | None:
    """Where the JSON object starting at `position` ends, or None when no object starts there (a CSV line
    starting with a year must not count as the number 2018 followed by garbage)."""
    if text[position] != "{":
        return None
    try:
        _, stop = _DECODER.raw_decode(text, position)
    except json.JSONDecodeError:
        return None
    return stop


def decode_pieces(lines: Iterable[bytes]) -> Iterator[Provenance | None]:
    """The provenance of each record of ours, None for each foreign piece.

    A line usually holds exactly one record, so it is decoded whole first; only a line that is not one record
    is split, which keeps the common case at one JSON parse per record."""
    for line in lines:
        if not line.strip():
            continue
        try:
            yield decode_record(line)[1]
            continue
        except RecordDecodeError:
            pass
        for piece in split_pieces([line]):
            yield _provenance(piece)


def _provenance(piece: Piece) -> Provenance | None:
    if not piece.is_object:
        return None
    try:
        return decode_record(piece.data)[1]
    except RecordDecodeError:
        return None
