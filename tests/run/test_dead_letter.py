import json
import math

from ingest.record_reading import Stage
from ingest.run.dead_letter import RAW_LIMIT, DeadLetterWriter, bounded_raw
from tests.run.fakes import FakePublisher, MemorySource, json_array


def test_rejected_records_name_uri_position_field_reason_and_raw(publish):
    source = MemorySource()
    records = json.loads(json_array(5))
    records[2]["high"] = "NaN"
    uri = source.put("day.json", json.dumps(records).encode())
    result = publish(source)

    (line,) = result.dead_letters
    assert line["run_id"] == result.report.run_id
    assert line["uri"] == uri
    assert line["stage"] == "validate"
    assert line["index"] == 2
    assert line["position"] == "record 3"  # positions count from 1, like a person would
    assert line["field"] == "high"
    assert "NaN" in line["reason"]
    assert line["raw"] == records[2]
    assert line["raw_truncated"] is False


def test_malformed_lines_and_publish_failures_are_dead_lettered(publish):
    source = MemorySource()
    good = json.dumps(json.loads(json_array(1))[0])
    source.put("lines.jsonl", f"{good}\n{{not json\n{good}\n".encode())
    result = publish(source, FakePublisher(fail=lambda p: p.index == 2))

    read_error, publish_error = sorted(result.dead_letters, key=lambda line: line["index"])
    assert (read_error["stage"], read_error["index"], read_error["field"]) == ("read", 1, None)
    assert "{not json" in read_error["raw"]
    assert read_error["reason"]
    assert (publish_error["stage"], publish_error["index"], publish_error["error_code"]) == (
        "publish",
        2,
        "InternalFailure",
    )
    assert publish_error["reason"] == "InternalFailure: boom"
    assert json.loads(publish_error["raw"])["_ingest"]["index"] == 2


def test_an_unreadable_object_is_one_line_and_the_run_goes_on(publish):
    source = MemorySource()
    broken = source.put("a.json", json_array(3)[:-40])
    source.put("b.json", json_array(3))
    source.unreadable.add("b.json")
    source.put("c.json", json_array(3))
    result = publish(source)

    by_uri = {line["uri"]: line for line in result.dead_letters}
    assert by_uri[broken]["stage"] == "object"
    assert by_uri[broken]["position"].startswith("after ")
    assert by_uri["mem://bucket/b.json"]["reason"] == "cannot read mem://bucket/b.json: connection reset"
    assert result.report.objects[2].published == 3


def test_bounded_raw_keeps_small_json_and_renders_the_rest_as_bounded_text():
    assert bounded_raw({"high": 1.5}) == ({"high": 1.5}, False)
    text, truncated = bounded_raw({"high": math.nan})
    assert (text, truncated) == ('{"high": NaN}', False)
    assert bounded_raw(b"\xff\xfeab") == ("\\xff\\xfeab", False)
    long_text, truncated = bounded_raw("x" * (RAW_LIMIT + 10))
    assert len(long_text) == RAW_LIMIT and truncated
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    rendered, _ = bounded_raw(deep)
    assert isinstance(rendered, str) and len(rendered) <= RAW_LIMIT
    big, truncated = bounded_raw({"values": list(range(10_000))})
    assert isinstance(big, str) and len(big) == RAW_LIMIT and truncated


def test_each_line_is_on_disk_before_the_writer_closes(tmp_path):
    path = tmp_path / "dl.jsonl"
    writer = DeadLetterWriter(path, "run1")
    writer.write(uri="mem://x", stage=Stage.OBJECT, reason="not UTF-8")
    assert json.loads(path.read_text())["reason"] == "not UTF-8"
    writer.close()


def test_a_default_path_is_only_created_when_something_is_rejected(tmp_path):
    path = tmp_path / "dl.jsonl"
    with DeadLetterWriter(path, "run1", create=False) as writer:
        assert not writer.opened
    assert not path.exists()


def test_no_credential_from_the_environment_reaches_the_files(publish, monkeypatch, tmp_path):
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    monkeypatch.setenv("AWS_SESSION_TOKEN", secret + "TOKEN")
    source = MemorySource()
    source.put("a.json", json_array(3)[:-10])
    publish(source, FakePublisher(fail=lambda p: True))
    written = sorted(tmp_path.iterdir())
    assert {path.name for path in written} >= {"report-0.json", "dead-letter.jsonl"}
    for path in written:
        assert secret not in path.read_text(), path
