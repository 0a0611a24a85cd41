"""The dispatcher's lanes: per shard, the entries waiting to be sent, the shard's budget, and where entries go.

Each open shard of the map is a lane with a FIFO queue, a `ShardBudget` and at most one call in flight (so a
resent entry never lands after a later one of its shard). Without a map there is one lane for the whole key
space, with no budget (its capacity is unknown) and no limit on calls in flight. One more lane takes the entries
whose hash key no shard of the map covers (the map went stale). The lanes also keep the totals that bound what
waits (`over_bound`), and, when the map is read again, move the queued entries to the lanes that now own their
hash keys.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field

from ingest.publishing.aggregation import KeyedAggregate
from ingest.publishing.batching import PutEntry
from ingest.publishing.model import OutgoingRecord
from ingest.publishing.packing import Route, random_partition_key
from ingest.publishing.rate import ShardBudget
from ingest.publishing.settings import PublisherSettings
from ingest.publishing.shards import ShardMap, hash_key, keys_into_shards


class QueuedEntry:
    """An entry waiting in (or sent from) its lane."""

    __slots__ = ("entry", "order", "attempts", "not_before", "ordered")

    def __init__(self, entry: PutEntry, order: int, *, ordered: bool) -> None:
        self.entry = entry
        self.order = order
        self.attempts = 0
        self.not_before = -math.inf
        self.ordered = ordered
        """Holds records with their own partition key: at most one such entry per lane per call."""


@dataclass(eq=False)
class Lane:
    index: int
    shard_id: str
    budget: ShardBudget | None
    key: str | None = None
    """The partition key (hashing into this shard) of the keyless entries aimed here."""
    queue: deque[QueuedEntry] = field(default_factory=deque)
    queued_bytes: int = 0
    busy: bool = False
    keyed: KeyedAggregate | None = None


class Lanes:
    """The lanes of one publisher run, for the map it read last."""

    def __init__(self, settings: PublisherSettings) -> None:
        self._settings = settings
        self._map = ShardMap.unknown()
        self.all: list[Lane] = []
        self.nonempty: dict[int, None] = {}
        """Lanes with queued entries, oldest first."""
        self.enqueued = 0
        """Entries queued so far (the order of the last one)."""
        self._buffered = 0
        self._buffered_entries = 0
        self._keyed_lanes: list[Lane] = []
        self._next_lane = 0
        max_record = settings.limits.max_bytes_per_record
        self._keyed_max_bytes = min(settings.max_aggregate_bytes or max_record, max_record)

    # -- the map -------------------------------------------------------------------------------------------------

    def use_map(self, shard_map: ShardMap) -> None:
        """Lanes for `shard_map`; queued entries (and keyed aggregates being filled) move to their new lanes."""
        old_lanes = self.all
        self._map = shard_map
        self.all = self._new_lanes(shard_map)
        keyed = [lane for lane in self.all if lane.key is not None]
        # Ties between idle lanes go to the first one `route` looks at. Starting each publisher at a random lane
        # keeps many short-lived publishers on one stream (one per object in the ingest job's workers) from all
        # sending their first aggregate to shard 0 and throttling each other there.
        start = self._settings.rng.randrange(len(keyed)) if keyed else 0
        self._keyed_lanes = keyed[start:] + keyed[:start]
        self.nonempty = {}
        self._buffered = self._buffered_entries = 0
        moved = sorted((queued for lane in old_lanes for queued in lane.queue), key=lambda queued: queued.order)
        for queued in moved:
            self.push(queued, self.lane_of(queued.entry), front=False)
        for lane in old_lanes:
            if lane.keyed is not None:
                self.enqueue(lane.keyed.seal(), ordered=True)

    def _new_lanes(self, shard_map: ShardMap) -> list[Lane]:
        settings = self._settings
        keys = keys_into_shards(shard_map, settings.rng) if shard_map.known else [None]
        lanes = [
            Lane(index, shard.shard_id, ShardBudget(settings.shard_limits) if shard_map.known else None, key)
            for index, (shard, key) in enumerate(zip(shard_map.shards, keys, strict=True))
        ]
        lanes.append(Lane(len(lanes), "unmapped", None))
        return lanes

    def lane_of(self, entry: PutEntry) -> Lane:
        if not self._map.known:
            return self.all[0]
        key = int(entry.explicit_hash_key) if entry.explicit_hash_key is not None else hash_key(entry.partition_key)
        position = self._map.position_of(key)
        return self.all[-1] if position is None else self.all[position]

    # -- where entries go ----------------------------------------------------------------------------------------

    def route(self, size: int) -> Route:
        """Where the next keyless entry of `size` bytes goes: with a map, the lane that can send it soonest
        (aggregates) or the next lane in turn (plain records); without one, anywhere (a random key)."""
        candidates = self._keyed_lanes
        if not candidates:
            return Route(random_partition_key(self._settings.rng))
        if self._settings.aggregate:
            now = self._settings.clock()
            lane = min(candidates, key=lambda lane: _eta(lane, size, now))
        else:
            self._next_lane = (self._next_lane + 1) % len(candidates)
            lane = candidates[self._next_lane]
        assert lane.key is not None
        return Route(lane.key, str(hash_key(lane.key)))

    def add_keyed(self, record: OutgoingRecord) -> list[PutEntry]:
        """The entries a record with its own partition key completes: itself, or the aggregate of its shard's
        keyed records that it no longer fits in."""
        assert record.partition_key is not None
        if not self._settings.aggregate:
            return [PutEntry(record.data, record.partition_key, (record.ref,))]
        position = self._map.position_of(hash_key(record.partition_key)) if self._map.known else 0
        lane = self.all[-1] if position is None else self.all[position]
        if lane.keyed is None:
            lane.keyed = KeyedAggregate(self._keyed_max_bytes)
        if lane.keyed.add(record, record.partition_key):
            return []
        sealed = lane.keyed.seal()
        lane.keyed = KeyedAggregate(self._keyed_max_bytes)
        lane.keyed.add(record, record.partition_key)
        return [sealed]

    def seal_keyed(self) -> None:
        """Queue the keyed aggregates still filling (the input is exhausted)."""
        for lane in self.all:
            if lane.keyed is not None:
                self.enqueue(lane.keyed.seal(), ordered=True, lane=lane)
                lane.keyed = None

    # -- queues --------------------------------------------------------------------------------------------------

    def enqueue(self, entry: PutEntry, *, ordered: bool, lane: Lane | None = None) -> None:
        self.enqueued += 1
        self.push(QueuedEntry(entry, self.enqueued, ordered=ordered), lane or self.lane_of(entry), front=False)

    def push(self, queued: QueuedEntry, lane: Lane, *, front: bool) -> None:
        if front:
            lane.queue.appendleft(queued)
        else:
            lane.queue.append(queued)
        lane.queued_bytes += queued.entry.size
        self._buffered += queued.entry.size
        self._buffered_entries += 1
        self.nonempty.setdefault(lane.index, None)

    def pop(self, index: int) -> QueuedEntry:
        lane = self.all[index]
        queued = lane.queue.popleft()
        lane.queued_bytes -= queued.entry.size
        self._buffered -= queued.entry.size
        self._buffered_entries -= 1
        if not lane.queue:
            del self.nonempty[index]
        return queued

    def may_fill_a_call(self) -> bool:
        """Whether enough is queued that a call could be full (else building one is wasted work)."""
        limits = self._settings.limits
        return (
            self._buffered_entries >= limits.max_records_per_call
            or self._buffered >= limits.max_bytes_per_call - limits.max_bytes_per_record
        )

    def over_bound(self) -> bool:
        return (
            self._buffered >= self._settings.max_buffered_bytes
            or self._buffered_entries >= 2 * self._settings.limits.max_records_per_call
        )

    def next_ready_at(self, now: float) -> float:
        """When the first lane's head may go (infinite while every queued lane has a call in flight)."""
        return min((self._ready_at(self.all[index], now) for index in self.nonempty), default=math.inf)

    @staticmethod
    def _ready_at(lane: Lane, now: float) -> float:
        if lane.busy:
            return math.inf
        head = lane.queue[0]
        ready = head.not_before
        if lane.budget is not None:
            ready = max(ready, lane.budget.ready_at(head.entry.size, 1))
        return max(ready, now) if ready > -math.inf else now

    def pending_refs(self) -> list[Hashable]:
        """Refs of the records still queued or in a keyed aggregate, oldest entry first."""
        waiting = sorted((queued for lane in self.all for queued in lane.queue), key=lambda queued: queued.order)
        refs: list[Hashable] = [ref for queued in waiting for ref in queued.entry.refs]
        for lane in self.all:
            if lane.keyed is not None:
                refs.extend(lane.keyed.held_refs)
        return refs


def _eta(lane: Lane, size: int, now: float) -> float:
    """Roughly when `lane` could send `size` more bytes: after what it has queued, a window per limit's worth."""
    budget = lane.budget
    assert budget is not None
    if lane.busy:
        return math.inf
    if not lane.queued_bytes:
        return max(now, budget.ready_at(size, 1))
    backlog = (lane.queued_bytes + size) / budget.limits.bytes_per_second
    return max(now, budget.idle_at()) + budget.window * backlog
