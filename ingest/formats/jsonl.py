"""JSON Lines (`.jsonl`, `.ndjson`): one JSON value per line, each line decoded on its own.

A line is the unit of failure: a line that is not UTF-8, not JSON, has a duplicate key, nests too deeply, holds
an integer longer than Python converts or is longer than MAX_RECORD_BYTES becomes a MalformedRecord and the next
line is read. Blank lines are skipped (a trailing newline, a CRLF file's empty last line); a UTF-8 byte-order
mark and CR before LF are accepted.
`NaN`/`Infinity`, which Python's json module accepts, are passed on as floats so that validation rejects them
naming the field.

Speed: a plainly clean line (a flat object, ASCII, no escapes, short enough that no integer can reach Python's
4,300-digit limit, no duplicate key) is decoded by msgspec, which gives what `json.loads` gives for it; any other
line goes through `json.loads` as described above.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

import msgspec

from ingest.formats.base import DEFAULT_CHUNK_SIZE, MalformedRecord, RawRecord
from ingest.formats.byte_reading import numbered_lines, utf8_body
from ingest.formats.limits import MAX_RECORD_BYTES, preview
from ingest.formats.registry import register_format

_DECODE = msgspec.json.Decoder().decode
_PLAIN_LINE_BYTES = 4000
"""Longest line the fast path takes: below the smallest integer Python's int() limit refuses (4,301 digits)."""


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"duplicate key {key!r}")


def read_json_lines(stream: BinaryIO, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[RawRecord | MalformedRecord]:
    index = 0
    body = utf8_body(stream)
    for number, line in numbered_lines(body, chunk_size=chunk_size, max_line_bytes=MAX_RECORD_BYTES):
        if line is not None and not line.strip():
            continue
        yield _decode(index, f"line {number}", line)
        index += 1


def _decode(index: int, position: str, line: bytes | None) -> RawRecord | MalformedRecord:
    if line is None:
        return MalformedRecord(index, position, "", f"line longer than {MAX_RECORD_BYTES} bytes")
    line = line.removesuffix(b"\r")
    value = _plain_object(line)
    if value is not None:
        return RawRecord(index, position, value)
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raw = preview(line.decode("utf-8", "backslashreplace"))
        reason = f"not UTF-8: byte 0x{line[exc.start]:02x} at byte {exc.start + 1} of the line"
        return MalformedRecord(index, position, raw, reason)
    try:
        return RawRecord(index, position, json.loads(text, object_pairs_hook=_unique_keys))
    except _DuplicateKeyError as exc:
        return MalformedRecord(index, position, preview(text), str(exc))
    except json.JSONDecodeError as exc:
        return MalformedRecord(index, position, preview(text), f"invalid JSON: {exc.msg} at column {exc.colno}")
    except ValueError as exc:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        return MalformedRecord(index, position, preview(text), f"invalid JSON: {exc}")
    except RecursionError:
        return MalformedRecord(index, position, preview(text), "nested too deeply")


# Complexity C (radon) kept on purpose: the fast path's guards, each a cheap way to say "not plain"; in one place
# they read as the one proof that the general path is not needed.
def _plain_object(line: bytes) -> dict[str, Any] | None:
    """The object on a plainly clean line (see the module docs), or None to take the general path."""
    if len(line) > _PLAIN_LINE_BYTES or not line.isascii() or b"\\" in line or line.count(b"{") != 1 or b"[" in line:
        return None
    try:
        value = _DECODE(line)
    except msgspec.DecodeError:
        return None
    if type(value) is not dict:
        return None
    quotes = line.count(b'"')
    if quotes != 2 * len(value) and quotes != 2 * (len(value) + sum(type(item) is str for item in value.values())):
        return None  # a duplicate key: the general path names it
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, value in pairs:
        if key in fields:
            raise _DuplicateKeyError(key)
        fields[key] = value
    return fields


register_format(
    "jsonl",
    read_json_lines,
    extensions=(".jsonl", ".ndjson"),
    content_types=("application/jsonl", "application/x-ndjson", "application/x-jsonlines"),
)
