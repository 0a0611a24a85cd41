import json

import pytest

from ingest.records import (
    FIELDS,
    PROVENANCE_KEY,
    Provenance,
    RecordDecodeError,
    decode_record,
    encode_record,
    validate_record,
)
from ingest.sample import generate_records

PROVENANCE = Provenance(source="s3://tgr-hire-devops-test/crypto/01-data-ingestion/a.json", run_id="r1", index=7)


def test_encoding_is_one_compact_object_with_dictionary_names_and_provenance(valid_raw):
    data = encode_record(validate_record(valid_raw), PROVENANCE)
    fields = ",".join(f'"{name}":{json.dumps(valid_raw[name])}' for name in FIELDS)
    provenance = (
        '"_ingest":{"source":"s3://tgr-hire-devops-test/crypto/01-data-ingestion/a.json","run_id":"r1","index":7}'
    )
    assert data == f"{{{fields},{provenance}}}".encode()
    assert PROVENANCE_KEY == "_ingest"


def test_round_trip_of_generated_records():
    for index, raw in enumerate(generate_records(300, seed=3)):
        provenance = Provenance(source="file:///tmp/x.json", run_id="run", index=index)
        fields, decoded_provenance = decode_record(encode_record(validate_record(raw), provenance))
        assert fields == raw
        assert decoded_provenance == provenance


@pytest.mark.parametrize("number", [0.1 + 0.2, 1e-300, 5e-324, 1.7976931348623157e308, -0.0, 123456789.12345678])
def test_floats_round_trip_exactly(valid_raw, number):
    valid_raw["weightedAverage"] = number
    fields, _ = decode_record(encode_record(validate_record(valid_raw), PROVENANCE))
    assert fields["weightedAverage"] == number
    assert repr(fields["weightedAverage"]) == repr(number)


def test_any_source_uri_round_trips_including_undecodable_path_bytes(valid_raw):
    provenance = Provenance(source="file:///données/\udcff.json", run_id="ü", index=0)
    data = encode_record(validate_record(valid_raw), provenance)
    data.decode("ascii")
    assert decode_record(data)[1] == provenance


def test_decode_ignores_the_delivery_newline_and_unknown_fields(valid_raw):
    document = json.loads(encode_record(validate_record(valid_raw), PROVENANCE))
    document["addedLater"] = 1
    fields, provenance = decode_record(json.dumps(document).encode() + b"\n")
    assert set(fields) == set(valid_raw)
    assert provenance == PROVENANCE


def _encoded(valid_raw, **changes) -> bytes:
    document = json.loads(encode_record(validate_record(valid_raw), PROVENANCE))
    for key, value in changes.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda raw: b"not json", "not UTF-8 JSON"),
        (lambda raw: b'{"date": "\xff"}', "not UTF-8 JSON"),
        (lambda raw: b"[1, 2]", "expected a JSON object"),
        (lambda raw: _encoded(raw, _ingest=None), "'_ingest' must be an object"),
        (lambda raw: _encoded(raw, _ingest={"source": "s", "run_id": 1, "index": 0}), "must be strings"),
        (
            lambda raw: _encoded(raw, _ingest={"source": "s", "run_id": "r", "index": -1}),
            "non-negative integer",
        ),
        (
            lambda raw: _encoded(raw, _ingest={"source": "s", "run_id": "r", "index": True}),
            "non-negative integer",
        ),
        (lambda raw: _encoded(raw, _ingest={"source": "s", "run_id": "r"}), "non-negative integer"),
        (lambda raw: _encoded(raw, close=None), "field 'close': missing"),
        (lambda raw: _encoded(raw, low="cheap"), "field 'low': not a number"),
        (lambda raw: _encoded(raw).replace(f'"high": {raw["high"]!r}'.encode(), b'"high": NaN'), "field 'high': NaN"),
    ],
)
def test_decode_rejects_bad_data_with_a_clear_error(valid_raw, make, reason):
    with pytest.raises(RecordDecodeError) as caught:
        decode_record(make(valid_raw))
    assert reason in str(caught.value)
    assert str(caught.value).startswith("cannot decode record b")
