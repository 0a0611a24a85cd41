"""CSV with a header row: column mismatches per row, quoting, encodings."""

from __future__ import annotations

import io

import pytest

from ingest.errors import FormatError
from ingest.formats import MalformedRecord, RawRecord
from ingest.formats.csv_format import read_csv


def _read(data: bytes, chunk_size: int = 64 * 1024) -> list:
    return list(read_csv(io.BytesIO(data), chunk_size=chunk_size))


def test_rows_become_records_of_strings_keyed_by_the_header() -> None:
    assert _read(b"date,high\n1514764800,755.5\n") == [RawRecord(0, "line 2", {"date": "1514764800", "high": "755.5"})]


def test_missing_and_extra_columns_make_their_row_malformed() -> None:
    read = _read(b"date,high,low\n1,2,3\n1,2\n1,2,3,4\n5,6,7\n")
    assert read == [
        RawRecord(0, "line 2", {"date": "1", "high": "2", "low": "3"}),
        MalformedRecord(1, "line 3", "1,2", "2 columns where the header has 3 columns"),
        MalformedRecord(2, "line 4", "1,2,3,4", "4 columns where the header has 3 columns"),
        RawRecord(3, "line 5", {"date": "5", "high": "6", "low": "7"}),
    ]


def test_quoted_commas_quotes_and_line_breaks_stay_in_their_value() -> None:
    [record] = _read(b'name,note\n"a, b","say ""hi""\nthen go"\n')
    assert record.value == {"name": "a, b", "note": 'say "hi"\nthen go'}
    assert record.position == "line 3"


@pytest.mark.parametrize("chunk_size", [1, 5, 4096])
def test_bom_crlf_and_blank_lines(chunk_size: int) -> None:
    read = _read(b"\xef\xbb\xbfdate, high\r\n1,2\r\n\r\n3,4\r\n", chunk_size)
    assert [record.value for record in read] == [{"date": "1", "high": "2"}, {"date": "3", "high": "4"}]


@pytest.mark.parametrize("chunk_size", [1, 7, 4096])
def test_a_byte_that_is_not_utf8_costs_only_its_row_and_names_its_line(chunk_size: int) -> None:
    read = _read(b'name,n\nok,1\ncaf\xe9,2\n"multi\nline\xff",3\nalso ok,4\n', chunk_size)
    assert [isinstance(record, MalformedRecord) for record in read] == [False, True, True, False]
    assert isinstance(read[1], MalformedRecord) and isinstance(read[2], MalformedRecord)
    assert (read[1].position, read[1].reason) == ("line 3", "not UTF-8: byte 0xe9 at byte 4 of line 3")
    assert read[1].raw == "caf\\xe9,2"
    assert (read[2].position, read[2].reason) == ("line 5", "not UTF-8: byte 0xff at byte 5 of line 5")
    assert read[3].value == {"name": "also ok", "n": "4"}
    assert [record.index for record in read] == [0, 1, 2, 3]


def test_a_header_that_is_not_utf8_rejects_the_object() -> None:
    with pytest.raises(FormatError, match="the header is not UTF-8 \\(byte 0xe9 at byte 4 of line 1\\)"):
        _read(b"caf\xe9\n1\n")


def test_a_nul_byte_stays_in_its_value_for_validation_to_reject() -> None:
    assert _read(b"high\n1\x002\n")[0].value == {"high": "1\x002"}


@pytest.mark.parametrize(
    ("header", "message"),
    [(b"date,high,date\n", "names column 'date' more than once"), (b"date,,low\n", "column 2 has no name")],
)
def test_a_bad_header_rejects_the_object(header: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        _read(header + b"1,2,3\n")


@pytest.mark.parametrize("data", [b"", b"date,high\n", b"\n\n"])
def test_no_rows_no_records(data: bytes) -> None:
    assert _read(data) == []


def test_a_field_beyond_the_csv_modules_limit_is_a_format_error() -> None:
    with pytest.raises(FormatError, match="unreadable CSV at line"):
        _read(b'note\n"' + b"x" * 200_000 + b'"\n')
