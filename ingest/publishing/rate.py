"""Pace one shard to its write limits: a token bucket whose tokens come back one window after they were used.

A shard takes at most 1 MiB and 1,000 records in any second (`ShardWriteLimits`). A classic token bucket (capacity
C, refilled at C per second) lets 2C through within one second: a full bucket, then the refill. So here the
tokens a call spends return all at once, `window` seconds after the call's answer came back: whatever the
service counts the writes against (a time between sending and answering), no window of that length ever holds
more than the limits. Tokens of entries the shard refused come back at once, since a refused entry used none.

A refusal (ProvisionedThroughputExceededException) means the shard is full with writes this bucket did not see
(another producer, a stale map). `penalize` then marks the shard's whole capacity as used and returning
gradually over one window, so a small entry may go again soon and a full aggregate about a window later: the
backoff follows the shard's one-second window instead of a blind exponential guess.
"""

from __future__ import annotations

import math
from collections import deque

from components.core.limits import SHARD_WRITE_LIMITS, ShardWriteLimits

DEFAULT_WINDOW_SECONDS = 1.0
DEFAULT_MARGIN_SECONDS = 0.01
"""Added to the window: float rounding must never put two writes exactly one second apart into one window."""
PENALTY_SLICES = 10


class Spend:
    """Tokens used by one call on one shard; `returns_at` is infinite until the call has been answered."""

    __slots__ = ("bytes", "records", "returns_at")

    def __init__(self, size: int, records: int, returns_at: float = math.inf) -> None:
        self.bytes = size
        self.records = records
        self.returns_at = returns_at


class ShardBudget:
    def __init__(
        self,
        limits: ShardWriteLimits = SHARD_WRITE_LIMITS,
        *,
        window: float = DEFAULT_WINDOW_SECONDS + DEFAULT_MARGIN_SECONDS,
    ) -> None:
        self.limits = limits
        self.window = window
        self._spends: deque[Spend] = deque()
        self._bytes = 0
        self._records = 0

    def available(self, now: float) -> tuple[int, int]:
        """(bytes, records) that may be sent at `now`."""
        self._return_tokens(now)
        return self.limits.bytes_per_second - self._bytes, self.limits.records_per_second - self._records

    def fits(self, now: float, size: int, records: int) -> bool:
        free_bytes, free_records = self.available(now)
        return size <= free_bytes and records <= free_records

    def ready_at(self, size: int, records: int) -> float:
        """The earliest time `size` bytes and `records` records fit, given what is spent (infinite while it waits
        on a call still unanswered). An idle bucket takes anything, even more than its limits."""
        free_bytes = self.limits.bytes_per_second - self._bytes
        free_records = self.limits.records_per_second - self._records
        if (size <= free_bytes and records <= free_records) or not self._spends:
            return -math.inf
        spends = sorted(self._spends, key=lambda item: item.returns_at)
        for spend in spends:
            free_bytes += spend.bytes
            free_records += spend.records
            if size <= free_bytes and records <= free_records:
                return spend.returns_at
        # More than a whole window's worth: it goes alone, once the bucket is idle.
        return spends[-1].returns_at

    def idle_at(self) -> float:
        """When every token spent so far is back (infinite while a call is unanswered)."""
        return max((spend.returns_at for spend in self._spends), default=-math.inf)

    def spend(self, size: int, records: int) -> Spend:
        spend = Spend(size, records)
        self._spends.append(spend)
        self._bytes += size
        self._records += records
        return spend

    def settle(self, spend: Spend, answered_at: float, *, refused_bytes: int = 0, refused_records: int = 0) -> None:
        """The call that made `spend` was answered: its refused part comes back now, the rest after a window."""
        spend.bytes -= refused_bytes
        spend.records -= refused_records
        self._bytes -= refused_bytes
        self._records -= refused_records
        spend.returns_at = answered_at + self.window

    def penalize(self, now: float) -> None:
        """Count the shard as full, its capacity coming back in slices over the next window."""
        self._return_tokens(now)
        free_bytes = max(0, self.limits.bytes_per_second - self._bytes)
        free_records = max(0, self.limits.records_per_second - self._records)
        for slice_number in range(1, PENALTY_SLICES + 1):
            size = free_bytes * slice_number // PENALTY_SLICES - free_bytes * (slice_number - 1) // PENALTY_SLICES
            records = (
                free_records * slice_number // PENALTY_SLICES - free_records * (slice_number - 1) // PENALTY_SLICES
            )
            self._spends.append(Spend(size, records, now + self.window * slice_number / PENALTY_SLICES))
            self._bytes += size
            self._records += records

    def _return_tokens(self, now: float) -> None:
        if not self._spends:
            return
        kept: deque[Spend] = deque()
        for spend in self._spends:
            if spend.returns_at <= now:
                self._bytes -= spend.bytes
                self._records -= spend.records
            else:
                kept.append(spend)
        self._spends = kept
