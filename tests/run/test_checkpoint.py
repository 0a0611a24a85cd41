import json
from collections import Counter

import pytest

from ingest.errors import ConfigurationError
from ingest.index_ranges import IndexRanges
from ingest.run.checkpoint import Checkpoint
from ingest.run.pipeline import RunSettings
from ingest.run.report import ObjectOutcome
from ingest.run.stop import StopRequest
from ingest.sources import SourceObject
from tests.run.fakes import FakePublisher, MemorySource, json_array


def _three_days() -> MemorySource:
    source = MemorySource()
    for day in range(3):
        source.put(f"day-{day}.json", json_array(25, seed=day))
    return source


def _all_records(source: MemorySource) -> Counter:
    return Counter((source.uri + key, index) for key in source.files for index in range(25))


def test_a_second_run_skips_unchanged_objects(publish, tmp_path):
    source, checkpoint = _three_days(), tmp_path / "checkpoint.json"
    first = publish(source, checkpoint=checkpoint)
    publisher = FakePublisher()
    second = publish(source, publisher, checkpoint=checkpoint)

    assert publisher.taken == 0
    report = second.report
    assert (report.objects_unchanged, report.objects_skipped, report.objects_read, report.records_read) == (3, 3, 0, 0)
    assert report.succeeded
    entry = report.objects[0]
    assert (entry.status, entry.run_id) == (ObjectOutcome.UNCHANGED, first.report.run_id)
    assert entry.published_indices.to_list() == [[0, 24]]
    assert set(report.expected_records()) == set(first.report.expected_records())


def test_a_changed_object_is_published_again(publish, tmp_path):
    source, checkpoint = _three_days(), tmp_path / "checkpoint.json"
    publish(source, checkpoint=checkpoint)
    source.put("day-1.json", json_array(25, seed=1), version="v2")
    publisher = FakePublisher()
    report = publish(source, publisher, checkpoint=checkpoint).report

    assert {uri for uri, _ in publisher.delivered_keys()} == {"mem://bucket/day-1.json"}
    assert (report.objects_read, report.objects_unchanged, report.records_published) == (1, 2, 25)
    assert json.loads(checkpoint.read_text())["mem://bucket/day-1.json"]["version"] == "v2"


def test_full_ignores_the_checkpoint_but_still_updates_it(publish, tmp_path):
    source, checkpoint = _three_days(), tmp_path / "checkpoint.json"
    publish(source, checkpoint=checkpoint)
    publisher = FakePublisher()
    report = publish(source, publisher, checkpoint=checkpoint, settings=RunSettings(full=True)).report

    assert report.records_published == 75
    entries = json.loads(checkpoint.read_text())
    assert {entry["run_id"] for entry in entries.values()} == {report.run_id}


def test_only_objects_with_every_record_acknowledged_are_checkpointed(publish, tmp_path):
    source, checkpoint = MemorySource(), tmp_path / "checkpoint.json"
    source.put("clean.json", json_array(5))
    failing = source.put("failing.json", json_array(5, seed=1))
    source.put("truncated.json", json_array(5, seed=2)[:-30])
    source.put("unknown.bin", b"\x00\x01")
    source.put("unreachable.json", json_array(5, seed=3))
    source.unreadable.add("unreachable.json")
    publish(source, FakePublisher(fail=lambda p: p.source == failing and p.index == 3), checkpoint=checkpoint)

    entries = json.loads(checkpoint.read_text())
    # A truncated file is rejected for its content: reading it again cannot help. An unknown format may be
    # fixed with --format, an unreachable object or a failed record by trying again: those are retried.
    assert set(entries) == {"mem://bucket/clean.json", "mem://bucket/truncated.json"}
    assert entries["mem://bucket/clean.json"]["records_published"] == 5
    assert entries["mem://bucket/clean.json"]["published_indices"] == [[0, 4]]


