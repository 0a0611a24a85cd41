"""A Kinesis stream stand-in that enforces the per-shard write limits, so a backfill can meet them offline.

moto accepts any rate, so against it every producer looks limitless. This stand-in is a client object with
the calls the producers make (`put_records`, `put_record`, `describe_stream_summary`, `list_shards`) and
answers them as Kinesis does at the limits:

- the stream's shards own equal ranges of the 128-bit hash-key space; a record goes to the shard owning
  the MD5 of its partition key, or its `ExplicitHashKey` when given;
- each shard takes at most 1 MiB and 1,000 records in any one-second window (a sliding window: strict, where
  the service tolerates short bursts); throttled records consume nothing;
- `PutRecords` throttles record by record, in its partial-failure form (`FailedRecordCount`, an `ErrorCode`
  of ProvisionedThroughputExceededException on each refused entry); `PutRecord` raises that error;
- per-call limits (500 records, 5 MiB, 1 MiB per record, 1 to 256 key characters) fail the whole call as
  the service does, so a producer that breaks them is not measured as fast.

Records are counted, not stored. `clock` is injectable: tests drive it by hand, the benchmark runs in real
time. The stand-in does no network or serialisation work, so wall times measure the limits and the
producer's own reaction to them, not an emulator.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
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

    def describe(self) -> dict[str, object]:
        return {
            "ShardId": self.shard_id,
            "HashKeyRange": {
                "StartingHashKey": str(self.starting_hash_key),
                "EndingHashKey": str(self.ending_hash_key),
            },
            "SequenceNumberRange": {"StartingSequenceNumber": "0"},
        }


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
    ) -> None:
        self.stream_name = stream_name
        self.stream_arn = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{stream_name}"
        self.shards = equal_shards(shard_count, limits)
        self._starts = [shard.starting_hash_key for shard in self.shards]
        self._clock = clock

    # -- the client surface -----------------------------------------------------------------------------------

    def put_records(
        self, *, Records: Sequence[Mapping[str, Any]], StreamName: str | None = None, StreamARN: str | None = None
    ) -> dict[str, object]:
        self._check_stream(StreamName, StreamARN, "PutRecords")
        self._check_call(Records)
        now = self._clock()
        results: list[dict[str, str]] = []
        for entry in Records:
            shard = self._route(entry, "PutRecords")
            results.append(self._put(shard, entry, now))
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
                "OpenShardCount": len(self.shards),
                "EncryptionType": "NONE",
                "RetentionPeriodHours": 24,
            }
        }

    def list_shards(self, *, StreamName: str | None = None, StreamARN: str | None = None) -> dict[str, object]:
        self._check_stream(StreamName, StreamARN, "ListShards")
        return {"Shards": [shard.describe() for shard in self.shards]}

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
        return self.shards[bisect.bisect_right(self._starts, hash_key) - 1]

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
