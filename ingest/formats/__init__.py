"""Stage layer of `ingest`, the format (beside sources, records, publishing, sample): bytes to raw records.

JSON array, JSON Lines, CSV, XML, and `text` (JSON Lines in a `.txt` / `text/plain` object), optionally gzipped;
more through plugins.

`read_object(stream, obj)` undoes gzip (bounded), picks the format (`detect_format`, or the one named) and
yields raw records. Each built-in format lives in its own module and registers itself when the registry first
needs it (`ingest.formats.registry`). Formats never import sources: they read any object that satisfies
`StoredObject`.
"""

from ingest.formats.base import DEFAULT_CHUNK_SIZE, FormatReader, MalformedRecord, RawRecord, StoredObject
from ingest.formats.compression import DEFAULT_LIMITS, DecompressionLimits
from ingest.formats.objects import read_object
from ingest.formats.registry import (
    AUTO,
    ENTRY_POINT_GROUP,
    UndetectableFormatError,
    detect_format,
    format_names,
    get_format,
    register_format,
)

__all__ = [
    "AUTO",
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_LIMITS",
    "ENTRY_POINT_GROUP",
    "DecompressionLimits",
    "FormatReader",
    "MalformedRecord",
    "RawRecord",
    "StoredObject",
    "UndetectableFormatError",
    "detect_format",
    "format_names",
    "get_format",
    "read_object",
    "register_format",
]
