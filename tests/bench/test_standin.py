"""The shard-limited Kinesis stand-in enforces each limit as the service does, on a manual clock."""

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from bench.kinesis_limits import MIB
from bench.standin import HASH_KEY_SPACE, THROTTLED, ShardLimitedKinesis
from ingest.publishing import describe_stream
from tests.bench.conftest import entries

SHARD_1_HASH = HASH_KEY_SPACE // 2  # first hash key of the second shard of two


def fill(kinesis, count: int, **entry) -> None:
    """Send `count` records in calls of at most 500, all of them accepted."""
    while count:
        batch = min(count, 500)
        assert kinesis.put_records(StreamName="bench", Records=entries(batch, **entry))["FailedRecordCount"] == 0
        count -= batch


def shard_ids(response: dict) -> list[str | None]:
    return [result.get("ShardId") for result in response["Records"]]


def test_a_shard_takes_1000_records_per_second_then_throttles(stream, clock):
    kinesis = stream(1)
    first = kinesis.put_records(StreamName="bench", Records=entries(500))
    second = kinesis.put_records(StreamName="bench", Records=entries(500))
    third = kinesis.put_records(StreamName="bench", Records=entries(500))

    assert first["FailedRecordCount"] == second["FailedRecordCount"] == 0
    assert third["FailedRecordCount"] == 500
    assert all(result["ErrorCode"] == THROTTLED for result in third["Records"])
    clock.advance(0.999)
    assert kinesis.put_records(StreamName="bench", Records=entries(1))["FailedRecordCount"] == 1
    clock.advance(0.001)
    assert kinesis.put_records(StreamName="bench", Records=entries(500))["FailedRecordCount"] == 0


def test_a_shard_takes_1_mib_per_second_then_throttles(stream, clock):
    kinesis = stream(1)
    quarter = MIB // 4
    response = kinesis.put_records(StreamName="bench", Records=entries(5, quarter))

    assert [result.get("ErrorCode") for result in response["Records"]] == [None, None, None, None, THROTTLED]
    clock.advance(0.5)
    assert kinesis.put_records(StreamName="bench", Records=entries(1, 1))["FailedRecordCount"] == 1
    clock.advance(0.5)
    assert kinesis.put_records(StreamName="bench", Records=entries(4, quarter))["FailedRecordCount"] == 0


def test_the_window_slides_rather_than_resetting_each_second(stream, clock):
    kinesis = stream(1)
    kinesis.put_records(StreamName="bench", Records=entries(500))
    clock.advance(0.5)
    kinesis.put_records(StreamName="bench", Records=entries(500))
    clock.advance(0.5)  # the first 500 left the window, the second 500 are still in it

    response = kinesis.put_records(StreamName="bench", Records=entries(499) + entries(1))
    refused = kinesis.put_records(StreamName="bench", Records=entries(1))

    assert response["FailedRecordCount"] == 0
    assert refused["Records"][0]["ErrorCode"] == THROTTLED


def test_throttled_records_consume_nothing(stream, clock):
    kinesis = stream(1)
    fill(kinesis, 999)
    for _ in range(5):
        kinesis.put_records(StreamName="bench", Records=entries(500))  # 1 accepted, then 499 refused each time

    shard = kinesis.shards[0]
    assert shard.accepted_records == 1000
    assert shard.throttled_records == 5 * 500 - 1


def test_limits_are_per_shard(stream):
    kinesis = stream(2)
    fill(kinesis, 1000, hash_key=0)

    response = kinesis.put_records(
        StreamName="bench", Records=entries(2, hash_key=0) + entries(2, hash_key=SHARD_1_HASH)
    )

    assert [result.get("ErrorCode") for result in response["Records"]] == [THROTTLED, THROTTLED, None, None]
    assert shard_ids(response)[2:] == ["shardId-000000000001"] * 2
    assert response["FailedRecordCount"] == 2


def test_partial_failure_form_matches_the_service(stream):
    kinesis = stream(1)
    fill(kinesis, 999)

    response = kinesis.put_records(StreamName="bench", Records=entries(3))

    assert response["FailedRecordCount"] == 2
    accepted, *refused = response["Records"]
    assert set(accepted) == {"SequenceNumber", "ShardId"}
    for result in refused:
        assert set(result) == {"ErrorCode", "ErrorMessage"}
        assert result["ErrorCode"] == "ProvisionedThroughputExceededException"
        assert "shardId-000000000000" in result["ErrorMessage"]


