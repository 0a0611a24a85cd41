"""The figures as markdown tables, ready to paste into docs/performance.md."""

from __future__ import annotations

from collections.abc import Sequence

from bench.client_cost import BigFileRun, StageRate
from bench.comparison import ProducerFigures, ratios
from bench.delivery_cost import DeliveryCost
from bench.job_scaling import JobScalingRun
from bench.producers import DEFAULT_PRODUCER
from bench.shard_limits import LimitRun

MIB = 1024 * 1024


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if i else "---" for i in range(len(headers))) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}"


def ratio(value: float | None) -> str:
    """` (×r)` with two significant digits below 1 (×0.26, ×0.0039), three from 1 to 100, none after."""
    if value is None:
        return ""
    if value >= 100:
        return f" (×{value:,.0f})"
    return f" (×{value:.3g})" if value >= 1 else f" (×{value:.2g})"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def mib(value: float | None) -> str:
    return "–" if value is None else f"{value / MIB:,.1f} MiB"


def size(value: float | None) -> str:
    """MiB, or KiB below one MiB."""
    if value is None or value >= MIB:
        return mib(value)
    return f"{value / 1024:,.1f} KiB"


def producers_table(figures: dict[str, ProducerFigures]) -> str:
    """Each figure with its ratio to the project default in brackets; scaled producers marked with *."""
    relative = ratios(figures)
    rows = []
    notes = []
    for name, producer in figures.items():
        r = relative[name] if name != DEFAULT_PRODUCER else dict.fromkeys(relative[name])
        label = f"{name} (default)" if name == DEFAULT_PRODUCER else name
        if producer.scaled:
            label += "*"
            notes.append(
                f"\\* {name}: measured on {producer.measured_records:,} records, counts and time scaled "
                f"×{producer.records / producer.measured_records:,.0f}."
            )
        if producer.failed_records:
            notes.append(f"{name}: {producer.failed_records:,} records failed.")
        rows.append(
            [
                label,
                seconds(producer.wall_s) + ratio(r["wall_s"]),
                number(producer.records_per_s) + ratio(r["records_per_s"]),
                number(producer.api_calls) + ratio(r["api_calls"]),
                mib(producer.bytes) + ratio(r["bytes"]),
                number(producer.put_payload_units) + ratio(r["put_payload_units"]),
                number(producer.retries) + ratio(r["retries"]),
                seconds(producer.client_cpu_s) + ratio(_cpu_ratio(producer, figures.get(DEFAULT_PRODUCER))),
            ]
        )
    headers = ["producer", "wall s", "records/s", "API calls", "bytes", "PUT payload units", "retries", "client CPU s"]
    return "\n\n".join([table(headers, rows), *notes])


def _cpu_ratio(producer: ProducerFigures, default: ProducerFigures | None) -> float | None:
    if default is None or default is producer or not default.client_cpu_s:
        return None
    return producer.client_cpu_s / default.client_cpu_s


def shard_limits_table(runs: Sequence[LimitRun]) -> str:
    rows = [
        [
            str(run.shards),
            run.producer,
            number(run.records),
            seconds(run.wall_s),
            seconds(run.floor_s),
            number(run.time_vs_floor, 2),
            percent(run.byte_capacity_fraction),
            number(run.records_per_s),
            number(run.kinesis_records),
            f"{run.api_calls:,} / {run.calls_throttled:,} / {run.calls_fully_throttled:,}",
            number(run.throttled_entries),
            f"{run.failed:,} ({percent(run.failed / run.records)})" if run.failed else "0",
        ]
        for run in runs
    ]
    headers = [
        "shards",
        "producer",
        "records",
        "wall s",
        "floor s",
        "× floor",
        "byte capacity used",
        "records/s",
        "Kinesis records",
        "calls / throttled / all throttled",
        "throttled entries",
        "records failed",
    ]
    return table(headers, rows)


def in_flight_table(runs: Sequence[LimitRun]) -> str:
    rows = [
        [
            str(run.max_in_flight),
            seconds(run.wall_s),
            seconds(run.floor_s),
            percent(run.byte_capacity_fraction),
            number(run.records_per_s),
            f"{run.api_calls:,} / {run.calls_throttled:,}",
        ]
        for run in runs
    ]
    headers = ["calls in flight", "wall s", "floor s", "byte capacity used", "records/s", "calls / throttled"]
    return table(headers, rows)


def client_cost_text(stages: Sequence[StageRate], big_file: BigFileRun | None) -> str:
    parts = []
    if stages:
        rows = [
            [" → ".join(s.stage for s in stages[: index + 1]), number(stage.records_per_cpu_s)]
            for index, stage in enumerate(stages)
        ]
        parts.append(table(["pipeline (cumulative, null sink)", "records/s per core"], rows))
    if big_file is not None:
        probe = big_file.probe
        verdict = "bounded" if probe.bounded else "NOT bounded: grows with the input"
        parts.append(
            f"Publishing a generated {probe.source_bytes / 1024**3:.2f} GiB JSON array ({probe.records_read:,} "
            f"records) through `run_pipeline` into a null sink: {number(probe.records_per_cpu_s)} records/s per "
            f"core end to end ({seconds(probe.cpu_s)} CPU s, {seconds(probe.wall_s)} wall s); peak RSS "
            f"{mib(probe.peak_rss_bytes)} (baseline {mib(probe.baseline_rss_bytes)}, {mib(probe.rss_at_quarter_bytes)} "
            f"at a quarter of the records, {mib(probe.rss_at_end_bytes)} at the end: "
            f"{mib(probe.rss_growth_per_million_records)} per million records, {verdict})."
        )
    return "\n\n".join(parts)


def delivery_cost_table(costs: Sequence[DeliveryCost]) -> str:
    rows = [
        [
            cost.stack,
            number(cost.arrival_rate),
            f"{cost.buffering_size_mb} MiB / {cost.buffering_interval_seconds} s",
            cost.compression,
            cost.flush_trigger,
            seconds(cost.seconds_per_object),
            number(cost.records_per_object),
            number(cost.objects_per_million_records, 1),
            size(cost.object_bytes),
            mib(cost.stored_bytes_per_million_records),
            number(cost.compression_ratio, 3),
        ]
        for cost in costs
    ]
    headers = [
        "stack",
        "records/s",
        "buffering",
        "compression",
        "flush by",
        "s per object",
        "records per object",
        "objects per 1M records",
        "object size",
        "stored per 1M records",
        "compression ratio",
    ]
    return table(headers, rows)


def job_scaling_table(runs: Sequence[JobScalingRun]) -> str:
    rows = [
        [
            str(run.workers),
            number(run.records_per_s),
            percent(run.byte_capacity_fraction),
            seconds(run.wall_s),
            f"{run.published:,} / {run.records:,}",
            number(run.failed),
            number(run.throttled_entries),
            str(run.formula_concurrency),
        ]
        for run in runs
    ]
    return table(
        [
            "workers",
            "records/s",
            "byte capacity used",
            "wall",
            "published / read",
            "failed",
            "throttled entries",
            "formula's concurrency",
        ],
        rows,
    )
