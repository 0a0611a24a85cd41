"""The delivered series as a picture: daily candles (the `daily_ohlc` query's rows) above the daily volume.

matplotlib is optional: it is imported here only, and its absence is one line telling how to install it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ingest.errors import ConfigurationError
from ingest.query.engine import QueryResult

UP, DOWN = "#2e7d32", "#c62828"


def draw_daily_candles(result: QueryResult, path: Path, *, caption: str = "") -> Path:
    """A PNG of `result` (rows with day, open, high, low, close, volume), one candle per UTC day."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ConfigurationError("the chart needs matplotlib: pip install matplotlib (or --no-chart)") from None
    days: Sequence[dict[str, Any]] = result.as_dicts()
    if not days:
        raise ConfigurationError("no delivered rows to draw")
    figure, (prices, volumes) = plt.subplots(
        2, 1, figsize=(10, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]}, constrained_layout=True
    )
    for position, day in enumerate(days):
        colour = UP if day["close"] >= day["open"] else DOWN
        prices.vlines(position, day["low"], day["high"], color=colour, linewidth=1)
        bottom, top = sorted((day["open"], day["close"]))
        prices.bar(position, max(top - bottom, 1e-9), bottom=bottom, width=0.6, color=colour)
        volumes.bar(position, day["volume"], width=0.6, color=colour)
    volumes.set_xticks(range(len(days)), [str(day["day"]) for day in days], rotation=45, ha="right")
    prices.set_ylabel("price (USDT per ETH)")
    volumes.set_ylabel("volume (USDT)")
    prices.set_title("Daily candles of the delivered series (UTC days)" + (f"\n{caption}" if caption else ""))
    prices.grid(alpha=0.3)
    volumes.grid(alpha=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
