"""The per-shard pacing: within any window of one second, what a budget lets through never exceeds the shard's
limits, whatever the sizes and answer times; a throttle backs the shard off for about one window."""

import math
import random

import pytest

from components.core.limits import MIB, ShardWriteLimits
from ingest.publishing.rate import ShardBudget


def simulate(budget: ShardBudget, sizes: list[int], rng: random.Random) -> list[tuple[float, int]]:
    """Send entries one call at a time as soon as the budget allows, with random answer delays; returns when each
    call was sent and how many bytes it held."""
    now = 0.0
    sent: list[tuple[float, int]] = []
    queue = list(sizes)
    while queue:
        batch: list[int] = []
        while queue and budget.fits(now, sum(batch) + queue[0], len(batch) + 1):
            batch.append(queue.pop(0))
        if not batch:
            now = max(now, budget.ready_at(queue[0], 1))
            continue
        spend = budget.spend(sum(batch), len(batch))
        sent.append((now, sum(batch)))
        now += rng.uniform(0, 0.05)  # the answer comes back later
        budget.settle(spend, now)
    return sent


def most_in_any_window(sent: list[tuple[float, int]], window: float = 1.0) -> int:
    return max(sum(size for at, size in sent if start <= at < start + window) for start, _ in sent)


@pytest.mark.parametrize("seed", range(20))
def test_bytes_sent_in_any_second_never_exceed_the_limit(seed):
    rng = random.Random(seed)
    sizes = [rng.choice([rng.randint(1, 2000), rng.randint(100_000, MIB)]) for _ in range(300)]
    sent = simulate(ShardBudget(), sizes, rng)
    assert sum(size for _, size in sent) == sum(sizes)
    assert most_in_any_window(sent) <= MIB


def test_records_sent_in_any_second_never_exceed_the_limit():
    rng = random.Random(1)
    budget = ShardBudget(ShardWriteLimits(records_per_second=1000))
    now, sent = 0.0, []
    for _ in range(5000):
        now = max(now, budget.ready_at(300, 1))
        assert budget.fits(now, 300, 1)
        spend = budget.spend(300, 1)
        sent.append(now)
        budget.settle(spend, now + rng.uniform(0, 0.01))
    assert max(sum(1 for at in sent if start <= at < start + 1.0) for start in sent[::50]) <= 1000
    assert sent[-1] == pytest.approx(4.0, abs=0.1)  # 1,000 a second, the first thousand at once


def test_a_plain_token_bucket_would_let_twice_the_limit_through():
    """Why tokens come back a window after use: refilled continuously, a full bucket plus a second's refill
    passes 2 MiB within one second."""
    budget = ShardBudget()
    first = budget.spend(MIB, 1)
    budget.settle(first, 0.0)
    assert not budget.fits(0.5, MIB // 2, 1)  # a classic bucket would have refilled half by now
    assert budget.fits(1.0 + budget.window, MIB, 1)


def test_refused_entries_give_their_tokens_back_at_once():
    budget = ShardBudget()
    spend = budget.spend(MIB, 2)
    budget.settle(spend, 0.1, refused_bytes=MIB // 2, refused_records=1)
    assert budget.available(0.1) == (MIB // 2, 999)


def test_a_throttle_backs_the_shard_off_over_one_window():
    budget = ShardBudget()
    budget.penalize(0.0)
    assert budget.available(0.0) == (0, 0)
    assert budget.ready_at(MIB // 10, 1) == pytest.approx(budget.window / 10)
    assert budget.ready_at(MIB, 1) == pytest.approx(budget.window)
    assert budget.available(budget.window) == (MIB, 1000)


def test_an_entry_larger_than_the_limits_waits_for_an_idle_bucket():
    budget = ShardBudget(ShardWriteLimits(bytes_per_second=1000))
    assert budget.ready_at(5000, 1) == -math.inf
    spend = budget.spend(5000, 1)
    assert budget.ready_at(10, 1) == math.inf  # the call is not answered yet
    budget.settle(spend, 2.0)
    assert budget.ready_at(5000, 1) == pytest.approx(2.0 + budget.window)
