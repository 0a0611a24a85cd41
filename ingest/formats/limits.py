"""Bounds that keep one hostile record from exhausting memory or flooding the dead-letter file."""

from __future__ import annotations

MAX_RECORD_BYTES = 8 * 1024 * 1024
"""Largest encoded record a reader builds (Kinesis takes 1 MiB, so such a record is rejected later anyway)."""
MAX_NESTING = 64
"""Deepest nesting of arrays/objects inside one record; price records are flat."""
PREVIEW_CHARS = 1000
"""How much of a malformed record is kept as `MalformedRecord.raw`."""


def preview(text: str) -> str:
    """`text`, cut to PREVIEW_CHARS with a visible marker when it was longer."""
    if len(text) <= PREVIEW_CHARS:
        return text
    return f"{text[:PREVIEW_CHARS]}... ({len(text) - PREVIEW_CHARS} more characters)"
