"""Reading a stream back (`ingest.publishing.deaggregation`): every shard, aggregates taken apart, plain ones whole."""

import random

import pytest

from ingest.publishing import KinesisPublisher, OutgoingRecord
from ingest.publishing.deaggregation import read_stream, user_payloads, user_records
from ingest.publishing.kpl import aggregate, record_header

STREAM = "read-back"


@pytest.fixture
def stream(kinesis):
    kinesis.create_stream(StreamName=STREAM, ShardCount=3)
    return kinesis


@pytest.mark.parametrize("aggregate_", [True, False])
def test_every_user_record_comes_back_once_with_its_shard(stream, aggregate_):
    records = [OutgoingRecord(f"record {index}".encode(), index) for index in range(700)]
    publisher = KinesisPublisher(stream, STREAM, aggregate=aggregate_, max_aggregate_bytes=4000, rng=random.Random(1))
    assert all(outcome.ok for outcome in publisher.publish(records))

    users = list(read_stream(stream, STREAM))

    assert sorted(user.data for user in users) == sorted(record.data for record in records)
    assert {user.shard_id for user in users} == {f"shardId-00000000000{index}" for index in range(3)}
    assert all(user.aggregated == aggregate_ for user in users)
    if aggregate_:
        where = (users[0].shard_id, users[0].sequence_number)
        first = [user for user in users if (user.shard_id, user.sequence_number) == where]
        assert [user.sub_sequence_number for user in first] == list(range(len(first)))
    arn = stream.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamARN"]
    assert len(list(read_stream(stream, arn))) == 700


def test_one_record_taken_apart_by_its_blob_or_as_returned_by_get_records():
    blob = aggregate([b"k1", b"k2"], [record_header(0, 1), b"a", record_header(1, 2), b"bc"])
    assert list(user_payloads(blob)) == [b"a", b"bc"]
    users = list(user_records({"Data": blob, "PartitionKey": "k1", "SequenceNumber": "42"}, shard_id="s"))
    assert [(user.partition_key, user.data, user.sub_sequence_number) for user in users] == [
        ("k1", b"a", 0),
        ("k2", b"bc", 1),
    ]
    assert list(user_payloads(b"plain")) == [b"plain"]
    corrupted = blob[:-1] + bytes([blob[-1] ^ 1])
    assert list(user_payloads(corrupted)) == [corrupted]  # a failed digest: passed through whole, not parsed
