"""Shard-aware publishing on the benchmark's Kinesis stand-in (per-shard limits, ListShards, split and merge),
in manual time: the shard map read page by page, aggregates aimed at one shard each, a reshard noticed."""

from __future__ import annotations

import base64
import random
from collections import defaultdict
from typing import Any

import pytest
from aws_kinesis_agg.deaggregator import iter_deaggregate_records
from botocore.exceptions import ClientError

from bench.standin import HASH_KEY_SPACE, THROTTLED, ShardLimitedKinesis
from ingest.publishing import KinesisLimits, KinesisPublisher, OutgoingRecord, PublishAbortedError, RetryPolicy
from ingest.publishing.shards import ShardMap, ShardRange, hash_key, keys_into_shards, list_open_shards
from tests.bench.conftest import ManualClock


def records(count: int, size: int = 330) -> list[OutgoingRecord]:
    return [OutgoingRecord(f"{index:08d}".encode().ljust(size, b"."), index) for index in range(count)]


class Recording:
    """Forwards to the stand-in and keeps every accepted entry with the shard that took it, in order."""

    def __init__(self, stream: ShardLimitedKinesis, before_call=None) -> None:
        self.stream = stream
        self.accepted: list[tuple[dict, str]] = []
        self.calls = 0
        self.before_call = before_call

    def put_records(self, **request: Any) -> dict:
        self.calls += 1
        if self.before_call is not None:
            self.before_call(self.calls, self.stream)
        response = self.stream.put_records(**request)
        for entry, result in zip(request["Records"], response["Records"], strict=True):
            if "ErrorCode" not in result:
                self.accepted.append((entry, result["ShardId"]))
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def users_of(entry: dict) -> list[tuple[str, bytes]]:
    record = {**entry, "SequenceNumber": "0", "ApproximateArrivalTimestamp": 0}
    found = []
    for user in iter_deaggregate_records([record], data_format="Boto3"):
        fields = user["kinesis"]
        found.append(
            (fields["partitionKey"], base64.b64decode(fields["data"]) if fields.get("aggregated") else fields["data"])
        )
    return found


def shard_of(stream: ShardLimitedKinesis, shard_id: str):
    return next(shard for shard in stream.shards if shard.shard_id == shard_id)


