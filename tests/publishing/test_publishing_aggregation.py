import random

import pytest

from components.core.limits import MIB
from ingest.publishing import KinesisPublisher, OutgoingRecord
from ingest.publishing.aggregation import AggregatingPacker


def test_each_aggregate_has_one_partition_key_shared_by_its_records(fake_kinesis, outgoing, deaggregate):
    client = fake_kinesis()
    publisher = KinesisPublisher(client, "s", max_aggregate_bytes=20_000, rng=random.Random(7))
    records = outgoing(3000)
    assert all(outcome.ok for outcome in publisher.publish(records))
    keys = [entry["PartitionKey"] for entry in client.accepted]
    assert len(keys) > 10 and len(set(keys)) == len(keys)
    users = []
    for entry in client.accepted:
        assert len(entry["Data"]) + len(entry["PartitionKey"]) <= 20_000
        inside = deaggregate(entry["Data"], entry["PartitionKey"])
        assert {key for key, _ in inside} == {entry["PartitionKey"]}
        users.extend(data for _, data in inside)
    assert users == [record.data for record in records]
    stats = publisher.stats
    assert (stats.kinesis_records, stats.user_records) == (len(client.accepted), 3000)
    assert stats.bytes_published == sum(len(entry["Data"]) for entry in client.accepted)


def test_aggregates_are_filled_close_to_1_mib(fake_kinesis, outgoing):
    client = fake_kinesis()
    publisher = KinesisPublisher(client, "s", rng=random.Random(7))
    assert all(outcome.ok for outcome in publisher.publish(outgoing(20_000, size=200)))
    sizes = [len(entry["Data"]) + len(entry["PartitionKey"]) for entry in client.accepted]
    assert len(sizes) == 4
    assert all(MIB - 210 < size <= MIB for size in sizes[:-1])
    assert len(client.calls) == 1


def test_a_lone_record_goes_without_aggregate_framing(fake_kinesis):
    client = fake_kinesis()
    list(KinesisPublisher(client, "s").publish([OutgoingRecord(b'{"a":1}', ref=0)]))
    assert [entry["Data"] for entry in client.accepted] == [b'{"a":1}']


def test_a_record_too_big_to_share_an_aggregate_goes_alone_without_closing_it():
    packer = AggregatingPacker(random.Random(1), max_bytes=10_000)
    assert packer.add(OutgoingRecord(b"a" * 100, ref="a")) == []
    [alone] = packer.add(OutgoingRecord(b"b" * 20_000, ref="b"))
    assert (alone.data, alone.refs) == (b"b" * 20_000, ("b",))
    assert packer.add(OutgoingRecord(b"c" * 100, ref="c")) == []
    [aggregate] = packer.flush()
    assert aggregate.refs == ("a", "c")
    assert aggregate.partition_key != alone.partition_key
    assert packer.flush() == []


def test_a_full_aggregate_is_returned_and_the_next_gets_a_new_key(deaggregate):
    packer = AggregatingPacker(random.Random(1), max_bytes=1000)
    completed = []
    for index in range(25):
        completed.extend(packer.add(OutgoingRecord(bytes([index]) * 100, ref=index)))
    completed.extend(packer.flush())
    assert [ref for entry in completed for ref in entry.refs] == list(range(25))
    assert [len(entry.refs) for entry in completed] == [8, 8, 8, 1]
    assert len({entry.partition_key for entry in completed}) == 4
    assert completed[-1].data == bytes([24]) * 100
    for entry in completed:
        assert entry.size <= 1000
        assert [data[0] for _, data in deaggregate(entry.data, entry.partition_key)] == list(entry.refs)


@pytest.mark.parametrize("max_bytes", [None, 2 * MIB])
def test_aggregates_never_exceed_the_record_limit(max_bytes):
    packer = AggregatingPacker(random.Random(1), max_bytes=max_bytes)
    completed = []
    for index in range(12):
        completed.extend(packer.add(OutgoingRecord(b"x" * 100_000, ref=index)))
    completed.extend(packer.flush())
    assert sum(len(entry.refs) for entry in completed) == 12
    assert all(MIB - 100_100 < entry.size <= MIB for entry in completed[:-1])
