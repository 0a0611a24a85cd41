"""CSV with a header row (`.csv`, `text/csv`): each later row is a record keyed by the header's names.

Values stay strings (validation converts numeric ones); quoting follows the csv module's defaults, so quoted
commas and line breaks are fine. A row with more or fewer cells than the header is a MalformedRecord; blank
lines are skipped. Positions are physical line numbers ("line 2" is the first row after the header).

Lines are decoded one at a time, so a byte that is not UTF-8 costs only the row it is in (a MalformedRecord naming
the byte and its line) and the rows around it are still read: UTF-8 never puts a newline byte inside a multi-byte
character, so row boundaries stay trustworthy. A header that is not UTF-8, or a file the csv module cannot
tokenise, is rejected as a whole.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from ingest.errors import FormatError
from ingest.formats.base import DEFAULT_CHUNK_SIZE, MalformedRecord, RawRecord
from ingest.formats.byte_reading import numbered_lines, utf8_body
from ingest.formats.limits import MAX_RECORD_BYTES, preview
from ingest.formats.registry import register_format

_UNDECODABLE = re.compile("[\udc80-\udcff]")
"""What `surrogateescape` turns a byte that is not UTF-8 into: one lone surrogate per byte."""


class _Lines:
    """The object's lines as text for the csv module, each decoded on its own; remembers the first byte of each
    line that is not UTF-8, by line number, so the row holding it can say where it is."""

    def __init__(self, stream: BinaryIO, chunk_size: int) -> None:
        self._lines = numbered_lines(stream, chunk_size=chunk_size, max_line_bytes=MAX_RECORD_BYTES)
        self.bad_bytes: dict[int, str] = {}

    def __iter__(self) -> Iterator[str]:
        for number, line in self._lines:
            if line is None:
                raise FormatError(f"line {number} is longer than {MAX_RECORD_BYTES} bytes")
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.bad_bytes[number] = f"byte 0x{line[exc.start]:02x} at byte {exc.start + 1} of line {number}"
                text = line.decode("utf-8", "surrogateescape")
            yield text + "\n"


def read_csv(stream: BinaryIO, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[RawRecord | MalformedRecord]:
    lines = _Lines(utf8_body(stream), chunk_size)
    rows = csv.reader(lines)
    try:
        header = _header(rows)
        if _UNDECODABLE.search(",".join(header)):
            raise FormatError(f"the header is not UTF-8 ({next(iter(lines.bad_bytes.values()))})")
        index = 0
        first_line = rows.line_num + 1
        for row in rows:
            if row:
                yield _record(index, rows.line_num, header, row, lines.bad_bytes, first_line)
                index += 1
            first_line = rows.line_num + 1
    except csv.Error as exc:
        raise FormatError(f"unreadable CSV at line {rows.line_num}: {exc}") from exc


def _header(rows: Iterator[list[str]]) -> list[str]:
    for row in rows:
        if not row:
            continue
        names = [name.strip() for name in row]
        if "" in names:
            raise FormatError(f"header column {names.index('') + 1} has no name")
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise FormatError(f"header names column {duplicates[0]!r} more than once")
        return names
    return []


def _record(
    index: int, line: int, header: list[str], row: list[str], bad_bytes: dict[int, str], first_line: int
) -> RawRecord | MalformedRecord:
    position = f"line {line}"
    if any(_UNDECODABLE.search(cell) for cell in row):
        where = next(bad_bytes[number] for number in range(first_line, line + 1) if number in bad_bytes)
        raw = _as_csv(row).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        return MalformedRecord(index, position, preview(raw), f"not UTF-8: {where}")
    if len(row) != len(header):
        reason = f"{_columns(len(row))} where the header has {_columns(len(header))}"
        return MalformedRecord(index, position, preview(_as_csv(row)), reason)
    return RawRecord(index, position, dict(zip(header, row, strict=True)))


def _columns(count: int) -> str:
    return f"{count} column" if count == 1 else f"{count} columns"


def _as_csv(row: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(row)
    return out.getvalue()


register_format("csv", read_csv, extensions=(".csv",), content_types=("text/csv",))
