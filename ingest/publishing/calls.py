"""PutRecords calls: built from the heads of the lanes, made, and settled back into outcomes and the lanes.

- Building. A call takes the heads of the lanes that may send now (budget, backoff, nothing in flight), oldest
  lane first, up to the per-call limits; entries of several shards share a call, which keeps the number of
  calls at its floor. A call is only built when it is full (an entry was left out for lack of room) or when
  the dispatcher forces it (input exhausted, or too much queued).
- Settling. An entry refused with a retryable code goes back to the head of its lane. On a shard that is
  paced, a throttle empties its budget over one window (`ShardBudget.penalize`); otherwise, and for other
  retryable codes, the lane waits the retry policy's jittered backoff. After `max_attempts` the entry's records
  fail with the code. A whole call failing with a retryable code is resent the same way; with any other code,
  or its budget spent, settling raises `FailedCallError` (the dispatcher aborts the run).
- A stale map. An entry accepted by another shard than its lane's means the stream was resharded: the settler
  marks the map `stale`, and the dispatcher reads it again once no call is in flight.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ingest.errors import RetryableError
from ingest.publishing.batching import BatchBuilder
from ingest.publishing.call_errors import FailedCallError, RetryableCallError, classify
from ingest.publishing.lanes import Lane, Lanes, QueuedEntry
from ingest.publishing.model import PublishOutcome, PublishStats
from ingest.publishing.rate import Spend
from ingest.publishing.settings import PublisherSettings
from ingest.retry import RetryPolicy, is_throttling

Answer = list[dict[str, Any]] | RetryableCallError | FailedCallError
"""What a call came back with: one result per entry, or the whole call's failure as a type."""


@dataclass(eq=False)
class Call:
    sent: list[tuple[QueuedEntry, Lane]]
    spends: dict[int, Spend]
    """Tokens taken from each paced lane."""
    held: list[Lane]
    """Lanes that may have no other call in flight until this one is answered: paced lanes, and any lane whose
    entries must stay in order."""


# -- building ----------------------------------------------------------------------------------------------------


def build_call(lanes: Lanes, settings: PublisherSettings, *, force: bool) -> Call | None:
    """The next call from the lanes that may send now, or None (nothing may go, or it should wait to fill)."""
    now = settings.clock()
    builder = BatchBuilder(settings.limits)
    plan: list[tuple[Lane, int]] = []
    full = False
    for index in list(lanes.nonempty):
        lane = lanes.all[index]
        if lane.busy:
            continue
        taken, full = _take_heads(lane, builder, now)
        if taken:
            plan.append((lane, taken))
        if full:
            break
    if not plan or not (full or force):
        return None
    return _pop_into_call(lanes, plan)


def _take_heads(lane: Lane, builder: BatchBuilder, now: float) -> tuple[int, bool]:
    """How many of `lane`'s head entries may go now and fit into `builder` (added to it), and whether the call is
    full (the next one did not fit). The head goes once its budget is ready for it (an idle budget takes even an
    entry above its limits), the entries behind it while they fit in what the budget has free."""
    budget = lane.budget
    free_bytes, free_records = budget.available(now) if budget is not None else (math.inf, math.inf)
    if _head_waits(lane, now):
        return 0, False
    taken = 0
    for queued in lane.queue:
        entry = queued.entry
        if taken and (queued.not_before > now or entry.size > free_bytes or free_records < 1):
            break
        if not builder.fits(entry):
            return taken, True
        builder.add(entry)
        free_bytes -= entry.size
        free_records -= 1
        taken += 1
        if queued.ordered:
            break
    return taken, False


def _head_waits(lane: Lane, now: float) -> bool:
    """Whether the lane's head waits: its backoff, or its budget (checked after the budget's tokens came back)."""
    head = lane.queue[0]
    return head.not_before > now or (lane.budget is not None and lane.budget.ready_at(head.entry.size, 1) > now)


def _pop_into_call(lanes: Lanes, plan: list[tuple[Lane, int]]) -> Call:
    call = Call([], {}, [])
    for lane, taken in plan:
        sent = [lanes.pop(lane.index) for _ in range(taken)]
        call.sent.extend((queued, lane) for queued in sent)
        if lane.budget is not None:
            call.spends[lane.index] = lane.budget.spend(sum(queued.entry.size for queued in sent), len(sent))
        if lane.budget is not None or any(queued.ordered for queued in sent):
            lane.busy = True
            call.held.append(lane)
    return call


# -- making ------------------------------------------------------------------------------------------------------


def put_records(settings: PublisherSettings, call: Call) -> Answer:
    """The call itself (on a pool thread when several are in flight): its answers, or its failure as a type."""
    requests = [queued.entry.request() for queued, _ in call.sent]
    try:
        response = settings.client.put_records(Records=requests, **settings.stream)
    except (ClientError, BotoCoreError) as exc:
        return classify(exc, settings.retry)
    return list(response["Records"])


# -- settling ----------------------------------------------------------------------------------------------------


