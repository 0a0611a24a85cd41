from collections import Counter

import pytest

from ingest.errors import ConfigurationError
from ingest.run.partition import Partition, partition_of
from ingest.run.pipeline import RunSettings
from tests.run.fakes import MemorySource, json_array


@pytest.mark.parametrize("count", [1, 3, 4])
def test_the_reports_of_all_partitions_cover_every_object_exactly_once(publish, count):
    source = MemorySource()
    for number in range(40):
        source.put(f"2018/day-{number:02}.json", json_array(2, seed=number))

    reports = [
        publish(source, settings=RunSettings(partition=Partition(index, count))).report for index in range(count)
    ]

    covered = Counter(entry.uri for report in reports for entry in report.objects)
    assert covered == Counter(source.uri + key for key in source.files)
    assert sum(report.records_published for report in reports) == 80
    for report in reports:
        assert report.objects_read + report.objects_outside_partition == report.objects_listed == 40
    if count > 1:
        assert all(0 < report.objects_read < 40 for report in reports)


def test_the_hash_is_pinned_so_every_worker_and_python_version_agrees():
    # sha256 of the URI, first 8 bytes big-endian, modulo N: these values must never change
    uri = "s3://tgr-hire-devops-test/crypto/01-data-ingestion/a.json"
    assert [partition_of(uri, count) for count in (1, 4, 7)] == [0, 1, 4]
    assert partition_of("file:///data/2018-01-01.json", 1000) == 832


@pytest.mark.parametrize(("text", "expected"), [("0/1", (0, 1)), ("3/4", (3, 4)), (" 2 / 5 ", (2, 5))])
def test_parse_accepts_zero_based_indices(text, expected):
    partition = Partition.parse(text)
    assert (partition.index, partition.count) == expected
    assert str(partition) == f"{expected[0]}/{expected[1]}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4/4", "between 0 and 3"),
        ("1/0", "at least 1"),
        ("-1/4", "look like I/N"),
        ("a/b", "look like I/N"),
        ("2", "look like I/N"),
    ],
)
def test_parse_rejects_what_no_worker_could_own(text, message):
    with pytest.raises(ConfigurationError, match=message):
        Partition.parse(text)
