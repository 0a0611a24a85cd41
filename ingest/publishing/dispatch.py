"""One `KinesisPublisher.publish` run: records in, per-shard queues, paced PutRecords calls out, outcomes back.

Everything runs on the caller's thread except the PutRecords calls themselves, which a bounded pool of threads
keeps in flight when `max_in_flight` > 1: packing, pacing, retry decisions and outcomes never race.

- Lanes. Each open shard of the map is a lane with a FIFO queue, a `ShardBudget` and at most one call in
  flight (so a resent entry never lands after a later one of its shard). Without a map there is one lane for
  the whole key space, with no budget (its capacity is unknown) and no limit on calls in flight.
- Calls. A call takes the heads of the lanes that may send now (budget, backoff, nothing in flight), oldest
  lane first, up to the per-call limits; entries of several shards share a call, which keeps the number of
  calls at its floor. A call goes out when it is full (an entry was left out for lack of room), when the input
  is exhausted, or when the queued entries reach `max_buffered_bytes` (input is not read further until there is
  room: memory stays bounded, and a paced shard holds the input back instead of being flooded).
- Refusals. An entry refused with a retryable code goes back to the head of its lane. On a shard that is
  paced, a throttle empties its budget over one window (`ShardBudget.penalize`); otherwise, and for other
  retryable codes, the lane waits the retry policy's jittered backoff. After `max_attempts` the entry's records
  fail with the code. A whole call failing with a retryable code is resent the same way; with any other code,
  or its budget spent, the run aborts (PublishAbortedError) once the calls still in flight are answered.
- A stale map. An entry accepted by another shard than its lane's means the stream was resharded: the map is
  read again, and the queued entries move to the lanes that now own their hash keys.
"""

from __future__ import annotations

import logging
import math
import random
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from components.core.limits import KinesisLimits, ShardWriteLimits
from ingest.errors import RetryableError
from ingest.publishing.aggregation import AggregatingPacker, KeyedAggregate
from ingest.publishing.batching import BatchBuilder, PutEntry
from ingest.publishing.model import (
    RECORD_TOO_LARGE,
    OutgoingRecord,
    PublishAbortedError,
    PublishOutcome,
    PublishStats,
)
from ingest.publishing.packing import PARTITION_KEY_CHARS, Packer, PlainPacker, Route, random_partition_key
from ingest.publishing.rate import ShardBudget, Spend
from ingest.publishing.retry import (
    FailedCallError,
    RetryableCallError,
    RetryPolicy,
    classify,
    error_code,
    error_message,
    is_throttling,
)
from ingest.publishing.shards import ShardMap, hash_key, keys_into_shards, list_open_shards

LOGGER = logging.getLogger(__name__)
_WAIT_CAP_SECONDS = 1.0
"""Longest a wait for an answer lasts before the lanes are looked at again."""
_POLL_EVERY = 64
"""With calls in flight, answers are looked for every this many entries queued (and whenever a call may go)."""
_MIN_SLEEP_SECONDS = 1e-4
"""A wait is never shorter: a token due back a rounding error from now must not make the run spin."""


@dataclass(frozen=True)
class Settings:
    client: Any
    stream_name: str
    stream: dict[str, str]
    aggregate: bool
    retry: RetryPolicy
    limits: KinesisLimits
    max_aggregate_bytes: int | None
    sleep: Callable[[float], None]
    clock: Callable[[], float]
    rng: random.Random
    shard_aware: bool
    shard_limits: ShardWriteLimits
    max_in_flight: int
    max_buffered_bytes: int


class _Queued:
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
class _Lane:
    index: int
    shard_id: str
    budget: ShardBudget | None
    key: str | None = None
    """The partition key (hashing into this shard) of the keyless entries aimed here."""
    queue: deque[_Queued] = field(default_factory=deque)
    queued_bytes: int = 0
    busy: bool = False
    keyed: KeyedAggregate | None = None


@dataclass(eq=False)
class _Call:
    sent: list[tuple[_Queued, _Lane]]
    spends: dict[int, Spend]
    """Tokens taken from each paced lane."""
    held: list[_Lane]
    """Lanes that may have no other call in flight until this one is answered: paced lanes, and any lane whose
    entries must stay in order."""


