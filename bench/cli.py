"""`python -m bench`: every section by default, `--only` to pick; markdown on stdout, JSON and PNG on disk.

Exit status 0 when the selected sections ran (records a producer failed are a result, shown in the tables),
2 for a usage error, including a chart requested without matplotlib installed.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.client_cost import big_file_run, stage_rates
from bench.comparison import compare_producers
from bench.dataset import delivered_lines, encoded_records
from bench.delivery_cost import DEFAULT_ARRIVAL_RATES, stack_delivery_costs
from bench.emulator import EMULATOR_SHARDS
from bench.import_cost import import_cost_text, measure
from bench.job_scaling import OBJECTS as JOB_SCALING_OBJECTS
from bench.job_scaling import SHARDS as JOB_SCALING_SHARDS
from bench.job_scaling import job_scaling
from bench.machine import caption, describe_machine
from bench.producers import PRODUCER_NAMES
from bench.results import Results, write_results
from bench.shard_limits import RECORDS_PER_SHARD, SHARD_COUNTS, in_flight_runs, records_for, simulate
from bench.storage_cost import DEFAULT_RECORDS as STORAGE_RECORDS
from bench.storage_cost import storage_cost, storage_cost_table
from bench.tables import (
    client_cost_text,
    delivery_cost_table,
    in_flight_table,
    job_scaling_table,
    producers_table,
    shard_limits_table,
)

SHARD_LIMITS = "shard-limits"
IN_FLIGHT = "in-flight"
CLIENT_COST = "client-cost"
DELIVERY_COST = "delivery-cost"
IMPORT_COST = "import-cost"
STORAGE_COST = "storage-cost"
JOB_SCALING = "job-scaling"
SECTIONS: tuple[str, ...] = (
    SHARD_LIMITS,
    IN_FLIGHT,
    JOB_SCALING,
    CLIENT_COST,
    DELIVERY_COST,
    STORAGE_COST,
    IMPORT_COST,
)
IN_FLIGHT_SHARDS = 64
IN_FLIGHT_LATENCY_S = 0.02
"""A PutRecords round trip within a region, roughly; the stand-in has none unless told."""
NAMES: tuple[str, ...] = (*PRODUCER_NAMES, *SECTIONS)
BENCH_DIR = Path(__file__).resolve().parent
DELIVERY_SAMPLE_RECORDS = 20_000
"""Lines compressed to measure the gzip ratio (about 7 MB: ratios are stable well below that)."""


def _selection(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in NAMES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown {', '.join(unknown)}; choose from {', '.join(NAMES)}")
    return names


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return number


def _positive_float(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return number


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Throughput and cost of the ingest publisher next to hand-written producers (figures, not tests).",
    )
    parser.add_argument("--records", type=_positive_int, default=100_000, help="dataset size (default 100000)")
    parser.add_argument(
        "--only",
        type=_selection,
        action="append",
        metavar="NAME",
        help=f"run only these producers / sections (repeatable or comma-separated): {', '.join(NAMES)}",
    )
    parser.add_argument(
        "--naive-records",
        type=_positive_int,
        default=2_000,
        help="records the naive producer really sends; its figures are scaled to --records (default 2000)",
    )
    parser.add_argument(
        "--emulator-shards",
        type=_positive_int,
        default=EMULATOR_SHARDS,
        help=f"shards of each emulator stream (default {EMULATOR_SHARDS}: see bench/emulator.py)",
    )
    parser.add_argument(
        "--sim-records",
        type=_positive_int,
        help=(
            "records of the shard-limit simulation at few shards (default: --records); runs at more shards use "
            "more (25,000 a shard); it runs in real time, ~7 min"
        ),
    )
    parser.add_argument(
        "--records-per-shard",
        type=_positive_int,
        default=RECORDS_PER_SHARD,
        help=f"least records per shard in the shard-limit runs (default {RECORDS_PER_SHARD}: ~8 s of a shard)",
    )
    parser.add_argument(
        "--big-file-gb",
        type=_positive_float,
        default=1.0,
        help="size in GiB of the source file the client-cost section publishes (default 1; a few minutes)",
    )
    parser.add_argument(
        "--arrival-rate",
        type=_positive_float,
        action="append",
        metavar="RECORDS_PER_S",
        help="assumed steady arrival rate for the delivery cost, repeatable (default: 10 and 1000)",
    )
    parser.add_argument(
        "--storage-records",
        type=_positive_int,
        default=STORAGE_RECORDS,
        help=f"records of the storage-cost section, JSON+GZIP vs Parquet (default {STORAGE_RECORDS}; ~3 min)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the data, partition keys and jitter")
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "results.json", help="JSON output path")
    parser.add_argument("--chart", type=Path, default=BENCH_DIR / "throughput.png", help="PNG output path")
    parser.add_argument("--no-chart", action="store_true", help="do not draw the chart (no matplotlib needed)")
    return parser


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _show(title: str, text: str) -> None:
    print(f"### {title}\n\n{text}\n", flush=True)


@dataclass(frozen=True)
class _Run:
    """What every section reads: the parsed arguments, the shared dataset, and the results it adds to."""

    args: argparse.Namespace
    selected: list[str]
    sim_records: int
    dataset: list[bytes]
    results: Results


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    selected = [name for group in args.only for name in group] if args.only else list(NAMES)
    draw = SHARD_LIMITS in selected and not args.no_chart
    if draw and importlib.util.find_spec("matplotlib") is None:
        print(
            "bench: the chart needs matplotlib: `make venv` installs it from requirements-dev.txt (or pass --no-chart)",
            file=sys.stderr,
        )
        return 2

    machine = describe_machine()
    sim_records = args.sim_records or args.records
    results = Results(records=args.records, machine=machine, settings=_settings(args, sim_records))
    print(f"Machine: {caption(machine)}. Dataset: {args.records:,} generated records.\n", flush=True)
    needed = _records_needed(args, selected, sim_records)
    _say(f"encoding {needed:,} records")
    dataset = encoded_records(needed, seed=args.seed)
    # Up to 1.6 million records held for the whole run: frozen out of the cyclic collector's way, or each full
    # collection walks them and taxes whichever producer runs (~25% of the CPU at 64 shards).
    gc.freeze()

    run = _Run(args, selected, sim_records, dataset, results)
    _run_producers(run)
    for name, section in _SECTION_RUNNERS:
        if name in selected:
            section(run)

    write_results(results, args.results)
    _say(f"wrote {args.results}")
    _draw_charts(run, caption(machine), throughput=draw)
    return 0


def _settings(args: argparse.Namespace, sim_records: int) -> dict[str, object]:
    return {
        "naive_records": min(args.naive_records, args.records),
        "emulator_shards": args.emulator_shards,
        "sim_records": sim_records,
        "shard_counts": list(SHARD_COUNTS),
        "records_per_shard_count": {
            shards: records_for(shards, sim_records, args.records_per_shard) for shards in SHARD_COUNTS
        },
        "in_flight": {"shards": IN_FLIGHT_SHARDS, "latency_s": IN_FLIGHT_LATENCY_S},
        "big_file_gib": args.big_file_gb,
        "arrival_rates": args.arrival_rate or list(DEFAULT_ARRIVAL_RATES),
        "storage_records": args.storage_records,
        "seed": args.seed,
    }


def _records_needed(args: argparse.Namespace, selected: list[str], sim_records: int) -> int:
    """The dataset's size: the producers' records, or more for the shard-limit runs at many shards."""
    needed = int(args.records)
    if SHARD_LIMITS in selected:
        needed = max(needed, records_for(max(SHARD_COUNTS), sim_records, args.records_per_shard))
    if IN_FLIGHT in selected:
        needed = max(needed, records_for(IN_FLIGHT_SHARDS, sim_records, args.records_per_shard))
    return needed


def _run_producers(run: _Run) -> None:
    args = run.args
    producers = [name for name in PRODUCER_NAMES if name in run.selected]
    if not producers:
        return
    _say(f"producers against moto ({', '.join(producers)})")
    run.results.producers = compare_producers(
        run.dataset[: args.records],
        producers,
        naive_records=args.naive_records,
        shards=args.emulator_shards,
        seed=args.seed,
    )
    _show(
        f"Producers: {args.records:,} records into moto (ratios to the default in brackets)",
        producers_table(run.results.producers),
    )


def _run_shard_limits(run: _Run) -> None:
    args = run.args
    _say("shard-limit simulation, in real time")
    run.results.shard_limits = simulate(
        run.dataset, min_records=run.sim_records, per_shard=args.records_per_shard, seed=args.seed, progress=_say
    )
    _show(
        f"At the shard limits: {run.sim_records:,} records or {args.records_per_shard:,} a shard (stand-in, real time)",
        shard_limits_table(run.results.shard_limits),
    )


def _run_in_flight(run: _Run) -> None:
    args = run.args
    _say(f"calls in flight: {IN_FLIGHT_SHARDS} shards, {IN_FLIGHT_LATENCY_S * 1000:.0f} ms a round trip")
    run.results.in_flight = in_flight_runs(
        run.dataset[: records_for(IN_FLIGHT_SHARDS, run.sim_records, args.records_per_shard)],
        shards=IN_FLIGHT_SHARDS,
        latency=IN_FLIGHT_LATENCY_S,
        seed=args.seed,
    )
    _show(
        f"Calls in flight: ingest at {IN_FLIGHT_SHARDS} shards, {IN_FLIGHT_LATENCY_S * 1000:.0f} ms per call",
        in_flight_table(run.results.in_flight),
    )


def _run_job_scaling(run: _Run) -> None:
    _say("job scaling: the ingest job's workers on one stand-in stream, in real time")
    run.results.job_scaling = job_scaling(seed=run.args.seed, progress=_say)
    _show(
        f"The ingest job: {JOB_SCALING_OBJECTS} objects, {JOB_SCALING_SHARDS} shards, 1/4/16 workers (stand-in)",
        job_scaling_table(run.results.job_scaling),
    )


def _run_client_cost(run: _Run) -> None:
    args = run.args
    _say("client cost: stage rates")
    run.results.client_stages = stage_rates(args.records, seed=args.seed)
    _say(f"client cost: generating and publishing a {args.big_file_gb:g} GiB file")
    run.results.big_file = big_file_run(args.big_file_gb, seed=args.seed)
    _show("Client cost (null sink)", client_cost_text(run.results.client_stages, run.results.big_file))


def _run_delivery_cost(run: _Run) -> None:
    run.results.delivery_cost = stack_delivery_costs(
        delivered_lines(run.dataset[:DELIVERY_SAMPLE_RECORDS]), rates=run.args.arrival_rate or DEFAULT_ARRIVAL_RATES
    )
    _show("Delivery cost (Firehose to S3, per million records)", delivery_cost_table(run.results.delivery_cost))


def _run_storage_cost(run: _Run) -> None:
    args = run.args
    _say(f"storage cost: {args.storage_records:,} records delivered as JSON+GZIP and as Parquet+Snappy")
    run.results.storage_cost = storage_cost(args.storage_records, seed=args.seed)
    _show("Storage and scan: JSON+GZIP vs Parquet+Snappy", storage_cost_table(run.results.storage_cost))


def _run_import_cost(run: _Run) -> None:
    _say("import cost: fresh interpreters")
    run.results.import_cost = measure()
    _show("Import cost (fresh interpreters, wall clock)", import_cost_text(run.results.import_cost))


_SECTION_RUNNERS: tuple[tuple[str, Callable[[_Run], None]], ...] = (
    (SHARD_LIMITS, _run_shard_limits),
    (IN_FLIGHT, _run_in_flight),
    (JOB_SCALING, _run_job_scaling),
    (CLIENT_COST, _run_client_cost),
    (DELIVERY_COST, _run_delivery_cost),
    (STORAGE_COST, _run_storage_cost),
    (IMPORT_COST, _run_import_cost),
)
"""The sections after the producers, in the order they run and print."""


def _draw_charts(run: _Run, machine_caption: str, *, throughput: bool) -> None:
    results, args = run.results, run.args
    if throughput and results.shard_limits:
        from bench.chart import draw_throughput

        draw_throughput(results.shard_limits, args.chart, machine_caption)
        _say(f"wrote {args.chart}")
    if JOB_SCALING in run.selected and results.job_scaling and not args.no_chart:
        from bench.chart import draw_job_scaling

        scaling_chart = args.chart.with_name("job-scaling.png")
        draw_job_scaling(results.job_scaling, scaling_chart, machine_caption)
        _say(f"wrote {scaling_chart}")
