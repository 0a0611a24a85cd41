"""The fast path of validation and encoding (`plain_values`, `RecordEncoder`) against the reference path
(`validate_record`, `encode_record`): same bytes for every record it takes, same error for every record it does
not, and it takes nothing the reference would reject or convert."""

import json
import math
import random
import struct

import pytest

from ingest.errors import RecordValidationError
from ingest.records import (
    FIELDS,
    Provenance,
    RecordEncoder,
    encode_record,
    plain_values,
    record_values,
    validate_record,
)
from ingest.records.model import PLAIN_FLOAT_RANGE
from ingest.sample import generate_records

SOURCE = "s3://tgr-hire-devops-test/crypto/01-data-ingestion/2018-01-01.json"
RUN = "0123456789abcdef0123456789abcdef"


def reference(value: object, index: int, source: str = SOURCE, run: str = RUN) -> bytes:
    return encode_record(validate_record(value), Provenance(source, run, index))


def random_double(rng: random.Random) -> float:
    while True:
        number = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
        if math.isfinite(number):
            return number


def test_generated_records_take_the_fast_path_and_encode_to_the_same_bytes():
    encoder = RecordEncoder(SOURCE, RUN)
    for index, raw in enumerate(generate_records(5000, seed=4)):
        assert plain_values(raw) is not None
        assert encoder.encode(raw, index) == reference(raw, index)


@pytest.mark.parametrize("seed", range(5))
def test_any_float_encodes_to_the_reference_bytes(seed):
    rng = random.Random(seed)
    encoder = RecordEncoder(SOURCE, RUN)
    raw = next(generate_records(1, seed=seed))
    low, high = PLAIN_FLOAT_RANGE
    for _ in range(4000):
        magnitude = rng.choice([random_double(rng), rng.uniform(low, high), 10 ** rng.uniform(-6, 18), 0.0, -0.0])
        value = {**raw, rng.choice(FIELDS[1:]): magnitude * rng.choice([1, -1])}
        assert encoder.encode(value, 7) == reference(value, 7)


@pytest.mark.parametrize(
    "change",
    [
        {"date": True},
        {"date": 1.5},
        {"date": -1},
        {"date": 253402300800},
        {"date": "2018-01-01T00:00:00Z"},
        {"date": "1514764800"},
        {"high": 5},
        {"high": "1.5"},
        {"high": math.inf},
        {"high": math.nan},
        {"high": None},
        {"high": 1e-5},
        {"high": 1e16},
        {"extra": "kept out"},
    ],
)
def test_records_off_the_fast_path_get_the_reference_result(change):
    raw = {**next(generate_records(1, seed=1)), **change}
    encoder = RecordEncoder("file:///données/\udcff.json", "ü")
    try:
        expected: bytes | str = reference(raw, 3, "file:///données/\udcff.json", "ü")
    except RecordValidationError as exc:
        expected = str(exc)
    try:
        got: bytes | str = encoder.encode(raw, 3)
    except RecordValidationError as exc:
        got = str(exc)
    assert got == expected
    if "extra" not in change:
        assert plain_values(raw) is None


@pytest.mark.parametrize("value", [[], "text", None, {"date": 1}])
def test_the_fast_path_rejects_what_is_not_plainly_valid(value):
    assert plain_values(value) is None
    with pytest.raises(RecordValidationError) as caught:
        record_values(value)
    with pytest.raises(RecordValidationError) as expected:
        validate_record(value)
    assert str(caught.value) == str(expected.value)


def test_values_that_need_converting_leave_the_fast_path_and_are_converted():
    value = dict.fromkeys(FIELDS, 1.0)  # a float date, integral: Unix second 1
    assert plain_values(value) is None
    assert record_values(value) == (1, *[1.0] * (len(FIELDS) - 1))


def test_a_percent_sign_in_the_source_is_only_text():
    raw = next(generate_records(1, seed=2))
    encoder = RecordEncoder("s3://bucket/100%25/%d%s.json", RUN)
    data = encoder.encode(raw, 12)
    assert data == reference(raw, 12, "s3://bucket/100%25/%d%s.json")
    assert json.loads(data)["_ingest"]["source"] == "s3://bucket/100%25/%d%s.json"


def test_record_values_are_the_validated_fields_in_dictionary_order():
    raw = {**next(generate_records(1, seed=3)), "high": 7}
    assert record_values(raw) == tuple(getattr(validate_record(raw), name) for name in FIELDS)
    assert type(record_values(raw)[1]) is float
