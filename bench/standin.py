"""A Kinesis stream stand-in that enforces the per-shard write limits, so a backfill can meet them offline.

moto accepts any rate, so against it every producer looks limitless. This stand-in is a client object with
the calls the producers make (`put_records`, `put_record`, `describe_stream_summary`, `list_shards`) and
answers them as Kinesis does at the limits:

- the stream's shards own equal ranges of the 128-bit hash-key space; a record goes to the open shard owning
  the MD5 of its partition key, or its `ExplicitHashKey` when given;
- `split_shard` and `merge_shards` reshard at once (the service takes a while, in UPDATING): the parents close,
  their children take over their hash keys, and writes aimed at a parent's range land in a child;
- `list_shards` pages its answer (`page_size` shards a page, `NextToken` for the next, which must then come
  alone) and honours `ShardFilter={"Type": "AT_LATEST"}` (open shards only); without a filter closed shards
  are listed too, with their EndingSequenceNumber, as the service does;
- each shard takes at most 1 MiB and 1,000 records in any one-second window (a sliding window: strict, where
  the service tolerates short bursts); throttled records consume nothing;
- `PutRecords` throttles record by record, in its partial-failure form (`FailedRecordCount`, an `ErrorCode`
  of ProvisionedThroughputExceededException on each refused entry); `PutRecord` raises that error;
- per-call limits (500 records, 5 MiB, 1 MiB per record, 1 to 256 key characters) fail the whole call as
  the service does, so a producer that breaks them is not measured as fast.

Records are counted, not stored. `clock` is injectable: tests drive it by hand, the benchmark runs in real
time. The stand-in does no network or serialisation work, so wall times measure the limits and the
producer's own reaction to them, not an emulator; `latency` (seconds, real time, off by default) makes each
PutRecords call take a network round trip, half before the shards see it and half after. Calls may come from
several threads at once (a producer with calls in flight): the shards are updated under one lock.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from bench.kinesis_limits import MIB, SHARD_LIMITS, ShardLimits, record_size

HASH_KEY_SPACE = 2**128
THROTTLED = "ProvisionedThroughputExceededException"
MAX_RECORDS_PER_CALL = 500
MAX_BYTES_PER_CALL = 5 * MIB
MAX_BYTES_PER_RECORD = MIB
MAX_PARTITION_KEY_CHARS = 256
ACCOUNT = "123456789012"
REGION = "us-east-1"


class ShardWindow:
    """What one shard accepted during the last second, to decide whether it can take one more record."""

    def __init__(self, limits: ShardLimits) -> None:
        self._limits = limits
        self._accepted: deque[tuple[float, int]] = deque()
        self._bytes = 0

    def admit(self, now: float, size: int) -> bool:
        horizon = now - 1.0
        while self._accepted and self._accepted[0][0] <= horizon:
            self._bytes -= self._accepted.popleft()[1]
        if len(self._accepted) >= self._limits.records_per_second:
            return False
        if self._bytes + size > self._limits.bytes_per_second:
            return False
        self._accepted.append((now, size))
        self._bytes += size
        return True


@dataclass
class Shard:
    shard_id: str
    starting_hash_key: int
    ending_hash_key: int
    window: ShardWindow
    accepted_records: int = 0
    throttled_records: int = 0
    sequence: itertools.count = field(default_factory=itertools.count)
    open: bool = True
    parents: tuple[str, ...] = ()

    def describe(self) -> dict[str, object]:
        sequence_range = {"StartingSequenceNumber": "0"}
        if not self.open:
            sequence_range["EndingSequenceNumber"] = f"{self.accepted_records:056d}"
        described: dict[str, object] = {
            "ShardId": self.shard_id,
            "HashKeyRange": {
                "StartingHashKey": str(self.starting_hash_key),
                "EndingHashKey": str(self.ending_hash_key),
            },
            "SequenceNumberRange": sequence_range,
        }
        if self.parents:
            described["ParentShardId"] = self.parents[0]
        if len(self.parents) > 1:
            described["AdjacentParentShardId"] = self.parents[1]
        return described


def equal_shards(count: int, limits: ShardLimits) -> list[Shard]:
    """`count` shards splitting the hash-key space evenly, as CreateStream does."""
    if count < 1:
        raise ValueError(f"a stream has at least one shard, got {count}")
    bounds = [index * HASH_KEY_SPACE // count for index in range(count + 1)]
    return [
        Shard(f"shardId-{index:012d}", bounds[index], bounds[index + 1] - 1, ShardWindow(limits))
        for index in range(count)
    ]


def partition_hash(partition_key: str) -> int:
    """Kinesis maps a partition key to a 128-bit integer with MD5."""
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def _client_error(code: str, message: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class ShardLimitedKinesis:
    """One PROVISIONED stream of `shard_count` shards behind a boto3-compatible Kinesis client surface
    (keyword-only, with boto3's CamelCase parameter names)."""

    def __init__(
        self,
        shard_count: int,
        *,
        stream_name: str = "bench",
        limits: ShardLimits = SHARD_LIMITS,
        clock: Callable[[], float] = time.monotonic,
        latency: float = 0.0,
        page_size: int = 1000,
    ) -> None:
        self.stream_name = stream_name
        self.stream_arn = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{stream_name}"
        self.shards = equal_shards(shard_count, limits)
        self.list_shards_calls = 0
        self._limits = limits
        self._clock = clock
        self._latency = latency
        self._page_size = page_size
        self._lock = threading.Lock()
        self._route_table()

    @property
    def open_shards(self) -> list[Shard]:
        return [shard for shard in self.shards if shard.open]

    # -- the client surface -----------------------------------------------------------------------------------

    def put_records(
        self, *, Records: Sequence[Mapping[str, Any]], StreamName: str | None = None, StreamARN: str | None = None
    ) -> dict[str, object]:
        self._check_stream(StreamName, StreamARN, "PutRecords")
        self._check_call(Records)
        if self._latency:
            time.sleep(self._latency / 2)
        with self._lock:
            now = self._clock()
            results = [self._put(self._route(entry, "PutRecords"), entry, now) for entry in Records]
        if self._latency:
            time.sleep(self._latency / 2)
        failed = sum(1 for result in results if "ErrorCode" in result)
        return {"FailedRecordCount": failed, "Records": results, "EncryptionType": "NONE"}

    def put_record(
        self,
        *,
        Data: bytes,
        PartitionKey: str,
        StreamName: str | None = None,
        StreamARN: str | None = None,
        ExplicitHashKey: str | None = None,
    ) -> dict[str, str]:
        self._check_stream(StreamName, StreamARN, "PutRecord")
        entry = {"Data": Data, "PartitionKey": PartitionKey}
        if ExplicitHashKey is not None:
            entry["ExplicitHashKey"] = ExplicitHashKey
        self._check_entry(entry, "PutRecord")
        with self._lock:
            result = self._put(self._route(entry, "PutRecord"), entry, self._clock())
        if "ErrorCode" in result:
            raise _client_error(result["ErrorCode"], result["ErrorMessage"], "PutRecord")
        return {**result, "EncryptionType": "NONE"}

    def describe_stream_summary(
        self, *, StreamName: str | None = None, StreamARN: str | None = None
    ) -> dict[str, object]:
        self._check_stream(StreamName, StreamARN, "DescribeStreamSummary")
        return {
            "StreamDescriptionSummary": {
                "StreamName": self.stream_name,
                "StreamARN": self.stream_arn,
                "StreamStatus": "ACTIVE",
                "StreamModeDetails": {"StreamMode": "PROVISIONED"},
                "OpenShardCount": len(self.open_shards),
                "EncryptionType": "NONE",
                "RetentionPeriodHours": 24,
            }
        }

    def list_shards(
        self,
        *,
        StreamName: str | None = None,
        StreamARN: str | None = None,
        NextToken: str | None = None,
        MaxResults: int | None = None,
        ShardFilter: Mapping[str, Any] | None = None,
    ) -> dict[str, object]:
        self.list_shards_calls += 1
        if NextToken is not None:
            if StreamName is not None or StreamARN is not None:
                raise _client_error(
                    "InvalidArgumentException", "NextToken and StreamName cannot be provided together", "ListShards"
                )
            start, filter_type = self._resume_listing(NextToken)
        else:
            self._check_stream(StreamName, StreamARN, "ListShards")
            start, filter_type = "0", self._shard_filter(ShardFilter)
        with self._lock:
            listed = self.open_shards if filter_type == "AT_LATEST" else list(self.shards)
        first = int(start)
        size = min(MaxResults or self._page_size, self._page_size)
        answer: dict[str, object] = {"Shards": [shard.describe() for shard in listed[first : first + size]]}
        if first + size < len(listed):
            answer["NextToken"] = f"{self.stream_name}|{first + size}|{filter_type}"
        return answer

    # ListShards' paging rules: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListShards.html
    def _resume_listing(self, token: str) -> tuple[str, str]:
        """(first shard's position, filter type) from a NextToken this stand-in handed out."""
        stream, _, rest = token.partition("|")
        if stream != self.stream_name:
            raise _client_error("ExpiredNextTokenException", "the token is not this stream's", "ListShards")
        start, filter_type = rest.split("|")
        return start, filter_type

    @staticmethod
    def _shard_filter(shard_filter: Mapping[str, Any] | None) -> str:
        filter_type = str((shard_filter or {}).get("Type", ""))
        if filter_type not in ("", "AT_LATEST"):
            raise _client_error("InvalidArgumentException", f"ShardFilter {filter_type} is not modelled", "ListShards")
        return filter_type

    def split_shard(
        self, *, ShardToSplit: str, NewStartingHashKey: str, StreamName: str | None = None, StreamARN: str | None = None
    ) -> dict[str, object]:
        self._check_stream(StreamName, StreamARN, "SplitShard")
        with self._lock:
            parent = self._open_shard(ShardToSplit, "SplitShard")
            middle = int(NewStartingHashKey)
            if not parent.starting_hash_key < middle <= parent.ending_hash_key:
                raise _client_error("InvalidArgumentException", "NewStartingHashKey is outside the shard", "SplitShard")
            parent.open = False
            self._add_shard(parent.starting_hash_key, middle - 1, (parent.shard_id,))
            self._add_shard(middle, parent.ending_hash_key, (parent.shard_id,))
            self._route_table()
        return {}

    def merge_shards(
        self,
        *,
        ShardToMerge: str,
        AdjacentShardToMerge: str,
        StreamName: str | None = None,
        StreamARN: str | None = None,
    ) -> dict[str, object]:
        self._check_stream(StreamName, StreamARN, "MergeShards")
        with self._lock:
            first = self._open_shard(ShardToMerge, "MergeShards")
            second = self._open_shard(AdjacentShardToMerge, "MergeShards")
            low, high = sorted((first, second), key=lambda shard: shard.starting_hash_key)
            if low.ending_hash_key + 1 != high.starting_hash_key:
                raise _client_error("InvalidArgumentException", "the shards are not adjacent", "MergeShards")
            first.open = second.open = False
            self._add_shard(low.starting_hash_key, high.ending_hash_key, (first.shard_id, second.shard_id))
            self._route_table()
        return {}

    # -- resharding -------------------------------------------------------------------------------------------

    def _open_shard(self, shard_id: str, operation: str) -> Shard:
        for shard in self.shards:
            if shard.shard_id == shard_id and shard.open:
                return shard
        raise _client_error("ResourceNotFoundException", f"no open shard {shard_id}", operation)

    def _add_shard(self, start: int, end: int, parents: tuple[str, ...]) -> None:
        shard_id = f"shardId-{len(self.shards):012d}"
        self.shards.append(Shard(shard_id, start, end, ShardWindow(self._limits), parents=parents))

    def _route_table(self) -> None:
        self._open = sorted(self.open_shards, key=lambda shard: shard.starting_hash_key)
        self._starts = [shard.starting_hash_key for shard in self._open]

    # -- limits -----------------------------------------------------------------------------------------------

    def _put(self, shard: Shard, entry: Mapping[str, Any], now: float) -> dict[str, str]:
        size = record_size(entry["Data"], entry["PartitionKey"])
        if not shard.window.admit(now, size):
            shard.throttled_records += 1
            return {
                "ErrorCode": THROTTLED,
                "ErrorMessage": (
                    f"Rate exceeded for shard {shard.shard_id} in stream {self.stream_name} under account {ACCOUNT}."
                ),
            }
        shard.accepted_records += 1
        return {"SequenceNumber": f"{next(shard.sequence):056d}", "ShardId": shard.shard_id}

    def _route(self, entry: Mapping[str, Any], operation: str) -> Shard:
        explicit = entry.get("ExplicitHashKey")
        if explicit is None:
            hash_key = partition_hash(entry["PartitionKey"])
        else:
            hash_key = int(explicit) if str(explicit).isdecimal() else -1
            if not 0 <= hash_key < HASH_KEY_SPACE:
                raise _client_error(
                    "InvalidArgumentException", f"ExplicitHashKey {explicit!r} is not in [0, 2^128)", operation
                )
        return self._open[bisect.bisect_right(self._starts, hash_key) - 1]

    def _check_stream(self, name: str | None, arn: str | None, operation: str) -> None:
        if (name is None) == (arn is None):
            raise _client_error("ValidationException", "specify either StreamName or StreamARN", operation)
        if name not in (None, self.stream_name) or arn not in (None, self.stream_arn):
            raise _client_error("ResourceNotFoundException", f"Stream {name or arn} not found", operation)

    def _check_call(self, records: Sequence[Mapping[str, Any]]) -> None:
        if not 1 <= len(records) <= MAX_RECORDS_PER_CALL:
            raise _client_error(
                "ValidationException", f"a PutRecords call takes 1 to {MAX_RECORDS_PER_CALL} records", "PutRecords"
            )
        for entry in records:
            self._check_entry(entry, "PutRecords")
        total = sum(record_size(entry["Data"], entry["PartitionKey"]) for entry in records)
        if total > MAX_BYTES_PER_CALL:
            raise _client_error(
                "InvalidArgumentException",
                f"{total} bytes exceed the {MAX_BYTES_PER_CALL}-byte call limit",
                "PutRecords",
            )

    @staticmethod
    def _check_entry(entry: Mapping[str, Any], operation: str) -> None:
        key = entry["PartitionKey"]
        if not 1 <= len(key) <= MAX_PARTITION_KEY_CHARS:
            raise _client_error("ValidationException", "a partition key has 1 to 256 characters", operation)
        if record_size(entry["Data"], key) > MAX_BYTES_PER_RECORD:
            raise _client_error(
                "ValidationException", f"a record holds at most {MAX_BYTES_PER_RECORD} bytes with its key", operation
            )
