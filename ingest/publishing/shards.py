"""The stream's shard map: which open shard owns which part of the 128-bit hash-key space.

Kinesis maps a record to a shard with the MD5 of its partition key, read as a 128-bit integer, or with its
ExplicitHashKey when one is given ("The hash value used to determine explicitly the shard that the data record is
assigned to by overriding the partition key hash": PutRecordsRequestEntry, Kinesis API reference). Knowing the map
lets the publisher aim each aggregate at one shard and pace that shard to its limits.

The map is read with ListShards (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListShards.html):
`ShardFilter={"Type": "AT_LATEST"}` asks for the open shards only, and a response with `NextToken` continues on
the next page, asked for with the token alone ("Don't specify StreamName or StreamCreationTimestamp if you specify
NextToken"). A shard whose SequenceNumberRange has an EndingSequenceNumber is closed (split or merged) and is
dropped even when a server ignores the filter (moto does).

The map goes stale when the stream is resharded. Writes do not fail then: "data records that were flowing to the
parent shards are re-routed to flow to the child shards based on the hash key values" (Kinesis Data Streams
developer guide, "Consider data routing, data persistence, and shard state after a reshard"). The sign is in
PutRecords' answer: an entry accepted by another shard than the one it was aimed at, as the KPL checks too; the
publisher then reads the map again.
"""

from __future__ import annotations

import bisect
import hashlib
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ingest.publishing.packing import random_partition_key

HASH_KEY_SPACE = 2**128
UNKNOWN_SHARD = "unknown"
"""The shard id of the map used when the real one cannot be read: one range over the whole key space."""


def hash_key(partition_key: str) -> int:
    """Where Kinesis puts a partition key: its MD5 as a big-endian 128-bit integer."""
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


@dataclass(frozen=True)
class ShardRange:
    shard_id: str
    start: int
    end: int
    """Inclusive, as ListShards' EndingHashKey."""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and self.start <= key <= self.end


class ShardMap:
    """Open shards in hash-key order. `known` is False for the whole-space stand-in used without a map."""

    def __init__(self, shards: Sequence[ShardRange], *, known: bool = True) -> None:
        if not shards:
            raise ValueError("a shard map needs at least one open shard")
        self.shards = tuple(sorted(shards, key=lambda shard: shard.start))
        self.known = known
        self._starts = [shard.start for shard in self.shards]

    @classmethod
    def unknown(cls) -> ShardMap:
        return cls([ShardRange(UNKNOWN_SHARD, 0, HASH_KEY_SPACE - 1)], known=False)

    def __len__(self) -> int:
        return len(self.shards)

    def position_of(self, key: int) -> int | None:
        """The position of the shard owning hash key `key`, or None when no open shard does (mid-reshard)."""
        position = bisect.bisect_right(self._starts, key) - 1
        if position >= 0 and key <= self.shards[position].end:
            return position
        return None


def list_open_shards(client: Any, stream: Mapping[str, str]) -> ShardMap:
    """The stream's open shards, every page of them. `stream` is `{"StreamName": ...}` or `{"StreamARN": ...}`.
    A list with no open shard (caught mid-reshard) gives the unknown map: publishing goes on without pacing."""
    shards = [_shard_range(shard) for shard in _pages(client, stream) if _is_open(shard)]
    return ShardMap(shards) if shards else ShardMap.unknown()


def _pages(client: Any, stream: Mapping[str, str]) -> Iterator[Mapping[str, Any]]:
    response = client.list_shards(**stream, ShardFilter={"Type": "AT_LATEST"})
    yield from response.get("Shards", ())
    while token := response.get("NextToken"):
        response = client.list_shards(NextToken=token)
        yield from response.get("Shards", ())


def _is_open(shard: Mapping[str, Any]) -> bool:
    return "EndingSequenceNumber" not in shard.get("SequenceNumberRange", {})


def _shard_range(shard: Mapping[str, Any]) -> ShardRange:
    hash_range = shard["HashKeyRange"]
    return ShardRange(shard["ShardId"], int(hash_range["StartingHashKey"]), int(hash_range["EndingHashKey"]))


def keys_into_shards(shard_map: ShardMap, rng: random.Random, *, tries_per_shard: int = 64) -> list[str | None]:
    """For each shard, a random partition key whose MD5 falls in it (None where none was found in the budget).

    An aggregate aimed at a shard carries that shard's key: every user record in it then hashes into the shard
    it is stored in, which the KCL checks when it de-aggregates (it drops records whose key hashes elsewhere).
    Keys are drawn at random and kept by the shard they land in: about n ln n draws for n equal shards. A shard
    too narrow to be hit in the budget gets no key and takes no keyless aggregates.
    """
    keys: list[str | None] = [None] * len(shard_map)
    missing = len(shard_map)
    for _ in range(tries_per_shard * len(shard_map)):
        key = random_partition_key(rng)
        position = shard_map.position_of(hash_key(key))
        if position is not None and keys[position] is None:
            keys[position] = key
            missing -= 1
            if not missing:
                break
    return keys
