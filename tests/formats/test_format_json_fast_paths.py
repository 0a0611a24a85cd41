"""The JSON array reader's fast path (msgspec on clean stretches) against ijson alone, on mutated inputs.

Whatever the input, reading it must give the same records and the same error (message included) as ijson reading
the whole object, whose decisions `test_format_json_array.py` pins down.
"""

from __future__ import annotations

import io
import json
import random

import pytest

from ingest.formats import json_array, jsonl
from ingest.formats.byte_reading import utf8_body
from ingest.formats.json_array import read_json_array
from ingest.sample import generate_records

MUTATIONS = [
    b"NaN",
    b"Infinity",
    b'"high": 1.0, "high"',
    b"1e400",
    b"[1, 2]",
    b'{"nested": {"a": 1}}',
    b'"\\u00e9"',
    "é".encode(),
    b"\xff",
    b",",
    b"]",
    b"}",
    b"{",
    b"\x00",
    b"9" * 4301,
    b"12345678901234567890123",
    b'"a}, {b"',
    b"",
]


def _outcome(reader, data: bytes, chunk_size: int) -> tuple[list, str | None]:
    """Records read, and how reading ended: any exception counts, so a crash must be the same crash."""
    records: list = []
    try:
        records.extend(reader(io.BytesIO(data), chunk_size))
    except Exception as exc:  # noqa: BLE001 - compared, not handled
        return records, f"{type(exc).__name__}: {exc}"
    return records, None


def _fast(stream, chunk_size):
    return read_json_array(stream, chunk_size=chunk_size)


def _ijson_only(stream, chunk_size):
    return json_array._read_events(utf8_body(stream), chunk_size)


def _document(count: int, seed: int, indent: int | None) -> bytes:
    return json.dumps(list(generate_records(count, seed=seed)), indent=indent).encode()


@pytest.mark.parametrize("seed", range(200))
def test_mutated_arrays_read_exactly_as_ijson_reads_them(seed):
    rng = random.Random(seed)
    data = bytearray(_document(rng.randint(1, 400), seed, rng.choice([None, 2])))
    for _ in range(rng.randint(0, 3)):
        position = rng.randrange(len(data))
        data[position : position + rng.randint(0, 3)] = rng.choice(MUTATIONS)
    if rng.random() < 0.2:
        data = data[: rng.randrange(1, len(data))]
    chunk_size = rng.choice([64, 257, 4096, 65536])
    assert _outcome(_fast, bytes(data), chunk_size) == _outcome(_ijson_only, bytes(data), chunk_size)


@pytest.mark.parametrize("chunk_size", [16, 100, 1000, 65536])
def test_a_clean_array_is_read_whole_by_the_fast_path_and_equals_ijson(chunk_size):
    data = _document(3000, 1, 2)
    fast = _outcome(_fast, data, chunk_size)
    assert fast == _outcome(_ijson_only, data, chunk_size)
    assert len(fast[0]) == 3000 and fast[1] is None


def test_the_fast_path_takes_the_clean_stretches():
    prefix = json_array._CleanPrefix(io.BytesIO(_document(3000, 1, 2)), 65536)
    assert sum(1 for _ in prefix.records()) == 2999
    assert prefix.records_read == 2999


@pytest.mark.parametrize(
    "bad",
    [b'{"a": 1, "a": 2}', b'{"a": NaN}', b'{"a": [1]}', b'{"a": "\\u0041"}', b'{"a": "' + "é".encode() + b'"}'],
)
def test_a_stretch_that_is_not_plainly_clean_goes_to_ijson(bad):
    assert json_array._clean_objects(b'{"a": 1}, ' + bad) is None


def test_numbers_and_byte_offsets_survive_the_hand_over(monkeypatch):
    clean = b", ".join(b'{"a": %d, "b": 1.5}' % index for index in range(2000))
    records, error = _outcome(_fast, b"[" + clean + b', {"c": ' + b"7" * 4301 + b"}]", 1024)
    assert len(records) == 2000
    offset = len(b"[" + clean + b', {"c": ') + 1
    refusal = f"more than 4300 digits in a row from byte {offset}: numbers that long are refused before parsing"
    assert error == f"FormatError: {refusal}"


def _typed(value):
    """A value with the type of every number spelled out (1 == 1.0 == True otherwise)."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    return (type(value).__name__, value)


@pytest.mark.parametrize("seed", range(100))
def test_a_line_the_jsonl_fast_path_takes_is_what_json_loads_reads(seed):
    rng = random.Random(seed)
    for raw in generate_records(50, seed=seed):
        line = bytearray(json.dumps(raw).encode())
        for _ in range(rng.randint(0, 2)):
            position = rng.randrange(len(line))
            line[position : position + rng.randint(0, 2)] = rng.choice(MUTATIONS[:-3] + [b"1", b"-", b"e5", b" "])
        fast = jsonl._plain_object(bytes(line))
        try:
            expected = json.loads(bytes(line).decode("utf-8"), object_pairs_hook=jsonl._unique_keys)
        except (ValueError, RecursionError):
            assert fast is None
            continue
        if fast is not None:
            assert _typed(fast) == _typed(expected)


def test_jsonl_duplicate_keys_still_go_to_the_general_path():
    assert jsonl._plain_object(b'{"a": 1, "a": 2}') is None
    assert jsonl._plain_object(b'{"a": "x", "b": 2}') == {"a": "x", "b": 2}
