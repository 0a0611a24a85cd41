import json

import pytest

from ingest.errors import ConfigurationError
from ingest.publishing import PublishAbortedError, PublishOutcome
from ingest.records import decode_record
from ingest.run.pipeline import RunSettings
from ingest.run.report import ObjectOutcome
from ingest.sources import SourceUnavailableError
from tests.run.fakes import FakePublisher, MemorySource, json_array


def test_records_stream_through_the_publisher_without_reading_ahead(publish):
    source = MemorySource()
    for day in range(5):
        source.put(f"day-{day}.json", json_array(50, seed=day))
    result = publish(source, FakePublisher(batch_size=10, abort_after=10))

    assert isinstance(result.error, PublishAbortedError)
    assert source.listed == 1  # the first batch was due before the second object was even listed
    assert result.report.records_read == 10


def test_published_records_carry_provenance_and_only_the_dictionary_fields(publish):
    source = MemorySource()
    records = json.loads(json_array(3))
    records[0]["extra"] = "dropped"
    uri = source.put("a.json", json.dumps(records).encode())
    publisher = FakePublisher()
    report = publish(source, publisher).report

    decoded = sorted((decode_record(data) for data in publisher.delivered), key=lambda pair: pair[1].index)
    assert [provenance.index for _, provenance in decoded] == [0, 1, 2]
    assert {(provenance.source, provenance.run_id) for _, provenance in decoded} == {(uri, report.run_id)}
    assert "extra" not in decoded[0][0]
    assert decoded[1][0] == records[1]


def test_an_unknown_format_is_rejected_and_the_run_goes_on(publish):
    source = MemorySource()
    source.put("notes.bin", b"\x00\x01\x02")
    source.put("z.json", json_array(4))
    result = publish(source)

    unknown, valid = result.report.objects
    assert (unknown.status, unknown.records_read) == (ObjectOutcome.REJECTED, 0)
    assert "format" in unknown.reason
    assert valid.published == 4
    assert result.report.succeeded  # a rejection is reported, not a failure


def test_an_explicit_format_overrides_detection(publish):
    source = MemorySource()
    source.put("export.txt", json_array(4))
    report = publish(source, settings=RunSettings(format_name="json")).report
    assert (report.objects[0].format, report.records_published) == ("json", 4)


def test_an_object_the_source_cannot_read_fails_alone(publish):
    source = MemorySource()
    source.put("a.json", json_array(3))
    source.put("b.json", json_array(3))
    source.unreadable.add("a.json")
    report = publish(source).report

    assert [entry.status for entry in report.objects] == [ObjectOutcome.FAILED, ObjectOutcome.PUBLISHED]
    assert report.objects_failed == 1
    assert not report.succeeded


def test_a_source_that_refuses_access_stops_the_run(publish):
    class Forbidden(MemorySource):
        def open(self, obj):
            raise SourceUnavailableError(f"access denied to {obj.uri}")

    source = Forbidden()
    source.put("a.json", json_array(3))
    source.put("b.json", json_array(3))
    result = publish(source)

    assert isinstance(result.error, ConfigurationError)
    assert "access denied" in result.report.aborted
    assert result.report.objects_listed == 1


def test_a_bug_still_leaves_a_report_naming_it(publish):
    class Broken(FakePublisher):
        def publish(self, records):
            for _ in records:
                raise RuntimeError("bug in the publisher")
            yield from ()

    source = MemorySource()
    source.put("a.json", json_array(3))
    result = publish(source, Broken())

    assert isinstance(result.error, RuntimeError)
    assert result.report.aborted == "RuntimeError: bug in the publisher"
    assert result.report.records_failed == 1


def test_an_outcome_for_a_record_the_publisher_was_not_given_stops_the_run_and_the_report_balances(publish):
    class Confused(FakePublisher):
        def publish(self, records):
            for record in records:
                yield PublishOutcome(("not", "ours"), ok=True)
                yield PublishOutcome(record.ref, ok=True)

    source = MemorySource()
    source.put("a.json", json_array(3))
    result = publish(source, Confused())

    assert isinstance(result.error, LookupError)
    assert "ref=('not', 'ours')" in result.report.aborted
    assert result.report.records_read == result.report.records_published + result.report.records_failed == 1


@pytest.mark.parametrize("batch_size", [1, 3, 1000])
def test_object_completion_does_not_depend_on_batch_boundaries(publish, batch_size):
    source = MemorySource()
    for day in range(4):
        source.put(f"day-{day}.json", json_array(day * 3, seed=day))
    report = publish(source, FakePublisher(batch_size=batch_size)).report

    assert [entry.status for entry in report.objects] == [ObjectOutcome.PUBLISHED] * 4
    assert [entry.published_indices.to_list() for entry in report.objects] == [[], [[0, 2]], [[0, 5]], [[0, 8]]]
