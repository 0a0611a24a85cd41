"""The benchmark's data is what `publish` sends, and its big files are valid JSON arrays of valid records."""

import json

from bench.dataset import day_file_uri, encoded_records, run_id, write_json_array
from ingest.records import decode_record, validate_record
from ingest.sample import SAMPLE_PREFIX


def test_encoded_records_decode_with_their_day_files_provenance():
    records = encoded_records(600)  # 288 records a day: three day files

    provenances = [decode_record(data)[1] for data in records]
    assert {p.run_id for p in provenances} == {run_id(0)}
    assert [p.index for p in provenances[:3]] == [0, 1, 2]
    assert provenances[288].index == 0
    assert provenances[288].source == day_file_uri(1514764800 + 86_400)
    assert provenances[0].source == f"s3://tgr-hire-devops-test/{SAMPLE_PREFIX}2018-01-01.json"
    assert encoded_records(600) == records  # same seed, same bytes


def test_json_array_reaches_the_target_size_and_holds_valid_records(tmp_path):
    path = tmp_path / "big.json"

    count, size = write_json_array(path, 100_000)

    assert size == path.stat().st_size >= 100_000
    document = json.loads(path.read_text())
    assert len(document) == count
    assert all(validate_record(raw) for raw in document)
    assert path.read_text().startswith('[\n  {\n    "date": 1514764800,')