class CallSettler:
    """Turns answered calls into outcomes and puts what is refused back into the lanes; `stale` once an entry
    landed on another shard than its lane's."""

    def __init__(self, settings: PublisherSettings, stats: PublishStats, lanes: Lanes) -> None:
        self._settings = settings
        self._stats = stats
        self._lanes = lanes
        self.stale = False

    def settle(self, call: Call, answer: Answer) -> list[PublishOutcome]:
        """The outcomes of the records `call` decided; raises `FailedCallError` when the whole call failed for
        good (its entries are back in their lanes, for the abort's pending refs)."""
        self._stats.put_calls += 1
        now = self._settings.clock()
        for queued, _ in call.sent:
            queued.attempts += 1
        if isinstance(answer, list):
            return self._settle_entries(call, answer, now)
        self._settle_failed_call(call, answer, now)
        return []

    def _settle_entries(self, call: Call, results: list[dict[str, Any]], now: float) -> list[PublishOutcome]:
        outcomes: list[PublishOutcome] = []
        stats = self._stats
        refusals = _Refusals(self._settings.retry)
        for (queued, lane), result in zip(call.sent, results, strict=True):
            entry = queued.entry
            code = result.get("ErrorCode")
            if not code:
                stats.kinesis_records += 1
                stats.user_records += len(entry.refs)
                stats.bytes_published += len(entry.data)
                if lane.budget is not None and result.get("ShardId", lane.shard_id) != lane.shard_id:
                    self.stale = True
                outcomes += map(_published, entry.refs)
            elif not refusals.add(queued, lane, code):
                outcomes += _failed(queued, code, result.get("ErrorMessage"), self._settings.retry)
        stats.throttled += refusals.throttled
        self._release(call, now, refused=refusals.refused, throttled=refusals.throttled_lanes.values())
        if refusals.resend:
            self._resend(refusals.resend, now, backoff=not refusals.only_throttled)
        return outcomes

    def _settle_failed_call(self, call: Call, failure: RetryableCallError | FailedCallError, now: float) -> None:
        throttled = is_throttling(failure.code)
        if throttled:
            self._stats.throttled += len(call.sent)
        self._release(
            call,
            now,
            refused={index: (spend.bytes, spend.records) for index, spend in call.spends.items()},
            throttled=[self._lanes.all[index] for index in call.spends] if throttled else (),
        )
        if not isinstance(failure, RetryableError) or any(
            queued.attempts >= self._settings.retry.max_attempts for queued, _ in call.sent
        ):
            self._requeue(call.sent, now, backoff=False)
            raise FailedCallError(failure.code, failure.message)
        paced = all(lane.budget is not None for _, lane in call.sent)
        self._resend(call.sent, now, backoff=not (throttled and paced))

    def _release(
        self, call: Call, now: float, *, refused: Mapping[int, tuple[int, int]], throttled: Iterable[Lane]
    ) -> None:
        """Free the call's lanes and settle its budgets: the `refused` (bytes, records) of each paced lane come
        back now, and each `throttled` lane with a budget counts as full over the next window."""
        for lane in call.held:
            lane.busy = False
        for index, spend in call.spends.items():
            budget = self._lanes.all[index].budget
            assert budget is not None
            refused_bytes, refused_records = refused.get(index, (0, 0))
            budget.settle(spend, now, refused_bytes=refused_bytes, refused_records=refused_records)
        for lane in throttled:
            if lane.budget is not None:
                lane.budget.penalize(now)

    def _resend(self, sent: list[tuple[QueuedEntry, Lane]], now: float, *, backoff: bool) -> None:
        self._stats.retries += len(sent)
        self._requeue(sent, now, backoff=backoff)

    def _requeue(self, sent: list[tuple[QueuedEntry, Lane]], now: float, *, backoff: bool) -> None:
        """Entries back to the head of their lanes, in their order. With `backoff` they first wait one backoff
        of the retry policy, drawn once per call; without, their lanes' budgets decide (a throttle on a paced
        shard, see `ShardBudget.penalize`)."""
        delay = 0.0
        if backoff:
            attempt = max(queued.attempts for queued, _ in sent)
            delay = self._settings.retry.backoff(attempt, self._settings.rng)
        for queued, lane in reversed(sent):
            queued.not_before = now + delay
            self._lanes.push(queued, lane, front=True)


class _Refusals:
    """The entries of one answered call that came back with an ErrorCode: which go again, and what they used."""

    def __init__(self, retry: RetryPolicy) -> None:
        self._retry = retry
        self.resend: list[tuple[QueuedEntry, Lane]] = []
        self.refused: dict[int, tuple[int, int]] = {}
        """(bytes, records) refused per paced lane: tokens its budget gets back at once."""
        self.throttled = 0
        self.throttled_lanes: dict[int, Lane] = {}
        self.only_throttled = True
        """Every entry to resend was throttled on a paced lane: its budget paces it, no backoff needed."""

    def add(self, queued: QueuedEntry, lane: Lane, code: str) -> bool:
        """Count a refused entry; True when it goes again, False when its records fail with `code`."""
        if lane.budget is not None:
            refused_bytes, refused_records = self.refused.get(lane.index, (0, 0))
            self.refused[lane.index] = (refused_bytes + queued.entry.size, refused_records + 1)
        throttling = is_throttling(code)
        if throttling:
            self.throttled += 1
            self.throttled_lanes[lane.index] = lane
        if self._retry.is_retryable(code) and queued.attempts < self._retry.max_attempts:
            self.resend.append((queued, lane))
            self.only_throttled = self.only_throttled and throttling and lane.budget is not None
            return True
        return False


def _failed(queued: QueuedEntry, code: str, message: str | None, retry: RetryPolicy) -> list[PublishOutcome]:
    """The failed outcomes of an entry's records, saying so when the retry budget ran out."""
    text = message or code
    if retry.is_retryable(code):
        text = f"{text} (still failing after {queued.attempts} attempts)"
    return [PublishOutcome(ref, False, code, text) for ref in queued.entry.refs]


def _published(ref: Hashable, _new: Callable[..., PublishOutcome] = tuple.__new__) -> PublishOutcome:
    """An ok outcome, built without the named tuple's Python-level `__new__` (millions are built)."""
    return _new(PublishOutcome, (ref, True, None, None))
