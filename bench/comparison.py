"""Every producer on the same records against the same emulator, in one invocation, so the ratios hold on a
noisy machine. The naive producer runs on a smaller sample and its figures are scaled up (and marked so)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

from bench.emulator import create_stream, kinesis_client, running_emulator
from bench.meter import Meter, MeteredKinesis
from bench.producers import DEFAULT_PRODUCER, NAIVE, Tally, make_producer

FIGURES: tuple[str, ...] = ("wall_s", "records_per_s", "api_calls", "bytes", "put_payload_units", "retries")
"""The figures of each producer in results.json, in this order."""


@dataclass(frozen=True)
class ProducerFigures:
    wall_s: float
    records_per_s: float
    api_calls: int
    bytes: int
    """Bytes sent in PutRecord(s) entries (data plus partition key, as Kinesis counts them), resends included."""
    put_payload_units: int
    """25 KiB units of the Kinesis records the stream accepted (an aggregate is one record)."""
    retries: int
    # Details, outside the per-producer figures of results.json.
    records: int
    measured_records: int
    """Records actually sent; fewer than `records` when the figures are scaled."""
    failed_records: int
    kinesis_records: int
    client_cpu_s: float
    """CPU time of this process during the run (the emulator runs in another)."""

    @property
    def scaled(self) -> bool:
        return self.measured_records != self.records

    def figures(self) -> dict[str, float | int]:
        return {name: getattr(self, name) for name in FIGURES}

    def details(self) -> dict[str, object]:
        details = {key: value for key, value in asdict(self).items() if key not in FIGURES}
        return {**details, "scaled": self.scaled}

    def scaled_to(self, records: int) -> ProducerFigures:
        """Figures for `records` records, extrapolated linearly from this run (rates stay as measured)."""
        factor = records / self.measured_records
        return replace(
            self,
            wall_s=self.wall_s * factor,
            api_calls=round(self.api_calls * factor),
            bytes=round(self.bytes * factor),
            put_payload_units=round(self.put_payload_units * factor),
            retries=round(self.retries * factor),
            failed_records=round(self.failed_records * factor),
            kinesis_records=round(self.kinesis_records * factor),
            client_cpu_s=self.client_cpu_s * factor,
            records=records,
        )


def measured(records: int, tally: Tally, meter: Meter, wall_s: float, cpu_s: float) -> ProducerFigures:
    return ProducerFigures(
        wall_s=wall_s,
        records_per_s=tally.published / wall_s if wall_s > 0 else 0.0,
        api_calls=meter.api_calls,
        bytes=meter.bytes_sent,
        put_payload_units=meter.payload_units,
        retries=tally.retries,
        records=records,
        measured_records=records,
        failed_records=tally.failed,
        kinesis_records=meter.kinesis_records,
        client_cpu_s=cpu_s,
    )


def ratios(
    figures: dict[str, ProducerFigures], reference: str = DEFAULT_PRODUCER
) -> dict[str, dict[str, float | None]]:
    """Each figure divided by the reference producer's (None where the reference's is 0, or it did not run)."""
    base = figures.get(reference)
    result: dict[str, dict[str, float | None]] = {}
    for name, producer in figures.items():
        result[name] = {}
        for figure in FIGURES:
            denominator = getattr(base, figure) if base is not None else 0
            result[name][figure] = getattr(producer, figure) / denominator if denominator else None
    return result


def compare_producers(
    records: Sequence[bytes], names: Sequence[str], *, naive_records: int, shards: int, seed: int = 0
) -> dict[str, ProducerFigures]:
    """Run each named producer on its own fresh stream of `shards` shards in one emulator."""
    results: dict[str, ProducerFigures] = {}
    with running_emulator() as endpoint:
        client = kinesis_client(endpoint)
        for name in names:
            sample = records[:naive_records] if name == NAIVE else records
            stream = f"bench-{name}"
            create_stream(client, stream, shards)
            metered = MeteredKinesis(client)
            producer = make_producer(name, seed=seed)
            cpu_start, wall_start = time.process_time(), time.perf_counter()
            tally = producer(metered, stream, sample)
            wall_s, cpu_s = time.perf_counter() - wall_start, time.process_time() - cpu_start
            figures = measured(len(sample), tally, metered.meter, wall_s, cpu_s)
            results[name] = figures.scaled_to(len(records)) if len(sample) < len(records) else figures
    return results
