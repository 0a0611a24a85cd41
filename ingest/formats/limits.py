"""Bounds that keep one hostile record from exhausting memory or flooding the dead-letter file."""

from __future__ import annotations

MAX_RECORD_BYTES = 8 * 1024 * 1024
"""Largest encoded record a reader builds (Kinesis takes 1 MiB, so such a record is rejected later anyway)."""
MAX_NESTING = 64
"""Deepest nesting of arrays/objects inside one record; price records are flat."""
MAX_NUMBER_DIGITS = 4300
"""Longest run of digits a JSON array may hold: CPython's default `sys.get_int_max_str_digits()`. Python refuses to
convert a longer integer (ValueError), and ijson's C backend (3.6) crashes the process with SIGSEGV when that
refusal meets an integer literal straddling two of its read buffers, so longer runs are refused before parsing."""
PREVIEW_CHARS = 1000
"""How much of a malformed record is kept as `MalformedRecord.raw`."""


def preview(text: str) -> str:
    """`text`, cut to PREVIEW_CHARS with a visible marker when it was longer."""
    if len(text) <= PREVIEW_CHARS:
        return text
    return f"{text[:PREVIEW_CHARS]}... ({len(text) - PREVIEW_CHARS} more characters)"
