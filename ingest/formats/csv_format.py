"""CSV with a header row (`.csv`, `text/csv`): each later row is a record keyed by the header's names.

Values stay strings (validation converts numeric ones); quoting follows the csv module's defaults, so quoted
commas and line breaks are fine. A row with more or fewer cells than the header is a MalformedRecord; blank
lines are skipped. Positions are physical line numbers ("line 2" is the first row after the header). A file
that is not UTF-8 or that the csv module cannot tokenise is rejected as a whole: after a decoding error the
row boundaries that follow are not trustworthy.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import BinaryIO

from ingest.errors import FormatError
from ingest.formats.base import DEFAULT_CHUNK_SIZE, MalformedRecord, RawRecord
from ingest.formats.byte_reading import utf8_body
from ingest.formats.limits import preview
from ingest.formats.registry import register_format


def read_csv(stream: BinaryIO, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[RawRecord | MalformedRecord]:
    """`chunk_size` is accepted for the reader protocol; the text layer reads 8 KiB at a time on its own."""
    text = io.TextIOWrapper(utf8_body(stream), encoding="utf-8", newline="")
    rows = csv.reader(text)
    try:
        header = _header(rows)
        index = 0
        for row in rows:
            if not row:
                continue
            yield _record(index, f"line {rows.line_num}", header, row)
            index += 1
    except UnicodeDecodeError as exc:
        raise FormatError(f"not UTF-8 near line {rows.line_num + 1}: {exc.reason}") from exc
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


def _record(index: int, position: str, header: list[str], row: list[str]) -> RawRecord | MalformedRecord:
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
