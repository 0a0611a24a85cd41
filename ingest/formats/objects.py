"""From a stored object's bytes to raw records: undo compression, pick the format, decode."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from ingest.formats.base import DEFAULT_CHUNK_SIZE, MalformedRecord, RawRecord, StoredObject
from ingest.formats.compression import decompressed
from ingest.formats.registry import AUTO, detect_format, get_format


def read_object(
    stream: BinaryIO,
    obj: StoredObject,
    *,
    format_name: str = AUTO,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[RawRecord | MalformedRecord]:
    """Records of `obj` read lazily from `stream` (the bytes as stored).

    The format is resolved and the compression sniffed on the call itself, so UnknownFormatError (and a
    FormatError for a contradicted gzip declaration) arrives before any record; decoding errors arrive as
    FormatError while iterating, after the records that could be read.
    """
    reader = get_format(detect_format(obj) if format_name == AUTO else format_name)
    return reader(decompressed(stream, obj), chunk_size=chunk_size)
