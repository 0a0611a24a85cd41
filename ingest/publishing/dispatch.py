"""The shard dispatcher behind one `KinesisPublisher.publish`: records in, lanes filled, calls out, outcomes back.

Everything runs on the caller's thread except the PutRecords calls themselves, which a bounded pool of threads
keeps in flight when `max_in_flight` > 1: packing, pacing, retry decisions and outcomes never race.

The dispatcher reads the input, packs it into entries and queues them in their shard's lane (`lanes.py`), and
steps: answers in, calls out (`calls.py`), or a wait. A call goes out when it is full, when the input is
exhausted, or when the queued entries reach `max_buffered_bytes` (input is not read further until there is
room: memory stays bounded, and a paced shard holds the input back instead of being flooded). When a call fails
for good, the run aborts (PublishAbortedError) once the calls still in flight are answered. When an answer
shows the map is stale, the map is read again once no call is in flight.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ingest.publishing.aggregation import AggregatingPacker
from ingest.publishing.call_errors import FailedCallError, error_code, error_message
from ingest.publishing.calls import Call, CallSettler, build_call, put_records
from ingest.publishing.lanes import Lanes
from ingest.publishing.model import RECORD_TOO_LARGE, OutgoingRecord, PublishAbortedError, PublishOutcome, PublishStats
from ingest.publishing.packing import PARTITION_KEY_CHARS, Packer, PlainPacker
from ingest.publishing.settings import PublisherSettings
from ingest.publishing.shards import ShardMap, list_open_shards

LOGGER = logging.getLogger(__name__)
_WAIT_CAP_SECONDS = 1.0
"""Longest a wait for an answer lasts before the lanes are looked at again."""
_POLL_EVERY = 64
"""With calls in flight, answers are looked for every this many entries queued (and whenever a call may go)."""
_MIN_SLEEP_SECONDS = 1e-4
"""A wait is never shorter: a token due back a rounding error from now must not make the run spin."""


class ShardDispatcher:
    """One publish over the shards: owns the input, the packer, the calls in flight and their pool; what waits is
    the lanes', what an answer means is the settler's."""

    def __init__(self, settings: PublisherSettings, stats: PublishStats, records: Iterable[OutgoingRecord]) -> None:
        self._settings = settings
        self._stats = stats
        self._records = records
        self._lanes = Lanes(settings)
        self._settler = CallSettler(settings, stats, self._lanes)
        self._input_done = False
        self._in_flight: dict[Future[Any], Call] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._packer: Packer = self._new_packer()
        self._max_record = settings.limits.max_bytes_per_record

    # -- the run -------------------------------------------------------------------------------------------------

    def outcomes(self) -> Iterator[PublishOutcome]:
        self._lanes.use_map(self._read_map())
        try:
            yield from self._publish_all()
        except FailedCallError as failure:
            yield from self._answers_in_flight()
            pending = (*self._lanes.pending_refs(), *self._packer.held_refs)
            raise PublishAbortedError(self._settings.stream_name, failure.code, failure.message, pending) from failure
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)

    # Complexity C (radon) kept on purpose: the loop runs once per record, and every call it makes costs (the
    # profile in docs/publisher.md); the size checks and the hand-off stay inline, the end of the input is `_drain`.
    def _publish_all(self) -> Iterator[PublishOutcome]:
        add = self._packer.add
        lanes = self._lanes
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
                completed = lanes.add_keyed(record)
            for entry in completed:
                lanes.enqueue(entry, ordered=record.partition_key is not None)
            if lanes.may_fill_a_call() or (self._in_flight and not lanes.enqueued % _POLL_EVERY):
                yield from self._step(block=False)
            while lanes.over_bound():
                yield from self._step(block=True)
        yield from self._drain()

    def _drain(self) -> Iterator[PublishOutcome]:
        """The input is exhausted: queue what the packers hold, then send until every entry is settled."""
        for entry in self._packer.flush():
            self._lanes.enqueue(entry, ordered=False)
        self._lanes.seal_keyed()
        self._input_done = True
        while self._lanes.nonempty or self._in_flight:
            yield from self._step(block=True)

    def _too_large(self, record: OutgoingRecord, key_bytes: int) -> PublishOutcome:
        size = len(record.data) + key_bytes
        return PublishOutcome(
            record.ref,
            False,
            RECORD_TOO_LARGE,
            f"{size} bytes with its partition key; a Kinesis record holds at most {self._max_record}",
        )

    # -- the shard map and the packer ----------------------------------------------------------------------------

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

    def _new_packer(self) -> Packer:
        settings = self._settings
        route = self._lanes.route if settings.shard_aware else None
        if settings.aggregate:
            return AggregatingPacker(
                settings.rng, max_bytes=settings.max_aggregate_bytes, limits=settings.limits, route=route
            )
        return PlainPacker(settings.rng, route=route)

    # -- one step: answers in, calls out, or a wait ----------------------------------------------------------------

    def _step(self, *, block: bool) -> list[PublishOutcome]:
        """Outcomes of the calls answered, after sending what may go; with `block`, waits when nothing moved.

        Lists, not generators: outcomes pass through here by the million, and each generator level costs."""
        outcomes: list[PublishOutcome] = []
        answered = [future for future in self._in_flight if future.done()]
        for future in answered:
            outcomes += self._answer(future)
        if self._settler.stale and not self._in_flight:
            self._settler.stale = False
            self._lanes.use_map(self._read_map())
        sent = self._send(outcomes)
        if block and not answered and not sent:
            outcomes += self._wait()
        return outcomes

    def _send(self, outcomes: list[PublishOutcome]) -> int:
        """Send every call that may go now, up to `max_in_flight`; how many went. A call made on this thread is
        settled at once, into `outcomes`."""
        settings = self._settings
        sent = 0
        while len(self._in_flight) < settings.max_in_flight:
            call = build_call(self._lanes, settings, force=self._input_done or self._lanes.over_bound())
            if call is None:
                break
            sent += 1
            if settings.max_in_flight == 1:
                outcomes += self._settler.settle(call, put_records(settings, call))
            else:
                self._in_flight[self._executor().submit(put_records, settings, call)] = call
        return sent

    def _wait(self) -> list[PublishOutcome]:
        now = self._settings.clock()
        ready_at = self._lanes.next_ready_at(now)
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

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._settings.max_in_flight, thread_name_prefix="put-records")
        return self._pool

    def _answer(self, future: Future[Any]) -> list[PublishOutcome]:
        call = self._in_flight.pop(future)
        return self._settler.settle(call, future.result())

    def _answers_in_flight(self) -> Iterator[PublishOutcome]:
        """Settle every call still in flight (after a failure that ends the run)."""
        while self._in_flight:
            future = next(iter(self._in_flight))
            call = self._in_flight.pop(future)
            try:
                yield from self._settler.settle(call, future.result())
            except FailedCallError:
                continue