def test_a_run_aborted_half_way_then_restarted_publishes_the_rest(publish, tmp_path):
    source, checkpoint = _three_days(), tmp_path / "checkpoint.json"
    crashed = FakePublisher(batch_size=10, abort_after=40)
    first = publish(source, crashed, checkpoint=checkpoint)
    assert first.error is not None
    assert first.report.aborted
    assert set(json.loads(checkpoint.read_text())) == {"mem://bucket/day-0.json"}

    restarted = FakePublisher()
    second = publish(source, restarted, checkpoint=checkpoint).report

    assert second.succeeded
    assert second.objects_unchanged == 1
    union = Counter(crashed.delivered_keys()) + Counter(restarted.delivered_keys())
    assert set(union) == set(_all_records(source))
    # at-least-once: what the crashed run published of the object in flight comes again
    assert sum(union.values()) - 75 == first.report.objects[1].published


def test_a_stop_request_settles_what_is_in_flight_and_the_restart_finishes(publish, tmp_path):
    source, checkpoint, stop = _three_days(), tmp_path / "checkpoint.json", StopRequest()
    stopping = FakePublisher(batch_size=10, on_batch=lambda taken: taken >= 30 and stop.set("SIGTERM"))
    first = publish(source, stopping, checkpoint=checkpoint, stop=stop).report

    assert first.aborted == "stopped early (SIGTERM)"
    assert first.records_failed == 0
    assert first.records_published == first.records_read == len(stopping.delivered)
    day0, day1 = first.objects
    assert day0.status is ObjectOutcome.PUBLISHED
    assert day1.status is ObjectOutcome.FAILED and "stopped before the end" in day1.reason
    assert first.objects_listed == 2

    restarted = FakePublisher()
    publish(source, restarted, checkpoint=checkpoint)
    union = set(stopping.delivered_keys()) | set(restarted.delivered_keys())
    assert union == set(_all_records(source))


def test_an_object_without_a_version_is_never_considered_unchanged(tmp_path):
    checkpoint = Checkpoint(tmp_path / "checkpoint.json")
    unversioned = SourceObject(uri="https://example.com/a.json", key="a.json", size=10)
    checkpoint.record(unversioned, run_id="r", records_published=1, records_rejected=0, published_indices=_ranges())
    assert checkpoint.unchanged(unversioned) is None
    versioned = SourceObject(uri="s3://b/a.json", key="a.json", size=10, version='"etag"')
    checkpoint.record(versioned, run_id="r", records_published=1, records_rejected=0, published_indices=_ranges())
    assert checkpoint.unchanged(versioned) is not None
    assert checkpoint.unchanged(SourceObject(uri="s3://b/a.json", key="a.json", size=11, version='"etag"')) is None
    assert len(Checkpoint.load(checkpoint.path)) == 2


def test_a_corrupt_checkpoint_stops_the_run_with_a_clear_error(tmp_path):
    path = tmp_path / "checkpoint.json"
    path.write_text("{half")
    with pytest.raises(ConfigurationError, match="not valid JSON"):
        Checkpoint.load(path)
    path.write_text("[1, 2]")
    with pytest.raises(ConfigurationError, match="not a mapping"):
        Checkpoint.load(path)
    path.write_text(json.dumps({"s3://b/a.json": {"version": "e", "size": 3, "run_id": 7}}))
    with pytest.raises(ConfigurationError, match="the entry for s3://b/a.json is malformed"):
        Checkpoint.load(path)
    assert len(Checkpoint.load(tmp_path / "absent.json")) == 0


def test_entries_read_back_typed_as_they_were_written(tmp_path):
    checkpoint = Checkpoint(tmp_path / "checkpoint.json")
    obj = SourceObject(uri="s3://b/a.json", key="a.json", size=11, version='"etag"')
    checkpoint.record(
        obj, run_id="r1", records_published=5, records_rejected=1, published_indices=IndexRanges([[0, 4]])
    )

    entry = Checkpoint.load(checkpoint.path).unchanged(obj)

    assert entry is not None
    assert (entry.run_id, entry.records_published, entry.records_rejected) == ("r1", 5, 1)
    assert entry.published_indices.to_list() == [[0, 4]]


def _ranges() -> IndexRanges:
    return IndexRanges([[0, 0]])
