"""bench/throughput.png: user records/s against shard count per producer at the shard limits, with each
producer's ceiling (its records over its physical floor) dashed beside it. Needs matplotlib
(requirements-bench.txt); imported only when a chart is drawn. `Figure` without pyplot renders with Agg and
touches no global backend state."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure

from bench.shard_limits import LimitRun


def draw_throughput(runs: Sequence[LimitRun], path: Path, caption: str) -> None:
    figure = Figure(figsize=(8, 5), dpi=120)
    axes = figure.subplots()
    producers = list(dict.fromkeys(run.producer for run in runs))
    for index, producer in enumerate(producers):
        own = sorted((run for run in runs if run.producer == producer), key=lambda run: run.shards)
        color = f"C{index}"
        shards = [run.shards for run in own]
        axes.plot(shards, [run.records_per_s for run in own], "o-", color=color, label=f"{producer}: achieved")
        axes.plot(
            shards,
            [run.records / run.floor_s if run.floor_s else 0 for run in own],
            "--",
            color=color,
            alpha=0.6,
            label=f"{producer}: ceiling (physical floor)",
        )
        for run in own:
            if run.failed:
                axes.annotate(
                    f"{run.failed / run.records:.0%} failed",
                    (run.shards, run.records_per_s),
                    textcoords="offset points",
                    xytext=(-10, 10),
                    color=color,
                    fontsize=8,
                )
    axes.set_xscale("log", base=2)
    axes.set_xticks(sorted({run.shards for run in runs}), [str(s) for s in sorted({run.shards for run in runs})])
    axes.set_xlabel("shards (1 MiB/s and 1,000 records/s each)")
    axes.set_ylabel("user records/s")
    axes.set_title("Backfill throughput at the Kinesis shard limits (stand-in, real time)")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    figure.text(0.99, 0.01, caption, ha="right", va="bottom", fontsize=7, color="0.4")
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