def test_the_map_is_read_page_by_page_with_open_shards_only():
    stream = ShardLimitedKinesis(5, page_size=2)
    stream.split_shard(
        ShardToSplit="shardId-000000000001", NewStartingHashKey=str(HASH_KEY_SPACE // 4), StreamName="bench"
    )

    shard_map = list_open_shards(stream, {"StreamName": "bench"})

    assert stream.list_shards_calls == 3  # 6 open shards, 2 a page
    assert [shard.shard_id for shard in shard_map.shards] == [
        "shardId-000000000000",
        "shardId-000000000005",
        "shardId-000000000006",
        "shardId-000000000002",
        "shardId-000000000003",
        "shardId-000000000004",
    ]
    assert shard_map.shards[0].start == 0 and shard_map.shards[-1].end == HASH_KEY_SPACE - 1


def test_closed_shards_are_dropped_even_when_the_filter_is_ignored():
    stream = ShardLimitedKinesis(2)
    stream.merge_shards(
        ShardToMerge="shardId-000000000000", AdjacentShardToMerge="shardId-000000000001", StreamName="bench"
    )

    class IgnoresFilter:
        def list_shards(self, **request):
            request.pop("ShardFilter", None)
            return stream.list_shards(**request)

    assert len(stream.list_shards(StreamName="bench")["Shards"]) == 3
    shard_map = list_open_shards(IgnoresFilter(), {"StreamName": "bench"})
    assert [(shard.shard_id, shard.start, shard.end) for shard in shard_map.shards] == [
        ("shardId-000000000002", 0, HASH_KEY_SPACE - 1)
    ]


def test_each_shard_gets_a_key_that_hashes_into_it_and_a_sliver_gets_none():
    shard_map = ShardMap(
        [
            ShardRange("a", 0, 2**127 - 1),
            ShardRange("sliver", 2**127, 2**127 + 10),
            ShardRange("b", 2**127 + 11, HASH_KEY_SPACE - 1),
        ]
    )
    keys = keys_into_shards(shard_map, random.Random(1))
    assert keys[1] is None
    assert hash_key(keys[0]) in shard_map.shards[0] and hash_key(keys[2]) in shard_map.shards[2]


@pytest.mark.parametrize("shards", [1, 3, 8])
def test_aggregates_are_aimed_at_one_shard_and_paced_to_its_limits(shards):
    clock = ManualClock()
    client = Recording(ShardLimitedKinesis(shards, clock=clock))
    publisher = KinesisPublisher(client, "bench", sleep=clock.sleep, clock=clock, rng=random.Random(1))

    outcomes = list(publisher.publish(records(12_000)))

    assert sorted(outcome.ref for outcome in outcomes if outcome.ok) == list(range(12_000))
    assert publisher.stats.throttled == 0 and publisher.stats.shard_map_reads == 1
    for entry, shard_id in client.accepted:
        shard = shard_of(client.stream, shard_id)
        assert int(entry["ExplicitHashKey"]) in range(shard.starting_hash_key, shard.ending_hash_key + 1)
        assert {key for key, _ in users_of(entry)} == {entry["PartitionKey"]}
        assert shard.starting_hash_key <= hash_key(entry["PartitionKey"]) <= shard.ending_hash_key
    used = {shard_id for _, shard_id in client.accepted}
    assert len(used) == min(shards, publisher.stats.kinesis_records)  # ~1 MiB aggregates spread over the shards
    floor = publisher.stats.bytes_published / (shards * 1024 * 1024)
    assert clock.now <= floor + 1.2


@pytest.mark.parametrize("reshard", ["split", "merge"])
def test_a_reshard_mid_run_is_noticed_and_nothing_is_lost(reshard):
    clock = ManualClock()

    def reshard_after_two_calls(call: int, stream: ShardLimitedKinesis) -> None:
        if call != 3:
            return
        if reshard == "split":
            stream.split_shard(
                ShardToSplit="shardId-000000000000", NewStartingHashKey=str(HASH_KEY_SPACE // 8), StreamName="bench"
            )
        else:
            stream.merge_shards(
                ShardToMerge="shardId-000000000000", AdjacentShardToMerge="shardId-000000000001", StreamName="bench"
            )

    client = Recording(ShardLimitedKinesis(4, clock=clock), before_call=reshard_after_two_calls)
    publisher = KinesisPublisher(client, "bench", sleep=clock.sleep, clock=clock, rng=random.Random(2))

    outcomes = list(publisher.publish(records(40_000)))

    assert sorted(outcome.ref for outcome in outcomes if outcome.ok) == list(range(40_000))
    assert publisher.stats.shard_map_reads == 2
    received = [data for entry, _ in client.accepted for _, data in users_of(entry)]
    assert sorted(received) == sorted(record.data for record in records(40_000))
    late = client.accepted[-5:]
    open_ids = {shard.shard_id for shard in client.stream.open_shards}
    assert all(shard_id in open_ids for _, shard_id in late)
    for entry, shard_id in client.accepted:
        shard = shard_of(client.stream, shard_id)
        assert shard.starting_hash_key <= hash_key(entry["PartitionKey"]) <= shard.ending_hash_key


def test_without_list_shards_permission_it_publishes_without_a_map(caplog):
    stream = ShardLimitedKinesis(2)

    class Denied(Recording):
        def list_shards(self, **request):
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "ListShards")

    client = Denied(stream)
    publisher = KinesisPublisher(client, "bench", sleep=lambda seconds: None)

    assert all(outcome.ok for outcome in publisher.publish(records(3000)))
    assert "publishing without the shard map of bench (ListShards: AccessDeniedException: no)" in caplog.text
    assert all("ExplicitHashKey" not in entry for entry, _ in client.accepted)


class Throttling(Recording):
    """Throttles a seeded fraction of entries before they reach the stand-in (another producer's traffic)."""

    def __init__(self, stream: ShardLimitedKinesis, fraction: float) -> None:
        super().__init__(stream)
        self.rng = random.Random(9)
        self.fraction = fraction
        self.requests = 0

    def put_records(self, **request: Any) -> dict:
        self.requests += 1
        fates = [self.rng.random() < self.fraction for _ in request["Records"]]
        passed = [entry for entry, throttled in zip(request["Records"], fates, strict=True) if not throttled]
        answers = iter(super().put_records(**{**request, "Records": passed})["Records"] if passed else [])
        results = [
            {"ErrorCode": THROTTLED, "ErrorMessage": "Rate exceeded"} if throttled else next(answers)
            for throttled in fates
        ]
        return {"FailedRecordCount": sum(fates), "Records": results}


@pytest.mark.parametrize("aggregate", [True, False])
def test_records_with_their_own_key_keep_their_order_per_key_through_throttling(aggregate):
    clock = ManualClock()
    client = Throttling(ShardLimitedKinesis(3, clock=clock), fraction=0.3)
    publisher = KinesisPublisher(
        client,
        "bench",
        aggregate=aggregate,
        sleep=clock.sleep,
        clock=clock,
        max_aggregate_bytes=20_000,
        rng=random.Random(3),
    )
    keyed = [
        OutgoingRecord(f"{key}:{index:06d}".encode(), (key, index), f"user-{key}")
        for index in range(800)
        for key in range(7)
    ]

    outcomes = list(publisher.publish(keyed))

    assert sorted(outcome.ref for outcome in outcomes if outcome.ok) == sorted(record.ref for record in keyed)
    assert publisher.stats.throttled > 0
    arrived: dict[str, list[bytes]] = defaultdict(list)
    for entry, shard_id in client.accepted:
        shard = shard_of(client.stream, shard_id)
        for key, data in users_of(entry):
            assert shard.starting_hash_key <= hash_key(key) <= shard.ending_hash_key
            arrived[key].append(data)
    for key, datas in arrived.items():
        assert datas == sorted(datas), key
        assert len(datas) == 800


@pytest.mark.parametrize("in_flight", [2, 4])
def test_calls_in_flight_publish_every_record_once(in_flight):
    clock = ManualClock()
    client = Throttling(ShardLimitedKinesis(4, clock=clock), fraction=0.2)
    publisher = KinesisPublisher(
        client,
        "bench",
        sleep=clock.sleep,
        clock=clock,
        max_in_flight=in_flight,
        max_aggregate_bytes=30_000,
        retry=RetryPolicy(max_attempts=50),
    )

    outcomes = list(publisher.publish(records(20_000)))

    assert sorted(outcome.ref for outcome in outcomes) == list(range(20_000))
    assert all(outcome.ok for outcome in outcomes)
    received = sorted(data for entry, _ in client.accepted for _, data in users_of(entry))
    assert received == sorted(record.data for record in records(20_000))
    assert publisher.stats.put_calls == client.requests


def test_an_abort_with_calls_in_flight_settles_them_first():
    clock = ManualClock()

    def fail_from_the_fifth_call(call: int, stream: ShardLimitedKinesis) -> None:
        if call >= 5:
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "denied"}}, "PutRecords")

    client = Recording(ShardLimitedKinesis(8, clock=clock), before_call=fail_from_the_fifth_call)
    publisher = KinesisPublisher(
        client,
        "bench",
        sleep=clock.sleep,
        clock=clock,
        max_in_flight=3,
        max_aggregate_bytes=20_000,
        limits=KinesisLimits(max_records_per_call=10),
    )
    settled = []

    with pytest.raises(PublishAbortedError) as caught:
        settled.extend(publisher.publish(records(20_000)))

    published = {outcome.ref for outcome in settled if outcome.ok}
    accepted = {int(data[:8]) for entry, _ in client.accepted for _, data in users_of(entry)}
    pending = caught.value.pending
    assert published == accepted and len(client.accepted) == 4 * 10  # four calls of ten aggregates
    assert not published & set(pending)
    taken = published | set(pending)
    assert taken == set(range(len(taken))) and len(taken) < 20_000  # every record taken is accounted for
    assert caught.value.error_code == "AccessDeniedException"
    assert client.calls <= 4 + 3  # the failing call and those in flight beside it, no more