@pytest.mark.parametrize("shards", [1, 2, 3, 4])
def test_partition_keys_go_to_the_shard_owning_their_md5(stream, shards):
    kinesis = stream(shards)
    keys = [f"key-{index}" for index in range(200)]
    response = kinesis.put_records(StreamName="bench", Records=[{"Data": b"x", "PartitionKey": key} for key in keys])

    ranges = [
        (int(shard["HashKeyRange"]["StartingHashKey"]), int(shard["HashKeyRange"]["EndingHashKey"]), shard["ShardId"])
        for shard in kinesis.list_shards(StreamName="bench")["Shards"]
    ]
    for key, shard_id in zip(keys, shard_ids(response), strict=True):
        hashed = int(hashlib.md5(key.encode()).hexdigest(), 16)
        assert [owner for start, end, owner in ranges if start <= hashed <= end] == [shard_id]
    assert len(set(shard_ids(response))) == shards  # 200 keys reach every shard


@pytest.mark.parametrize("shards", [1, 2, 3, 4, 7])
def test_shards_split_the_hash_key_space_evenly_without_gaps(stream, shards):
    described = stream(shards).list_shards(StreamName="bench")["Shards"]
    ranges = [(int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"])) for s in described]

    assert ranges[0][0] == 0
    assert ranges[-1][1] == HASH_KEY_SPACE - 1
    assert all(next_start == end + 1 for (_, end), (next_start, _) in zip(ranges, ranges[1:], strict=False))
    widths = {end - start + 1 for start, end in ranges}
    assert max(widths) - min(widths) <= 1


def test_an_explicit_hash_key_overrides_the_partition_key(stream):
    kinesis = stream(2)
    same_key = [
        {"Data": b"x", "PartitionKey": "same", "ExplicitHashKey": "0"},
        {"Data": b"x", "PartitionKey": "same", "ExplicitHashKey": str(HASH_KEY_SPACE - 1)},
    ]

    response = kinesis.put_records(StreamName="bench", Records=same_key)

    assert shard_ids(response) == ["shardId-000000000000", "shardId-000000000001"]
    single = kinesis.put_record(StreamName="bench", Data=b"x", PartitionKey="same", ExplicitHashKey=str(SHARD_1_HASH))
    assert single["ShardId"] == "shardId-000000000001"


@pytest.mark.parametrize("hash_key", [str(HASH_KEY_SPACE), "-1", "abc"])
def test_an_explicit_hash_key_outside_the_space_is_refused(stream, hash_key):
    with pytest.raises(ClientError) as raised:
        stream(1).put_records(
            StreamName="bench", Records=[{"Data": b"x", "PartitionKey": "k", "ExplicitHashKey": hash_key}]
        )
    assert raised.value.response["Error"]["Code"] == "InvalidArgumentException"


def test_put_record_raises_throttling_once_the_shard_is_full(stream, clock):
    kinesis = stream(1)
    fill(kinesis, 1000)

    with pytest.raises(ClientError) as raised:
        kinesis.put_record(StreamName="bench", Data=b"x", PartitionKey="k")

    assert raised.value.response["Error"]["Code"] == THROTTLED
    assert raised.value.operation_name == "PutRecord"
    clock.advance(1)
    assert kinesis.put_record(StreamName="bench", Data=b"x", PartitionKey="k")["ShardId"] == "shardId-000000000000"


@pytest.mark.parametrize(
    ("records", "code"),
    [
        (entries(501), "ValidationException"),
        ([], "ValidationException"),
        (entries(6, MIB), "InvalidArgumentException"),
        (entries(1, MIB + 1), "ValidationException"),
        ([{"Data": b"x", "PartitionKey": "k" * 257}], "ValidationException"),
        ([{"Data": b"x", "PartitionKey": ""}], "ValidationException"),
    ],
)
def test_call_limits_fail_the_whole_call(stream, records, code):
    kinesis = stream(1)
    with pytest.raises(ClientError) as raised:
        kinesis.put_records(StreamName="bench", Records=records)
    assert raised.value.response["Error"]["Code"] == code
    assert kinesis.shards[0].accepted_records == 0


def test_a_record_of_exactly_1_mib_with_its_key_fits_an_empty_shard(stream):
    response = stream(1).put_records(StreamName="bench", Records=entries(1, MIB))
    assert response["FailedRecordCount"] == 0


def test_the_stream_is_named_by_name_or_arn_and_others_do_not_exist(stream):
    kinesis = stream(1)
    by_arn = kinesis.put_records(StreamARN=kinesis.stream_arn, Records=entries(1))
    assert by_arn["FailedRecordCount"] == 0
    with pytest.raises(ClientError) as raised:
        kinesis.put_records(StreamName="other", Records=entries(1))
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_the_project_can_describe_it(stream):
    description = describe_stream(stream(4), "bench")
    assert (description.status, description.open_shard_count, description.stream_mode) == ("ACTIVE", 4, "PROVISIONED")


def test_list_shards_pages_and_a_next_token_comes_alone():
    kinesis = ShardLimitedKinesis(5, page_size=2)
    first = kinesis.list_shards(StreamName="bench")
    assert len(first["Shards"]) == 2 and "NextToken" in first
    with pytest.raises(ClientError) as raised:
        kinesis.list_shards(StreamName="bench", NextToken=first["NextToken"])
    assert raised.value.response["Error"]["Code"] == "InvalidArgumentException"
    second = kinesis.list_shards(NextToken=first["NextToken"])
    third = kinesis.list_shards(NextToken=second["NextToken"])
    assert [len(page["Shards"]) for page in (first, second, third)] == [2, 2, 1] and "NextToken" not in third


def test_a_split_closes_the_parent_and_its_children_take_its_writes(clock):
    kinesis = ShardLimitedKinesis(2, clock=clock)
    middle = HASH_KEY_SPACE // 4
    kinesis.split_shard(StreamName="bench", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(middle))

    every = kinesis.list_shards(StreamName="bench")["Shards"]
    latest = kinesis.list_shards(StreamName="bench", ShardFilter={"Type": "AT_LATEST"})["Shards"]
    assert "EndingSequenceNumber" in every[0]["SequenceNumberRange"]
    assert [shard["ShardId"] for shard in latest] == [
        "shardId-000000000001",
        "shardId-000000000002",
        "shardId-000000000003",
    ]
    assert latest[1]["ParentShardId"] == "shardId-000000000000"
    low = kinesis.put_records(StreamName="bench", Records=entries(1, hash_key=middle - 1))["Records"][0]
    high = kinesis.put_records(StreamName="bench", Records=entries(1, hash_key=middle))["Records"][0]
    assert (low["ShardId"], high["ShardId"]) == ("shardId-000000000002", "shardId-000000000003")
    assert kinesis.describe_stream_summary(StreamName="bench")["StreamDescriptionSummary"]["OpenShardCount"] == 3


def test_a_merge_joins_adjacent_shards_only():
    kinesis = ShardLimitedKinesis(3)
    with pytest.raises(ClientError):
        kinesis.merge_shards(
            StreamName="bench", ShardToMerge="shardId-000000000000", AdjacentShardToMerge="shardId-000000000002"
        )
    kinesis.merge_shards(
        StreamName="bench", ShardToMerge="shardId-000000000001", AdjacentShardToMerge="shardId-000000000002"
    )
    merged = kinesis.open_shards[-1]
    assert (merged.shard_id, merged.parents) == (
        "shardId-000000000003",
        ("shardId-000000000001", "shardId-000000000002"),
    )
    assert merged.ending_hash_key == HASH_KEY_SPACE - 1
    with pytest.raises(ClientError) as raised:
        kinesis.split_shard(StreamName="bench", ShardToSplit="shardId-000000000001", NewStartingHashKey="5")
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"  # closed


def test_calls_from_several_threads_are_counted_once_each(clock):
    kinesis = ShardLimitedKinesis(4, clock=clock)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: kinesis.put_records(StreamName="bench", Records=entries(100)), range(40)))
    assert sum(shard.accepted_records + shard.throttled_records for shard in kinesis.shards) == 4000


def test_a_latency_makes_each_call_take_a_round_trip():
    kinesis = ShardLimitedKinesis(1, latency=0.05)
    start = time.perf_counter()
    kinesis.put_records(StreamName="bench", Records=entries(1))
    assert time.perf_counter() - start >= 0.05
