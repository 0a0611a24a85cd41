import itertools
import json

import pytest

from ingest.records import FIELDS, validate_record
from ingest.sample import SAMPLE_PREFIX, SAMPLE_ROOT, generate_records, sample_files, write_sample_dataset

COMMITTED = sorted((SAMPLE_ROOT / SAMPLE_PREFIX).glob("*.json"))


def test_generation_is_deterministic_per_seed():
    assert list(generate_records(500, seed=1)) == list(generate_records(500, seed=1))
    assert list(generate_records(50, seed=1)) != list(generate_records(50, seed=2))


def test_generated_records_are_valid_and_plausible():
    records = list(generate_records(2000, start=1_600_000_000, seed=5))
    assert [record["date"] for record in records] == list(range(1_600_000_000, 1_600_000_000 + 2000 * 300, 300))
    for previous, record in itertools.pairwise(records):
        assert record["open"] == previous["close"]
    for record in records:
        assert tuple(record) == FIELDS
        assert validate_record(record).as_dict() == record
        assert record["high"] >= max(record["open"], record["close"])
        assert record["low"] <= min(record["open"], record["close"])
        assert record["low"] <= record["weightedAverage"] <= record["high"]
        assert record["quoteVolume"] > 0
        assert record["volume"] == pytest.approx(record["quoteVolume"] * record["weightedAverage"], rel=1e-6)
    assert 500 < min(record["low"] for record in records) < max(record["high"] for record in records) < 1100


def test_generation_is_lazy_and_checks_count():
    assert next(generate_records(10**15))["open"] == 750.0
    assert list(generate_records(0)) == []
    with pytest.raises(ValueError, match="count must be >= 0"):
        list(generate_records(-1))


def test_committed_dataset_is_what_the_generator_writes(tmp_path):
    expected = sample_files()
    assert [path.relative_to(SAMPLE_ROOT).as_posix() for path in COMMITTED] == sorted(expected)
    for path in COMMITTED:
        assert path.read_bytes() == expected[path.relative_to(SAMPLE_ROOT).as_posix()], f"regenerate {path}"
    written = write_sample_dataset(tmp_path)
    assert {path.relative_to(tmp_path).as_posix(): path.read_bytes() for path in written} == expected


def test_committed_dataset_is_small_daily_arrays_of_valid_records():
    assert [path.name for path in COMMITTED] == ["2018-01-01.json", "2018-01-02.json", "2018-01-03.json"]
    dates = []
    for path in COMMITTED:
        assert path.stat().st_size < 100_000
        content = path.read_text(encoding="utf-8")
        assert content.startswith("[\n  {\n")
        records = json.loads(content)
        assert len(records) == 288
        dates.extend(validate_record(record).date for record in records)
    assert dates == list(range(1514764800, 1514764800 + 3 * 86400, 300))
