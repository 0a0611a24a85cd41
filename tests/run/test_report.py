import json

import pytest

from ingest.errors import ConfigurationError
from ingest.publishing import PublishAbortedError
from ingest.records import decode_record
from ingest.run.report import ObjectOutcome, RunReport, load_report
from tests.run.fakes import FakePublisher, MemorySource, json_array


def _mixed_source() -> MemorySource:
    source = MemorySource()
    source.put("a.json", json_array(20))
    records = json.loads(json_array(10, seed=1))
    del records[3]["low"]
    records[7]["high"] = "NaN"
    source.put("b.json", json.dumps(records).encode())
    lines = [json.dumps(record) for record in json.loads(json_array(4, seed=2))]
    lines.insert(2, '{"date": 1514764800, "high": ')
    source.put("c.jsonl", ("\n".join(lines) + "\n").encode())
    return source


def test_arithmetic_with_rejections_and_injected_publish_failures(publish):
    publisher = FakePublisher(fail=lambda p: p.source.endswith("/a.json") and p.index == 4)
    result = publish(_mixed_source(), publisher)
    report = result.report

    assert (report.records_read, report.records_published, report.records_rejected, report.records_failed) == (
        35,
        31,
        3,
        1,
    )
    a, b, c = report.objects
    assert (a.records_read, a.published, a.rejected, a.failed, a.status) == (20, 19, 0, 1, ObjectOutcome.FAILED)
    assert a.published_indices.to_list() == [[0, 3], [5, 19]]
    assert (b.records_read, b.published, b.rejected, b.failed, b.status) == (10, 8, 2, 0, ObjectOutcome.PUBLISHED)
    assert b.published_indices.to_list() == [[0, 2], [4, 6], [8, 9]]
    assert (c.records_read, c.published, c.rejected, c.failed) == (5, 4, 1, 0)
    assert (b.format, c.format) == ("json", "jsonl")
    assert (report.objects_listed, report.objects_read, report.objects_failed) == (3, 3, 1)
    assert report.put_calls == publisher.stats.put_calls > 0
    assert report.bytes_published == publisher.stats.bytes_published > 0
    assert not report.succeeded
    assert len(result.dead_letters) == 4
    assert report.started_at <= report.finished_at
    assert report.finished_at.endswith("Z")


def test_every_published_record_is_named_by_the_report(publish):
    publisher = FakePublisher()
    result = publish(_mixed_source(), publisher)

    delivered = set()
    for data in publisher.delivered:
        _, provenance = decode_record(data)
        delivered.add((provenance.run_id, provenance.source, provenance.index))
    assert delivered == set(result.report.expected_records())
    assert len(publisher.delivered) == result.report.records_published == 32
    assert result.report.succeeded


def test_the_report_file_round_trips_and_leaves_no_temporary_file(publish, tmp_path):
    result = publish(_mixed_source())
    data = json.loads(result.report_path.read_text())
    assert data["records_read"] == 35
    assert data["objects"][1]["published_indices"] == [[0, 2], [4, 6], [8, 9]]
    assert data["aborted"] is None
    assert RunReport.from_dict(data).to_dict() == data
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".tmp")]


def test_an_aborted_run_still_writes_a_balanced_report(publish):
    source = MemorySource()
    source.put("a.json", json_array(30))
    result = publish(source, FakePublisher(batch_size=4, abort_after=10))

    assert isinstance(result.error, PublishAbortedError)
    report = result.report
    assert "PublishAbortedError" in report.aborted
    assert (report.records_read, report.records_published, report.records_failed) == (10, 8, 2)
    assert report.objects[0].status is ObjectOutcome.FAILED
    assert report.finished_at is not None
    unacknowledged = [line for line in result.dead_letters if line["stage"] == "publish"]
    assert sorted(line["index"] for line in unacknowledged) == [8, 9]
    assert all("not acknowledged" in line["reason"] for line in unacknowledged)


def test_a_file_that_is_not_a_report_is_a_configuration_error(tmp_path):
    path = tmp_path / "report.json"
    path.write_text('{"run_id": "x"}')
    with pytest.raises(ConfigurationError, match="not a publish run report"):
        load_report(path)
    with pytest.raises(ConfigurationError, match="cannot read report"):
        load_report(tmp_path / "missing.json")
