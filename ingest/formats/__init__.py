"""How records are encoded in an object: JSON array, JSON Lines, CSV, XML or text, optionally gzipped.

`read_object(stream, obj)` undoes gzip (bounded), picks the format (`detect_format`, or the one named) and
yields raw records. Each built-in format lives in its own module and registers itself on import; importing
this package imports them all.
"""

from ingest.formats import csv_format, json_array, jsonl, text, xml_format  # noqa: F401  (for their registrations)
from ingest.formats.base import DEFAULT_CHUNK_SIZE, FormatReader, MalformedRecord, RawRecord
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
    "UndetectableFormatError",
    "detect_format",
    "format_names",
    "get_format",
    "read_object",
    "register_format",
]
