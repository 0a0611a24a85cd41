"""JSON Lines and text: a bad line is rejected alone and the next line is read."""

from __future__ import annotations

import io
import math

import pytest

from ingest.errors import FormatError
from ingest.formats import MalformedRecord, RawRecord, get_format, jsonl

LINE_FORMATS = ["jsonl", "text"]


def _read(name: str, data: bytes, chunk_size: int = 64 * 1024) -> list:
    return list(get_format(name)(io.BytesIO(data), chunk_size=chunk_size))


@pytest.mark.parametrize("name", LINE_FORMATS)
def test_a_bad_line_is_malformed_and_the_next_lines_are_read(name: str) -> None:
    read = _read(name, b'{"a": 1}\n{"a": \n{"a": 3}\n')
    assert read == [
        RawRecord(0, "line 1", {"a": 1}),
        MalformedRecord(1, "line 2", '{"a": ', "invalid JSON: Expecting value at column 7"),
        RawRecord(2, "line 3", {"a": 3}),
    ]


@pytest.mark.parametrize("name", LINE_FORMATS)
@pytest.mark.parametrize("chunk_size", [1, 3, 4096])
def test_crlf_bom_and_blank_lines(name: str, chunk_size: int) -> None:
    data = b'\xef\xbb\xbf{"a": 1}\r\n\r\n  \r\n{"a": 2}\r\n{"a": 3}'
    assert _read(name, data, chunk_size) == [
        RawRecord(0, "line 1", {"a": 1}),
        RawRecord(1, "line 4", {"a": 2}),
        RawRecord(2, "line 5", {"a": 3}),
    ]


@pytest.mark.parametrize("name", LINE_FORMATS)
def test_a_non_utf8_line_is_malformed_alone(name: str) -> None:
    read = _read(name, b'{"a": "caf\xe9"}\n{"a": 2}\n')
    assert read[0] == MalformedRecord(0, "line 1", '{"a": "caf\\xe9"}', "not UTF-8: byte 0xe9 at byte 11 of the line")
    assert read[1] == RawRecord(1, "line 2", {"a": 2})


@pytest.mark.parametrize("name", LINE_FORMATS)
def test_utf16_is_refused_as_a_whole(name: str) -> None:
    with pytest.raises(FormatError, match="encoded as UTF-16"):
        _read(name, '{"a": 1}\n'.encode("utf-16"))


@pytest.mark.parametrize("name", LINE_FORMATS)
def test_a_nul_byte_makes_its_line_malformed(name: str) -> None:
    read = _read(name, b'{"a": 1}\x00\n{"a": 2}\n')
    assert isinstance(read[0], MalformedRecord)
    assert read[0].reason.startswith("invalid JSON")
    assert read[1] == RawRecord(1, "line 2", {"a": 2})


@pytest.mark.parametrize("name", LINE_FORMATS)
def test_a_duplicate_key_makes_its_line_malformed(name: str) -> None:
    read = _read(name, b'{"high": 1, "high": 2}\n')
    assert read == [MalformedRecord(0, "line 1", '{"high": 1, "high": 2}', "duplicate key 'high'")]


@pytest.mark.parametrize("name", LINE_FORMATS)
def test_deep_nesting_makes_its_line_malformed(name: str) -> None:
    read = _read(name, b"[" * 100_000 + b"]" * 100_000 + b'\n{"a": 1}\n')
    assert read[0].reason == "nested too deeply"
    assert len(read[0].raw) < 1100
    assert read[1] == RawRecord(1, "line 2", {"a": 1})


@pytest.mark.parametrize("name", LINE_FORMATS)
def test_an_over_long_line_is_dropped_as_it_arrives(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl, "MAX_RECORD_BYTES", 1000)
    read = _read(name, b'{"a": "' + b"x" * 5000 + b'"}\n{"a": 2}\n' + b"y" * 5000, chunk_size=256)
    assert read == [
        MalformedRecord(0, "line 1", "", "line longer than 1000 bytes"),
        RawRecord(1, "line 2", {"a": 2}),
        MalformedRecord(2, "line 3", "", "line longer than 1000 bytes"),
    ]


@pytest.mark.parametrize("name", LINE_FORMATS)
def test_nan_and_infinity_reach_validation_as_floats(name: str) -> None:
    [record] = _read(name, b'{"high": NaN, "low": -Infinity, "open": 1e400}\n')
    assert math.isnan(record.value["high"])
    assert record.value["low"] == record.value["open"] * -1 == -math.inf


@pytest.mark.parametrize("name", LINE_FORMATS)
def test_an_empty_object_has_no_records(name: str) -> None:
    assert _read(name, b"") == []
