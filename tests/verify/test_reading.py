"""Turning one delivered object into records: compression by magic bytes, delimiters, foreign lines."""

from __future__ import annotations

import gzip

import pytest

from ingest.verify.reading import (
    SNAPPY_FRAMED_MAGIC,
    UnreadableObjectError,
    decode_pieces,
    iter_lines,
    split_pieces,
)
from tests.verify.builders import A, concatenated, gzipped, newline_delimited, records, zipped


def _indices(data: bytes) -> list[int | None]:
    return [p.index if p else None for p in decode_pieces(iter_lines(data))]


@pytest.mark.parametrize(
    "wrap",
    [lambda d: d, gzipped, zipped, lambda d: gzipped(d[:40]) + gzipped(d[40:])],
    ids=["plain", "gzip", "zip", "gzip-members"],
)
def test_compression_is_recognised_by_content_not_by_name(wrap):
    data = newline_delimited(records(A, range(5)))
    assert _indices(wrap(data)) == [0, 1, 2, 3, 4]


def test_records_concatenated_without_a_delimiter_are_split():
    assert _indices(concatenated(records(A, range(4)))) == [0, 1, 2, 3]


def test_whitespace_between_records_is_tolerated():
    first, second, third = records(A, range(3))
    data = b"\n\n  " + first + b" \t" + second + b"\r\n\r\n" + third + b"   "
    assert _indices(data) == [0, 1, 2]


def test_lines_of_other_producers_are_foreign_not_errors():
    ours = records(A, range(2))
    data = newline_delimited(
        [
            ours[0],
            b'{"ticker": "BTC", "price": 1}',  # JSON, but not a record of ours
            b"2018-01-01,755.5,748.25",  # not JSON at all
            b"\xff\xfe binary \x00",  # not UTF-8
            b"[1, 2, 3]",
            ours[1],
        ]
    )
    assert _indices(data) == [0, None, None, None, None, 1]


def test_trailing_garbage_after_a_record_is_one_foreign_piece():
    (ours,) = records(A, [7])
    pieces = list(split_pieces([ours + b"garbage that is not json\n"]))
    assert [(piece.is_object, piece.data) for piece in pieces] == [(True, ours), (False, b"garbage that is not json")]


def test_a_record_of_ours_with_a_broken_provenance_is_foreign():
    (ours,) = records(A, [1])
    broken = ours.replace(b'"index":1', b'"index":-1')
    assert _indices(newline_delimited([broken])) == [None]


def test_corrupt_gzip_is_unreadable():
    data = gzipped(newline_delimited(records(A, range(50))))
    with pytest.raises(UnreadableObjectError, match="cannot decompress"):
        list(iter_lines(data[: len(data) // 2]))


def test_snappy_is_reported_as_unsupported_rather_than_read_as_garbage():
    with pytest.raises(UnreadableObjectError, match="Snappy"):
        list(iter_lines(SNAPPY_FRAMED_MAGIC + b"\x00" * 20))


def test_lines_stream_from_gzip_without_holding_the_decompressed_object():
    data = gzip.compress(b"x\n" * 10)
    lines = iter_lines(data)
    assert next(lines) == b"x\n"
