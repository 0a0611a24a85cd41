"""KPL aggregation: many user records in one Kinesis record, written with `ingest.publishing.kpl`.

KCL 2.x drops a user record whose partition-key hash falls outside the shard holding its aggregate. So every user
record of an aggregate carries a key that hashes into the shard the aggregate is sent to:
- records without a key of their own (the publisher's normal case) go into one aggregate at a time, and the
  aggregate gets its key when it is sealed, from `route`: with a shard map, the key of the shard the publisher
  picked (see `shards.keys_into_shards`) and that shard's hash key as ExplicitHashKey; without one, a fresh random
  key, so aggregates spread over the shards;
- records with their own key go into the aggregate of the shard their key hashes to (`KeyedAggregate`), in
  arrival order, as the KPL does.
Sizes count everything the service counts: magic, key table, framing, digest and the outer partition key.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable

from components.core.limits import KINESIS_LIMITS, KinesisLimits
from ingest.publishing import kpl
from ingest.publishing.batching import PutEntry
from ingest.publishing.model import OutgoingRecord
from ingest.publishing.packing import PARTITION_KEY_CHARS, Route, random_partition_key

_RESERVED = kpl.FRAMING_BYTES + len(kpl.key_table_entry(b"k" * PARTITION_KEY_CHARS)) + PARTITION_KEY_CHARS
"""Bytes of a keyless aggregate besides its records: magic, digest, the one-key table and the outer key."""
_NOTHING: list[PutEntry] = []
"""Returned (never mutated) when adding a record completes no entry: most calls, so no list is built for them."""


class AggregatingPacker:
    """Fills one keyless aggregate at a time, up to `max_bytes` counting everything the service counts."""

    def __init__(
        self,
        rng: random.Random,
        *,
        max_bytes: int | None = None,
        limits: KinesisLimits = KINESIS_LIMITS,
        route: Callable[[int], Route] | None = None,
    ) -> None:
        self._max_bytes = min(max_bytes or limits.max_bytes_per_record, limits.max_bytes_per_record)
        self._capacity = self._max_bytes - _RESERVED
        self._route = route or (lambda size: Route(random_partition_key(rng)))
        self._headers: dict[int, bytes] = {}
        """Record headers by data length (all records here have key index 0; lengths repeat)."""
        self._parts: list[bytes] = []
        self._refs: list[Hashable] = []
        self._size = 0

    @property
    def held_refs(self) -> list[Hashable]:
        """Refs of the records in the aggregate being filled."""
        return self._refs

    def add(self, record: OutgoingRecord) -> list[PutEntry]:
        # The publisher's hottest path (once per record): no helper calls unless an aggregate completes.
        data = record.data
        length = len(data)
        header = self._headers.get(length)
        if header is None:
            header = self._headers[length] = kpl.record_header(0, length)
        framed = len(header) + length
        size = self._size + framed
        completed = _NOTHING
        if size > self._capacity:
            if framed > self._capacity:
                return [self._alone(data, record.ref)]
            completed = self.flush()
            size = framed
        parts = self._parts
        parts.append(header)
        parts.append(data)
        self._refs.append(record.ref)
        self._size = size
        return completed

    def flush(self) -> list[PutEntry]:
        if not self._refs:
            return []
        parts, refs, size = self._parts, self._refs, self._size
        self._parts, self._refs, self._size = [], [], 0
        if len(refs) == 1:
            # As the KPL does: a lone record gains nothing from the aggregate's framing.
            return [self._alone(parts[1], refs[0])]
        route = self._route(size + _RESERVED)
        data = kpl.aggregate([route.partition_key.encode("utf-8")], parts)
        return [PutEntry(data, route.partition_key, tuple(refs), route.explicit_hash_key)]

    def _alone(self, data: bytes, ref: Hashable) -> PutEntry:
        """A record too big to share an aggregate goes as a plain Kinesis record; de-aggregators pass it
        through unchanged."""
        route = self._route(len(data) + PARTITION_KEY_CHARS)
        return PutEntry(data, route.partition_key, (ref,), route.explicit_hash_key)


class KeyedAggregate:
    """Records with their own partition keys, all hashing into one shard, in arrival order."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._keys: dict[str, int] = {}
        self._parts: list[bytes] = []
        self._refs: list[Hashable] = []
        self._size = kpl.FRAMING_BYTES

    @property
    def held_refs(self) -> list[Hashable]:
        return self._refs

    def add(self, record: OutgoingRecord, partition_key: str) -> bool:
        """Append `record` under `partition_key`; False (and nothing appended) when it does not fit."""
        index = self._keys.get(partition_key)
        key_bytes = partition_key.encode("utf-8")
        grows = 0 if index is not None else len(kpl.key_table_entry(key_bytes))
        header = kpl.record_header(len(self._keys) if index is None else index, len(record.data))
        outer_key = len(key_bytes) if not self._keys else 0
        added = grows + len(header) + len(record.data) + outer_key
        if self._refs and self._size + added > self._max_bytes:
            return False
        if index is None:
            self._keys[partition_key] = len(self._keys)
        self._parts.append(header)
        self._parts.append(record.data)
        self._refs.append(record.ref)
        self._size += added
        return True

    def seal(self) -> PutEntry:
        """The aggregate (or the lone record) under its first record's key, which hashes into the shard."""
        first_key = next(iter(self._keys))
        if len(self._refs) == 1:
            return PutEntry(self._parts[1], first_key, (self._refs[0],))
        data = kpl.aggregate([key.encode("utf-8") for key in self._keys], self._parts)
        return PutEntry(data, first_key, tuple(self._refs))
