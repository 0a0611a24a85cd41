import hashlib
import json
import random

import boto3
import pytest
from moto import mock_aws

from ingest.clients import client_config
from ingest.errors import ConfigurationError
from ingest.publishing import KinesisPublisher, OutgoingRecord, RetryPolicy, describe_stream
from ingest.records import Provenance, decode_record, encode_record, validate_record
from ingest.sample import generate_records

STREAM = "ingest-test"


@pytest.fixture
def kinesis(aws_env):
    with mock_aws():
        client = boto3.client("kinesis", region_name="ap-southeast-1", config=client_config())
        client.create_stream(StreamName=STREAM, ShardCount=4)
        yield client


def encoded_sample(count: int) -> list[OutgoingRecord]:
    return [
        OutgoingRecord(encode_record(validate_record(raw), Provenance("s3://b/k.json", "run-1", index)), ref=index)
        for index, raw in enumerate(generate_records(count, seed=9))
    ]


def read_stream(client) -> list[tuple[dict, dict]]:
    """(shard, Kinesis record) for every record in every shard, oldest first."""
    found = []
    for shard in client.list_shards(StreamName=STREAM)["Shards"]:
        iterator = client.get_shard_iterator(
            StreamName=STREAM, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while True:
            response = client.get_records(ShardIterator=iterator, Limit=10_000)
            if not response["Records"]:
                break
            found.extend((shard, record) for record in response["Records"])
            iterator = response["NextShardIterator"]
    return found


def hash_key(partition_key: str) -> int:
    return int(hashlib.md5(partition_key.encode("utf-8")).hexdigest(), 16)


def in_shard(partition_key: str, shard: dict) -> bool:
    hash_range = shard["HashKeyRange"]
    return int(hash_range["StartingHashKey"]) <= hash_key(partition_key) <= int(hash_range["EndingHashKey"])


def test_aggregated_round_trip_keeps_every_user_record_on_its_aggregates_shard(kinesis, deaggregate):
    records = encoded_sample(2000)
    publisher = KinesisPublisher(kinesis, STREAM, max_aggregate_bytes=16_384, rng=random.Random(11))
    assert all(outcome.ok for outcome in publisher.publish(records))
    stored = read_stream(kinesis)
    assert len(stored) == publisher.stats.kinesis_records > 20
    assert len({shard["ShardId"] for shard, _ in stored}) == 4
    received = []
    for shard, record in stored:
        users = deaggregate(record["Data"], record["PartitionKey"])
        assert len(users) > 1
        for partition_key, data in users:
            assert partition_key == record["PartitionKey"]
            assert in_shard(partition_key, shard)
            received.append(data)
    assert sorted(received) == sorted(record.data for record in records)
    by_index = {decode_record(data)[1].index: decode_record(data)[0] for data in received}
    assert [by_index[index] for index in range(2000)] == list(generate_records(2000, seed=9))


def test_plain_round_trip_spreads_records_over_shards(kinesis):
    records = encoded_sample(600)
    publisher = KinesisPublisher(kinesis, STREAM, aggregate=False, rng=random.Random(11))
    assert all(outcome.ok for outcome in publisher.publish(records))
    stored = read_stream(kinesis)
    assert sorted(record["Data"] for _, record in stored) == sorted(record.data for record in records)
    assert all(in_shard(record["PartitionKey"], shard) for shard, record in stored)
    per_shard = [
        sum(1 for shard, _ in stored if shard["ShardId"] == shard_id) for shard_id in {s["ShardId"] for s, _ in stored}
    ]
    assert len(per_shard) == 4 and min(per_shard) > 100
    assert publisher.stats.put_calls == 2


class FlakyKinesis:
    """Forwards PutRecords to a real (moto) client but answers a fraction of entries as throttled without
    forwarding them, as a hot shard would."""

    def __init__(self, client, fraction: float, seed: int) -> None:
        self.client = client
        self.fraction = fraction
        self.rng = random.Random(seed)
        self.throttled = 0

    def put_records(self, *, Records, **stream):  # noqa: N803 - boto3's name
        fate = [self.rng.random() < self.fraction for _ in Records]
        forwarded = [entry for entry, throttle in zip(Records, fate, strict=True) if not throttle]
        results = iter(self.client.put_records(Records=forwarded, **stream)["Records"] if forwarded else [])
        merged = []
        for throttle in fate:
            if throttle:
                self.throttled += 1
                merged.append({"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded"})
            else:
                merged.append(next(results))
        return {"FailedRecordCount": sum(fate), "Records": merged}


@pytest.mark.parametrize("aggregate", [True, False])
def test_throttled_entries_are_resent_until_each_record_is_in_the_stream_once(kinesis, deaggregate, aggregate):
    records = encoded_sample(1500)
    flaky = FlakyKinesis(kinesis, fraction=0.3, seed=5)
    publisher = KinesisPublisher(
        flaky,
        STREAM,
        aggregate=aggregate,
        max_aggregate_bytes=8192,
        retry=RetryPolicy(max_attempts=30),
        sleep=lambda _: None,
        rng=random.Random(2),
    )
    outcomes = list(publisher.publish(records))
    assert sorted(outcome.ref for outcome in outcomes) == list(range(1500)) and all(o.ok for o in outcomes)
    received = [
        data for _, record in read_stream(kinesis) for _, data in deaggregate(record["Data"], record["PartitionKey"])
    ]
    assert sorted(received) == sorted(record.data for record in records)
    assert publisher.stats.throttled == flaky.throttled > 0


def test_describe_stream_by_name_and_arn(kinesis):
    description = describe_stream(kinesis, STREAM)
    assert (description.name, description.status, description.open_shard_count) == (STREAM, "ACTIVE", 4)
    assert description.arn.startswith("arn:aws:kinesis:ap-southeast-1:")
    assert describe_stream(kinesis, description.arn) == description


def test_describe_stream_names_a_missing_stream(kinesis):
    with pytest.raises(ConfigurationError) as caught:
        describe_stream(kinesis, "nope")
    assert str(caught.value) == "Kinesis stream 'nope' does not exist in ap-southeast-1"


def test_publishing_by_arn(kinesis):
    arn = describe_stream(kinesis, STREAM).arn
    publisher = KinesisPublisher(kinesis, arn, aggregate=False)
    assert all(outcome.ok for outcome in publisher.publish(encoded_sample(3)))
    assert len(read_stream(kinesis)) == 3


def test_encoded_records_are_json_lines_ready(kinesis):
    publisher = KinesisPublisher(kinesis, STREAM, aggregate=False)
    list(publisher.publish(encoded_sample(2)))
    for _, record in read_stream(kinesis):
        assert b"\n" not in record["Data"]
        assert json.loads(record["Data"])["_ingest"]["run_id"] == "run-1"