class PublishRun:
    def __init__(self, settings: Settings, stats: PublishStats, records: Iterable[OutgoingRecord]) -> None:
        self._settings = settings
        self._stats = stats
        self._records = records
        self._map = ShardMap.unknown()
        self._lanes: list[_Lane] = []
        self._nonempty: dict[int, None] = {}
        """Lanes with queued entries, oldest first."""
        self._order = 0
        self._buffered = 0
        self._buffered_entries = 0
        self._input_done = False
        self._stale = False
        self._next_lane = 0
        self._keyed_lanes: list[_Lane] = []
        self._in_flight: dict[Future[Any], _Call] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._packer: Packer = self._new_packer()
        self._max_record = settings.limits.max_bytes_per_record

    # -- the run -------------------------------------------------------------------------------------------------

    def outcomes(self) -> Iterator[PublishOutcome]:
        self._use_map(self._read_map())
        try:
            yield from self._publish_all()
        except FailedCallError as failure:
            yield from self._answers_in_flight()
            raise PublishAbortedError(
                self._settings.stream_name, failure.code, failure.message, self._pending()
            ) from failure
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)

    def _publish_all(self) -> Iterator[PublishOutcome]:
        packer = self._packer
        add = packer.add
        keyless_limit = self._max_record - PARTITION_KEY_CHARS
        for record in self._records:
            if record.partition_key is None:
                if len(record.data) > keyless_limit:
                    yield self._too_large(record, PARTITION_KEY_CHARS)
                    continue
                completed = add(record)
                if not completed:
                    continue
            else:
                key_bytes = len(record.partition_key.encode("utf-8"))
                if len(record.data) + key_bytes > self._max_record:
                    yield self._too_large(record, key_bytes)
                    continue
                completed = self._add_keyed(record)
            for entry in completed:
                self._enqueue(entry, ordered=record.partition_key is not None)
            if self._may_fill_a_call() or (self._in_flight and not self._order % _POLL_EVERY):
                yield from self._step(block=False)
            while self._over_bound():
                yield from self._step(block=True)
        for entry in packer.flush():
            self._enqueue(entry, ordered=False)
        for lane in self._lanes:
            if lane.keyed is not None:
                self._enqueue(lane.keyed.seal(), ordered=True, lane=lane)
                lane.keyed = None
        self._input_done = True
        while self._nonempty or self._in_flight:
            yield from self._step(block=True)

    # -- the shard map -------------------------------------------------------------------------------------------

    def _read_map(self) -> ShardMap:
        if not self._settings.shard_aware:
            return ShardMap.unknown()
        if getattr(self._settings.client, "list_shards", None) is None:
            LOGGER.debug("publishing without a shard map: the Kinesis client has no ListShards")
            return ShardMap.unknown()
        self._stats.shard_map_reads += 1
        try:
            return list_open_shards(self._settings.client, self._settings.stream)
        except (ClientError, BotoCoreError) as exc:
            LOGGER.warning(
                "publishing without the shard map of %s (ListShards: %s: %s): no pacing, throttling is retried",
                self._settings.stream_name,
                error_code(exc),
                error_message(exc),
            )
            return ShardMap.unknown()

    def _use_map(self, shard_map: ShardMap) -> None:
        """Lanes for `shard_map`; queued entries (and keyed aggregates being filled) move to their new lanes."""
        old_lanes = self._lanes
        self._map = shard_map
        keys = keys_into_shards(shard_map, self._settings.rng) if shard_map.known else [None]
        self._lanes = [
            _Lane(index, shard.shard_id, ShardBudget(self._settings.shard_limits) if shard_map.known else None, key)
            for index, (shard, key) in enumerate(zip(shard_map.shards, keys, strict=True))
        ]
        self._lanes.append(_Lane(len(self._lanes), "unmapped", None))
        keyed = [lane for lane in self._lanes if lane.key is not None]
        # Ties between idle lanes go to the first one `_route` looks at. Starting each publisher at a random lane
        # keeps many short-lived publishers on one stream (one per object in the ingest job's workers) from all
        # sending their first aggregate to shard 0 and throttling each other there.
        start = self._settings.rng.randrange(len(keyed)) if keyed else 0
        self._keyed_lanes = keyed[start:] + keyed[:start]
        self._nonempty = {}
        self._buffered = self._buffered_entries = 0
        moved = sorted((queued for lane in old_lanes for queued in lane.queue), key=lambda queued: queued.order)
        for queued in moved:
            self._push(queued, self._lane_of(queued.entry), front=False)
        for lane in old_lanes:
            if lane.keyed is not None:
                self._enqueue(lane.keyed.seal(), ordered=True)

    def _lane_of(self, entry: PutEntry) -> _Lane:
        if not self._map.known:
            return self._lanes[0]
        key = int(entry.explicit_hash_key) if entry.explicit_hash_key is not None else hash_key(entry.partition_key)
        position = self._map.position_of(key)
        return self._lanes[-1] if position is None else self._lanes[position]

    # -- packing -------------------------------------------------------------------------------------------------

    def _new_packer(self) -> Packer:
        settings = self._settings
        route = self._route if settings.shard_aware else None
        if settings.aggregate:
            return AggregatingPacker(
                settings.rng, max_bytes=settings.max_aggregate_bytes, limits=settings.limits, route=route
            )
        return PlainPacker(settings.rng, route=route)

    def _route(self, size: int) -> Route:
        """Where the next keyless entry of `size` bytes goes: with a map, the lane that can send it soonest
        (aggregates) or the next lane in turn (plain records); without one, anywhere (a random key)."""
        candidates = self._keyed_lanes
        if not candidates:
            return Route(random_partition_key(self._settings.rng))
        if self._settings.aggregate:
            now = self._settings.clock()
            lane = min(candidates, key=lambda lane: self._eta(lane, size, now))
        else:
            self._next_lane = (self._next_lane + 1) % len(candidates)
            lane = candidates[self._next_lane]
        assert lane.key is not None
        return Route(lane.key, str(hash_key(lane.key)))

    @staticmethod
    def _eta(lane: _Lane, size: int, now: float) -> float:
        """Roughly when `lane` could send `size` more bytes: after what it has queued, a window per limit's worth."""
        budget = lane.budget
        assert budget is not None
        if lane.busy:
            return math.inf
        if not lane.queued_bytes:
            return max(now, budget.ready_at(size, 1))
        backlog = (lane.queued_bytes + size) / budget.limits.bytes_per_second
        return max(now, budget.idle_at()) + budget.window * backlog

    def _add_keyed(self, record: OutgoingRecord) -> list[PutEntry]:
        assert record.partition_key is not None
        if not self._settings.aggregate:
            return [PutEntry(record.data, record.partition_key, (record.ref,))]
        position = self._map.position_of(hash_key(record.partition_key)) if self._map.known else 0
        lane = self._lanes[-1] if position is None else self._lanes[position]
        if lane.keyed is None:
            lane.keyed = KeyedAggregate(min(self._settings.max_aggregate_bytes or self._max_record, self._max_record))
        if lane.keyed.add(record, record.partition_key):
            return []
        sealed = lane.keyed.seal()
        lane.keyed = KeyedAggregate(min(self._settings.max_aggregate_bytes or self._max_record, self._max_record))
        lane.keyed.add(record, record.partition_key)
        return [sealed]

    def _too_large(self, record: OutgoingRecord, key_bytes: int) -> PublishOutcome:
        size = len(record.data) + key_bytes
        return PublishOutcome(
            record.ref,
            False,
            RECORD_TOO_LARGE,
            f"{size} bytes with its partition key; a Kinesis record holds at most {self._max_record}",
        )

    # -- queues --------------------------------------------------------------------------------------------------

    def _enqueue(self, entry: PutEntry, *, ordered: bool, lane: _Lane | None = None) -> None:
        self._order += 1
        self._push(_Queued(entry, self._order, ordered=ordered), lane or self._lane_of(entry), front=False)

    def _push(self, queued: _Queued, lane: _Lane, *, front: bool) -> None:
        if front:
            lane.queue.appendleft(queued)
        else:
            lane.queue.append(queued)
        lane.queued_bytes += queued.entry.size
        self._buffered += queued.entry.size
        self._buffered_entries += 1
        self._nonempty.setdefault(lane.index, None)

    def _pop(self, index: int) -> _Queued:
        lane = self._lanes[index]
        queued = lane.queue.popleft()
        lane.queued_bytes -= queued.entry.size
        self._buffered -= queued.entry.size
        self._buffered_entries -= 1
        if not lane.queue:
            del self._nonempty[index]
        return queued

    def _may_fill_a_call(self) -> bool:
        """Whether enough is queued that a call could be full (else building one is wasted work)."""
        limits = self._settings.limits
        return (
            self._buffered_entries >= limits.max_records_per_call
            or self._buffered >= limits.max_bytes_per_call - limits.max_bytes_per_record
        )

    def _over_bound(self) -> bool:
        return (
            self._buffered >= self._settings.max_buffered_bytes
            or self._buffered_entries >= 2 * self._settings.limits.max_records_per_call
        )

    # -- one step: answers in, calls out, or a wait ----------------------------------------------------------------

    def _step(self, *, block: bool) -> list[PublishOutcome]:
        """Outcomes of the calls answered, after sending what may go; with `block`, waits when nothing moved.

        Lists, not generators: outcomes pass through here by the million, and each generator level costs."""
        outcomes: list[PublishOutcome] = []
        answered = [future for future in self._in_flight if future.done()]
        for future in answered:
            outcomes += self._answer(future)
        if self._stale and not self._in_flight:
            self._stale = False
            self._use_map(self._read_map())
        sent = 0
        while len(self._in_flight) < self._settings.max_in_flight:
            call = self._build_call(force=self._input_done or self._over_bound())
            if call is None:
                break
            sent += 1
            if self._settings.max_in_flight == 1:
                outcomes += self._settle(call, self._put_records(call))
            else:
                self._in_flight[self._executor().submit(self._put_records, call)] = call
        if block and not answered and not sent:
            outcomes += self._wait()
        return outcomes

    def _wait(self) -> list[PublishOutcome]:
        now = self._settings.clock()
        ready_at = min((self._ready_at(index, now) for index in self._nonempty), default=math.inf)
        if self._in_flight:
            timeout = None if math.isinf(ready_at) else min(max(ready_at - now, 0.0), _WAIT_CAP_SECONDS)
            done, _ = wait(list(self._in_flight), timeout=timeout, return_when=FIRST_COMPLETED)
            outcomes: list[PublishOutcome] = []
            for future in done:
                outcomes += self._answer(future)
            if done or timeout is None:
                return outcomes
            now = self._settings.clock()
        if not math.isinf(ready_at):
            self._settings.sleep(max(ready_at - now, _MIN_SLEEP_SECONDS))
        return []

    def _ready_at(self, index: int, now: float) -> float:
        """When the head of lane `index` may go (infinite while its lane has a call in flight)."""
        lane = self._lanes[index]
        if lane.busy:
            return math.inf
        head = lane.queue[0]
        ready = head.not_before
        if lane.budget is not None:
            ready = max(ready, lane.budget.ready_at(head.entry.size, 1))
        return max(ready, now) if ready > -math.inf else now

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._settings.max_in_flight, thread_name_prefix="put-records")
        return self._pool

    # -- calls ---------------------------------------------------------------------------------------------------

    def _build_call(self, *, force: bool) -> _Call | None:
        """The next call from the lanes that may send now, or None (nothing may go, or it should wait to fill)."""
        now = self._settings.clock()
        builder = BatchBuilder(self._settings.limits)
        plan: list[tuple[int, int]] = []
        full = False
        for index in list(self._nonempty):
            lane = self._lanes[index]
            if lane.busy:
                continue
            free_bytes, free_records = lane.budget.available(now) if lane.budget is not None else (math.inf, math.inf)
            taken = 0
            for queued in lane.queue:
                entry = queued.entry
                if queued.not_before > now:
                    break
                if lane.budget is not None and (
                    lane.budget.ready_at(entry.size, 1) > now
                    if not taken
                    else entry.size > free_bytes or free_records < 1
                ):
                    break
                if not builder.fits(entry):
                    full = True
                    break
                builder.add(entry)
                free_bytes -= entry.size
                free_records -= 1
                taken += 1
                if queued.ordered:
                    break
            if taken:
                plan.append((index, taken))
            if full:
                break
        if not plan or not (full or force):
            return None
        call = _Call([], {}, [])
        for index, taken in plan:
            lane = self._lanes[index]
            sent = [self._pop(index) for _ in range(taken)]
            call.sent.extend((queued, lane) for queued in sent)
            if lane.budget is not None:
                call.spends[index] = lane.budget.spend(sum(queued.entry.size for queued in sent), len(sent))
            if lane.budget is not None or any(queued.ordered for queued in sent):
                lane.busy = True
                call.held.append(lane)
        return call

    def _put_records(self, call: _Call) -> list[dict[str, Any]] | RetryableCallError | FailedCallError:
        """The call itself (on a pool thread when several are in flight): its answers, or its failure as a type."""
        requests = [queued.entry.request() for queued, _ in call.sent]
        try:
            response = self._settings.client.put_records(Records=requests, **self._settings.stream)
        except (ClientError, BotoCoreError) as exc:
            return classify(exc, self._settings.retry)
        return list(response["Records"])

    def _answer(self, future: Future[Any]) -> list[PublishOutcome]:
        call = self._in_flight.pop(future)
        return self._settle(call, future.result())

    def _answers_in_flight(self) -> Iterator[PublishOutcome]:
        """Settle every call still in flight (after a failure that ends the run)."""
        while self._in_flight:
            future = next(iter(self._in_flight))
            call = self._in_flight.pop(future)
            try:
                yield from self._settle(call, future.result())
            except FailedCallError:
                continue

    def _settle(
        self, call: _Call, answer: list[dict[str, Any]] | RetryableCallError | FailedCallError
    ) -> list[PublishOutcome]:
        stats = self._stats
        stats.put_calls += 1
        now = self._settings.clock()
        for queued, _ in call.sent:
            queued.attempts += 1
        if isinstance(answer, list):
            return self._settle_entries(call, answer, now)
        for lane in call.held:
            lane.busy = False
        for index, spend in call.spends.items():
            budget = self._lanes[index].budget
            assert budget is not None
            budget.settle(spend, now, refused_bytes=spend.bytes, refused_records=spend.records)
        throttled = is_throttling(answer.code)
        if throttled:
            stats.throttled += len(call.sent)
            for index in call.spends:
                budget = self._lanes[index].budget
                if budget is not None:
                    budget.penalize(now)
        final = any(queued.attempts >= self._settings.retry.max_attempts for queued, _ in call.sent)
        if not isinstance(answer, RetryableError) or final:
            self._requeue(call.sent, now, backoff=False)
            raise FailedCallError(answer.code, answer.message)
        stats.retries += len(call.sent)
        paced = all(lane.budget is not None for _, lane in call.sent)
        self._requeue(call.sent, now, backoff=not (throttled and paced))
        return []

    def _settle_entries(self, call: _Call, results: list[dict[str, Any]], now: float) -> list[PublishOutcome]:
        outcomes: list[PublishOutcome] = []
        stats = self._stats
        retry = self._settings.retry
        resend: list[tuple[_Queued, _Lane]] = []
        refused: dict[int, list[int]] = {}
        throttled_lanes: dict[int, _Lane] = {}
        only_throttled = True
        for (queued, lane), result in zip(call.sent, results, strict=True):
            entry = queued.entry
            code = result.get("ErrorCode")
            if not code:
                stats.kinesis_records += 1
                stats.user_records += len(entry.refs)
                stats.bytes_published += len(entry.data)
                if lane.budget is not None and result.get("ShardId", lane.shard_id) != lane.shard_id:
                    self._stale = True
                outcomes += map(_published, entry.refs)
                continue
            if lane.budget is not None:
                counts = refused.setdefault(lane.index, [0, 0])
                counts[0] += entry.size
                counts[1] += 1
            if is_throttling(code):
                stats.throttled += 1
                throttled_lanes[lane.index] = lane
            if retry.is_retryable(code) and queued.attempts < retry.max_attempts:
                resend.append((queued, lane))
                only_throttled = only_throttled and is_throttling(code) and lane.budget is not None
                continue
            message = result.get("ErrorMessage") or code
            if retry.is_retryable(code):
                message = f"{message} (still failing after {queued.attempts} attempts)"
            outcomes.extend(PublishOutcome(ref, False, code, message) for ref in entry.refs)
        for lane in call.held:
            lane.busy = False
        for index, spend in call.spends.items():
            budget = self._lanes[index].budget
            assert budget is not None
            refused_bytes, refused_records = refused.get(index, (0, 0))
            budget.settle(spend, now, refused_bytes=refused_bytes, refused_records=refused_records)
        for lane in throttled_lanes.values():
            if lane.budget is not None:
                lane.budget.penalize(now)
        if resend:
            stats.retries += len(resend)
            self._requeue(resend, now, backoff=not only_throttled)
        return outcomes

    def _requeue(self, sent: list[tuple[_Queued, _Lane]], now: float, *, backoff: bool) -> None:
        """Entries back to the head of their lanes, in their order. With `backoff` they first wait one backoff
        of the retry policy, drawn once per call; without, their lanes' budgets decide (a throttle on a paced
        shard, see `ShardBudget.penalize`)."""
        delay = 0.0
        if backoff:
            attempt = max(queued.attempts for queued, _ in sent)
            delay = self._settings.retry.backoff(attempt, self._settings.rng)
        for queued, lane in reversed(sent):
            queued.not_before = now + delay
            self._push(queued, lane, front=True)

    def _pending(self) -> tuple[Hashable, ...]:
        waiting = sorted((queued for lane in self._lanes for queued in lane.queue), key=lambda queued: queued.order)
        refs: list[Hashable] = [ref for queued in waiting for ref in queued.entry.refs]
        for lane in self._lanes:
            if lane.keyed is not None:
                refs.extend(lane.keyed.held_refs)
        refs.extend(self._packer.held_refs)
        return tuple(refs)


def _published(ref: Hashable, _new: Callable[..., PublishOutcome] = tuple.__new__) -> PublishOutcome:
    """An ok outcome, built without the named tuple's Python-level `__new__` (millions are built)."""
    return _new(PublishOutcome, (ref, True, None, None))
