"""Synthetic USDT/ETH 5-minute intervals that look like the seed data and always pass validation."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

DEFAULT_START = 1_514_764_800
"""2018-01-01T00:00:00Z, the era of the seed data."""
INTERVAL_SECONDS = 300
STARTING_PRICE = 750.0
_PRICE_VOLATILITY = 0.002
"""Standard deviation of one interval's log return."""
_WICK = 0.001
_MEDIAN_QUOTE_VOLUME = 40.0
_DECIMALS = 8
"""As the exchange reports prices and volumes; also keeps the committed sample files small."""


def generate_records(count: int, *, start: int = DEFAULT_START, seed: int = 0) -> Iterator[dict[str, float | int]]:
    """A lazy random walk: each interval opens at the previous close, so a series of any length stays
    plausible (high >= max(open, close), low <= min(open, close), weightedAverage within [low, high],
    volume = quoteVolume * weightedAverage up to rounding). Same arguments, same records."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    rng = random.Random(seed)
    close = STARTING_PRICE
    for position in range(count):
        open_ = close
        close = _rounded(open_ * math.exp(rng.gauss(0, _PRICE_VOLATILITY)))
        high = max(open_, close, _rounded(max(open_, close) * (1 + abs(rng.gauss(0, _WICK)))))
        low = min(open_, close, _rounded(min(open_, close) * (1 - abs(rng.gauss(0, _WICK)))))
        weighted_average = min(high, max(low, _rounded(rng.uniform(low, high))))
        quote_volume = _rounded(rng.lognormvariate(math.log(_MEDIAN_QUOTE_VOLUME), 0.8))
        yield {
            "date": start + position * INTERVAL_SECONDS,
            "high": high,
            "low": low,
            "open": open_,
            "close": close,
            "volume": _rounded(quote_volume * weighted_average),
            "quoteVolume": quote_volume,
            "weightedAverage": weighted_average,
        }


def _rounded(value: float) -> float:
    return round(value, _DECIMALS)
