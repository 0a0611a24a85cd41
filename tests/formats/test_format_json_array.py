"""The JSON array reader on bad input: each decision of `ingest.formats.json_array` pinned down."""

from __future__ import annotations

import io
import json
import math

import pytest

from ingest.errors import FormatError
from ingest.formats import MalformedRecord, RawRecord, json_array
from ingest.formats.json_array import read_json_array


def _read(data: bytes) -> list:
    return list(read_json_array(io.BytesIO(data)))


def _read_until_error(data: bytes) -> tuple[list, FormatError]:
    read: list = []
    with pytest.raises(FormatError) as caught:
        read.extend(read_json_array(io.BytesIO(data)))
    return read, caught.value


def test_positions_are_one_based_and_indexes_zero_based() -> None:
    assert _read(b'[{"a": 1}, {"a": 2}]') == [
        RawRecord(0, "record 1", {"a": 1}),
        RawRecord(1, "record 2", {"a": 2}),
    ]


def test_numbers_are_floats_or_ints_never_decimals() -> None:
    [record] = _read(b'[{"date": 1514764800, "high": 755.1, "low": 1e-7, "big": 123456789012345678901234567890}]')
    assert record.value == {
        "date": 1514764800,
        "high": 755.1,
        "low": 1e-7,
        "big": 123456789012345678901234567890,
    }
    assert [type(value) for value in record.value.values()] == [int, float, float, int]


def test_a_number_too_large_for_a_float_becomes_infinity_for_validation_and_reading_goes_on() -> None:
    read = _read(b'[{"high": 1e400}, {"high": 2.0}]')
    assert math.isinf(read[0].value["high"])
    assert read[1].value == {"high": 2.0}


@pytest.mark.parametrize(
    ("document", "found"),
    [(b'{"date": 1}', "an object"), (b'"text"', "a string"), (b"42", "a number"), (b"null", "null")],
)
def test_the_top_level_must_be_an_array(document: bytes, found: str) -> None:
    with pytest.raises(FormatError, match=f"expected a JSON array at the top level, found {found}"):
        _read(document)


def test_truncated_json_keeps_the_earlier_records() -> None:
    read, error = _read_until_error(b'[{"a": 1}, {"a": 2}, {"a": 3, "b": ')
    assert [record.value for record in read] == [{"a": 1}, {"a": 2}]
    assert str(error) == "truncated inside record 3: the data ends before the array is closed"


@pytest.mark.parametrize("token", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_not_json_and_stop_the_object_at_their_record(token: bytes) -> None:
    read, error = _read_until_error(b'[{"a": 1}, {"a": ' + token + b'}, {"a": 3}]')
    assert [record.value for record in read] == [{"a": 1}]
    assert str(error).startswith("invalid JSON inside record 2: ")


def test_a_duplicate_key_makes_the_record_malformed_and_shows_both_values() -> None:
    read = _read(b'[{"high": 1.0, "high": 2.0}, {"high": 3.0}]')
    assert read[0] == MalformedRecord(0, "record 1", '{"high": 1.0, "high": 2.0}', "duplicate key 'high'")
    assert read[1] == RawRecord(1, "record 2", {"high": 3.0})


def test_a_duplicate_key_in_a_nested_object_is_found_too() -> None:
    [record] = _read(b'[{"a": {"b": 1, "b": 1}}]')
    assert isinstance(record, MalformedRecord)
    assert record.reason == "duplicate key 'b'"


def test_deep_nesting_is_skipped_without_being_built_and_reading_goes_on() -> None:
    depth = 100_000
    read = _read(b"[" + b"[" * depth + b"]" * depth + b', {"a": 1}]')
    assert read[0] == MalformedRecord(0, "record 1", "", f"nested deeper than {json_array.MAX_NESTING} levels")
    assert read[1] == RawRecord(1, "record 2", {"a": 1})


def test_an_oversized_record_is_skipped_and_reading_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_array, "MAX_RECORD_BYTES", 100_000)
    huge = json.dumps({"values": list(range(100_000))}).encode()
    read = list(read_json_array(io.BytesIO(b"[" + huge + b', {"a": 1}]'), chunk_size=1024))
    assert read[0] == MalformedRecord(0, "record 1", "", "larger than 100000 bytes")
    assert read[1] == RawRecord(1, "record 2", {"a": 1})


def test_a_utf8_bom_is_accepted() -> None:
    assert _read(b'\xef\xbb\xbf[{"a": 1}]') == [RawRecord(0, "record 1", {"a": 1})]


def test_crlf_line_breaks_are_whitespace() -> None:
    assert _read(b'[\r\n{"a": 1},\r\n{"a": 2}\r\n]\r\n') == [
        RawRecord(0, "record 1", {"a": 1}),
        RawRecord(1, "record 2", {"a": 2}),
    ]


def test_utf16_is_refused_by_its_bom() -> None:
    with pytest.raises(FormatError, match="encoded as UTF-16"):
        _read('[{"a": 1}]'.encode("utf-16"))


def test_non_utf8_bytes_stop_the_object_at_their_record() -> None:
    read, error = _read_until_error(b'[{"a": "ok"}, {"a": "caf\xe9"}]')
    assert [record.value for record in read] == [{"a": "ok"}]
    assert "inside record 2" in str(error)
    assert "UTF8" in str(error)


def test_a_nul_byte_stops_the_object() -> None:
    read, error = _read_until_error(b'[{"a": 1}, {"a": "x\x00y"}]')
    assert len(read) == 1
    assert "inside record 2" in str(error)


def test_data_after_the_array_is_an_error_after_its_records() -> None:
    read, error = _read_until_error(b'[{"a": 1}] [{"a": 2}]')
    assert len(read) == 1
    assert str(error) == "unexpected data after the array's closing bracket"


@pytest.mark.parametrize("document", [b"", b"  \n"])
def test_an_empty_object_is_not_a_json_array(document: bytes) -> None:
    with pytest.raises(FormatError, match="empty: expected a JSON array"):
        _read(document)


def test_an_empty_array_has_no_records() -> None:
    assert _read(b"[]") == []


def test_scalar_elements_are_passed_on_for_validation_to_reject() -> None:
    assert _read(b'[1, "x", null]') == [
        RawRecord(0, "record 1", 1),
        RawRecord(1, "record 2", "x"),
        RawRecord(2, "record 3", None),
    ]
