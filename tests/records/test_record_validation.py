import dataclasses
import math
from decimal import Decimal

import pytest

from ingest.errors import RecordValidationError
from ingest.records import FIELD_SPECS, FIELDS, PriceRecord, validate_record
from ingest.records.conversions import MAX_TIMESTAMP

FLOAT_FIELDS = [spec.name for spec in FIELD_SPECS if spec.type == "float"]


def test_the_dictionary_is_defined_once():
    assert FIELDS == ("date", "high", "low", "open", "close", "volume", "quoteVolume", "weightedAverage")
    assert tuple(field.name for field in dataclasses.fields(PriceRecord)) == FIELDS
    assert all(spec.description for spec in FIELD_SPECS)


def test_valid_record_is_converted_and_extra_fields_are_dropped(valid_raw):
    expected = {**valid_raw, "volume": float(round(valid_raw["volume"]))}
    valid_raw["high"] = str(valid_raw["high"])
    valid_raw["volume"] = round(valid_raw["volume"])
    valid_raw["pair"] = "USDT_ETH"
    record = validate_record(valid_raw)
    assert record.as_dict() == expected
    assert tuple(record.as_dict()) == FIELDS
    assert type(record.date) is int
    assert all(type(getattr(record, name)) is float for name in FLOAT_FIELDS)


@pytest.mark.parametrize("value", [None, [1, 2], "a string", 42, b"{}"])
def test_a_record_must_be_a_mapping(value):
    with pytest.raises(RecordValidationError) as caught:
        validate_record(value)
    assert caught.value.field is None
    assert "expected an object" in caught.value.reason


@pytest.mark.parametrize("name", FIELDS)
def test_every_field_is_required(valid_raw, name):
    del valid_raw[name]
    with pytest.raises(RecordValidationError) as caught:
        validate_record(valid_raw)
    assert caught.value.field == name
    assert "missing" in caught.value.reason


def test_the_first_bad_field_in_dictionary_order_is_reported(valid_raw):
    valid_raw["close"] = "x"
    valid_raw["low"] = None
    with pytest.raises(RecordValidationError) as caught:
        validate_record(valid_raw)
    assert caught.value.field == "low"


def test_the_error_is_one_line_naming_field_and_value(valid_raw):
    valid_raw["quoteVolume"] = "NaN"
    with pytest.raises(RecordValidationError) as caught:
        validate_record(valid_raw)
    assert str(caught.value) == "field 'quoteVolume': not a number (got 'NaN')"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (1514764800, 1514764800),
        (0, 0),
        (MAX_TIMESTAMP, MAX_TIMESTAMP),
        (1514764800.0, 1514764800),
        (Decimal("1514764800"), 1514764800),
        (Decimal("1514764800.000"), 1514764800),
        ("1514764800", 1514764800),
        (" 1514764800\n", 1514764800),
        ("1514764800.0", 1514764800),
        ("2018-01-01T00:00:00Z", 1514764800),
        ("2018-01-01T00:00:00+00:00", 1514764800),
        ("2018-01-01 00:05:00Z", 1514765100),
        ("2018-01-01T08:00:00+08:00", 1514764800),
        ("9999-12-31T23:59:59Z", MAX_TIMESTAMP),
        ("1970-01-01T00:00:00Z", 0),
    ],
)
def test_date_accepts_unix_seconds_and_zoned_iso_strings(valid_raw, value, seconds):
    valid_raw["date"] = value
    record = validate_record(valid_raw)
    assert record.date == seconds
    assert type(record.date) is int


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (True, "boolean"),
        (False, "boolean"),
        (None, "null"),
        (1514764800.5, "fractional part"),
        ("1514764800.5", "fractional part"),
        (Decimal("1514764800.5"), "fractional part"),
        ("2018-01-01T00:00:00", "without a zone"),
        ("2018-01-01", "without a zone"),
        ("2018-01-01T00:00:00.500Z", "fractional seconds"),
        (-1, "out of range"),
        ("1969-12-31T23:59:59Z", "out of range"),
        (MAX_TIMESTAMP + 1, "out of range"),
        (10**30, "out of range"),
        (1e300, "out of range"),
        (Decimal("1e999999999"), "out of range"),
        ("1e999999999", "out of range"),
        (math.nan, "not a finite number"),
        (math.inf, "not a finite number"),
        (Decimal("Infinity"), "not a finite number"),
        ("NaN", "neither Unix seconds nor an ISO-8601"),
        ("yesterday", "neither Unix seconds nor an ISO-8601"),
        ("", "neither Unix seconds nor an ISO-8601"),
        ([1514764800], "got list"),
        ({"seconds": 1}, "got dict"),
    ],
)
def test_date_rejects(valid_raw, value, reason):
    valid_raw["date"] = value
    with pytest.raises(RecordValidationError) as caught:
        validate_record(valid_raw)
    assert caught.value.field == "date"
    assert reason in caught.value.reason


@pytest.mark.parametrize("name", FLOAT_FIELDS)
@pytest.mark.parametrize(
    ("value", "number"),
    [
        (1, 1.0),
        (752.25, 752.25),
        (-0.5, -0.5),
        ("752.25", 752.25),
        (" 752.25 ", 752.25),
        ("-3e2", -300.0),
        (".5", 0.5),
        ("7.", 7.0),
        (Decimal("752.25"), 752.25),
        (10**20, 1e20),
        (1.7976931348623157e308, 1.7976931348623157e308),
    ],
)
def test_numbers_accept_finite_numbers_and_numeric_strings(valid_raw, name, value, number):
    valid_raw[name] = value
    converted = getattr(validate_record(valid_raw), name)
    assert converted == number
    assert type(converted) is float


@pytest.mark.parametrize("name", FLOAT_FIELDS)
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (True, "boolean"),
        (False, "boolean"),
        (None, "null"),
        (math.nan, "NaN"),
        (math.inf, "not a finite number"),
        (-math.inf, "not a finite number"),
        (Decimal("NaN"), "NaN"),
        (Decimal("sNaN"), "not a finite number"),
        (Decimal("-Infinity"), "not a finite number"),
        ("NaN", "not a number"),
        ("Infinity", "not a number"),
        ("-inf", "not a number"),
        ("abc", "not a number"),
        ("", "not a number"),
        ("1_000", "not a number"),
        ("0x10", "not a number"),
        ("1,5", "not a number"),
        ("1e999", "too large for a float"),
        (10**400, "too large for a float"),
        (Decimal("1e400"), "too large for a float"),
        ([1.0], "got list"),
        ({"value": 1.0}, "got dict"),
        (1 + 2j, "got complex"),
    ],
)
def test_numbers_reject(valid_raw, name, value, reason):
    valid_raw[name] = value
    with pytest.raises(RecordValidationError) as caught:
        validate_record(valid_raw)
    assert caught.value.field == name
    assert reason in caught.value.reason
