"""bench/throughput.png: the share of the shards' byte capacity each producer used, per shard count, at the shard
limits (1 MiB/s a shard). 100% is a producer that keeps every shard full for the whole run; a run that used the
empty shards' first second can show a little more. Needs matplotlib (requirements-dev.txt); imported only when
a chart is drawn. `Figure` without pyplot renders with Agg and touches no global backend state."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from bench.job_scaling import JobScalingRun
from bench.shard_limits import LimitRun

GOAL = 0.9


def draw_throughput(runs: Sequence[LimitRun], path: Path, caption: str) -> None:
    figure = Figure(figsize=(8, 5), dpi=120)
    axes = figure.subplots()
    producers = list(dict.fromkeys(run.producer for run in runs))
    for index, producer in enumerate(producers):
        _plot_producer(axes, [run for run in runs if run.producer == producer], producer, f"C{index}")
    axes.axhline(100 * GOAL, color="0.5", linestyle="--", linewidth=1, label=f"goal: {GOAL:.0%}")
    counts = sorted({run.shards for run in runs})
    axes.set_xscale("log", base=2)
    axes.set_xticks(counts, [str(count) for count in counts])
    axes.set_ylim(0, max(110, *(100 * (run.byte_capacity_fraction or 0) + 10 for run in runs)))
    axes.set_xlabel("shards (1 MiB/s and 1,000 records/s each)")
    _finish(
        figure, axes, "Backfill at the shard limits: share of the shards' byte capacity used (stand-in)", caption, path
    )


def _plot_producer(axes: Any, runs: Sequence[LimitRun], producer: str, color: str) -> None:
    """One producer's curve over the shard counts, each run that lost records marked with its failed share."""
    own = sorted(runs, key=lambda run: run.shards)
    used = [100 * (run.byte_capacity_fraction or 0) for run in own]
    axes.plot([run.shards for run in own], used, "o-", color=color, label=producer)
    for run, value in zip(own, used, strict=True):
        if run.failed:
            axes.annotate(
                f"{run.failed / run.records:.0%} failed",
                (run.shards, value),
                textcoords="offset points",
                xytext=(-10, 10),
                color=color,
                fontsize=8,
            )


def _finish(figure: Figure, axes: Any, title: str, caption: str, path: Path) -> None:
    """What both charts share: the y axis, title, grid, legend, the machine's caption, and the file."""
    axes.set_ylabel("byte capacity used (%)")
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    figure.text(0.99, 0.01, caption, ha="right", va="bottom", fontsize=7, color="0.4")
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)


def draw_job_scaling(runs: Sequence[JobScalingRun], path: Path, caption: str) -> None:
    """bench/job-scaling.png: the ingest job's scaling curve, byte capacity used per worker count."""
    figure = Figure(figsize=(7, 4.5), dpi=120)
    axes = figure.subplots()
    workers = [run.workers for run in runs]
    used = [100 * (run.byte_capacity_fraction or 0) for run in runs]
    axes.plot(workers, used, "o-", color="C2", label=f"{runs[0].shards} shards, {runs[0].objects} objects")
    axes.axhline(100, color="0.5", linestyle="--", linewidth=1, label="the stream's byte capacity")
    axes.set_xscale("log", base=2)
    axes.set_xticks(workers, [str(count) for count in workers])
    axes.set_ylim(0, max(110, *(value + 10 for value in used)))
    axes.set_xlabel("workers publishing at once (threads of one process here)")
    _finish(figure, axes, "The ingest job: a backfill by N workers into one stream (stand-in)", caption, path)
