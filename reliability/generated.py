"""Corpus files too large to commit, written at run time: bombs and records over Kinesis' 1 MiB limit.

Each generator streams its file to disk, so writing one costs no more memory than the largest single piece.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from pathlib import Path

from ingest.formats.limits import MAX_RECORD_BYTES
from ingest.sample import generate_records

MIB = 1024 * 1024
BOMB_BYTES = 128 * MIB
"""What the gzip bomb would expand to: 128 MiB of blanks inside a JSON array, about 1000x its compressed size."""
OVER_KINESIS_LIMIT = 2 * MIB
"""Size of the oversized values: twice the 1 MiB a Kinesis record may hold."""

Generator = Callable[[Path], None]


def _records(count: int) -> list[dict[str, float | int]]:
    return list(generate_records(count))


def _json_text(record: object) -> bytes:
    return json.dumps(record).encode("ascii")


def gzip_bomb(path: Path) -> None:
    """Two good records, then BOMB_BYTES of blanks in which no record ever ends (gzip member, level 9)."""
    first, second = _records(2)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as out:
        out.write(compressor.compress(b"[" + _json_text(first) + b",\n" + _json_text(second) + b",\n"))
        blanks = b" " * MIB
        for _ in range(BOMB_BYTES // MIB):
            out.write(compressor.compress(blanks))
        out.write(compressor.compress(_json_text(first) + b"]\n"))
        out.write(compressor.flush())


def gzip_truncated(path: Path) -> None:
    """2,000 JSON Lines records, gzipped, with the upload cut off after the first 1,000: the compressor is
    flushed there, so exactly those 1,000 lines are intact whatever zlib build wrote the file."""
    lines = [_json_text(record) + b"\n" for record in _records(2000)]
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as out:
        out.write(compressor.compress(b"".join(lines[:1000])))
        out.write(compressor.flush(zlib.Z_FULL_FLUSH))


def records_over_kinesis_limit(path: Path) -> None:
    """A JSON array with two records over 1 MiB as read, and good records around them:

    - a 2 MiB extra field: validation drops it, so the record is published at its normal size;
    - an element larger than the reader's MAX_RECORD_BYTES: skipped without being built, rejected.
    """
    good = _records(4)
    long_comment = {**good[1], "comment": "x" * OVER_KINESIS_LIMIT}
    with path.open("wb") as out:
        out.write(b"[\n" + _json_text(good[0]) + b",\n")
        out.write(_json_text(long_comment) + b",\n")
        out.write(_json_text(good[2]) + b",\n")
        out.write(_with_raw(good[3], "padding", b'"' + b"y" * (MAX_RECORD_BYTES + MIB) + b'"') + b",\n")
        out.write(_json_text(good[0]) + b"\n]\n")


def long_numbers_in_lines(path: Path) -> None:
    """JSON Lines with numbers too long to be prices, between good lines:

    - an integer of 5,000 digits, more than Python converts (its line is rejected);
    - a 2 MiB string of digits as a price: too large for a float, rejected naming the field;
    - a price written with 2 MiB of trailing zeros: the same float once validated, published at normal size.
    """
    good = _records(5)
    with path.open("wb") as out:
        out.write(_json_text(good[0]) + b"\n")
        out.write(_with_raw(good[1], "high", b"1" + b"0" * 4999) + b"\n")
        out.write(_with_raw(good[2], "high", b'"1' + b"0" * OVER_KINESIS_LIMIT + b'"') + b"\n")
        out.write(_with_raw(good[3], "volume", b'"16429.5' + b"0" * OVER_KINESIS_LIMIT + b'"') + b"\n")
        out.write(_json_text(good[4]) + b"\n")


def long_integer_across_buffers(path: Path) -> None:
    """A JSON array whose second record holds a 5,000-digit integer straddling ijson's 64 KiB read buffer:
    what crashed the process (SIGSEGV in ijson's C backend) before the reader refused such numbers."""
    good = _records(3)
    padding = b'"' + b"p" * 65_000 + b'"'
    with path.open("wb") as out:
        out.write(b"[\n" + _json_text(good[0]) + b",\n")
        out.write(_with_raw(good[1], "padding", padding)[:-1] + b', "volume2": 1' + b"0" * 4999 + b"},\n")
        out.write(_json_text(good[2]) + b"\n]\n")


def line_over_record_limit(path: Path) -> None:
    """JSON Lines with one line longer than MAX_RECORD_BYTES between two good ones."""
    first, second, third = _records(3)
    with path.open("wb") as out:
        out.write(_json_text(first) + b"\n")
        out.write(_with_raw(second, "padding", b'"' + b"z" * (MAX_RECORD_BYTES + MIB) + b'"') + b"\n")
        out.write(_json_text(third) + b"\n")


def _with_raw(record: dict[str, float | int], name: str, raw: bytes) -> bytes:
    """`record` as JSON text with field `name` set to the raw JSON `raw` (which json.dumps could not write)."""
    parts = [f'"{key}": '.encode() + _json_text(value) for key, value in record.items() if key != name]
    parts.append(f'"{name}": '.encode() + raw)
    return b"{" + b", ".join(parts) + b"}"


GENERATORS: dict[str, Generator] = {
    "gzip_bomb": gzip_bomb,
    "gzip_truncated": gzip_truncated,
    "records_over_kinesis_limit": records_over_kinesis_limit,
    "line_over_record_limit": line_over_record_limit,
    "long_numbers_in_lines": long_numbers_in_lines,
    "long_integer_across_buffers": long_integer_across_buffers,
}
