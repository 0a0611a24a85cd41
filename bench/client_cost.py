"""What publishing costs the client, with the stream taken out of the picture (a null sink).

Two measurements:
- records per CPU-second (= per core: a run is one thread) of each stage, cumulatively: read (the JSON array
  reader), + validate (`record_values`), + encode (`RecordEncoder`, which validates too, as the run does),
  + aggregate (KinesisPublisher into the null sink, whose capacity is unknown: no shard map), on one JSON array
  in memory;
- a generated source file of `gib` GiB published through the real run (`bench.memory_probe`, in a child
  process): CPU rate end to end, and peak memory, which must not grow with the file.
"""

from __future__ import annotations

import io
import itertools
import json
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.child import PROJECT_DIR, module_command
from bench.dataset import run_id, write_json_array
from bench.memory_probe import ProbeResult
from bench.null_sink import NullSinkKinesis
from ingest.formats import RawRecord, read_object
from ingest.publishing import KinesisPublisher, OutgoingRecord
from ingest.records import RecordEncoder, record_values
from ingest.sample import generate_records
from ingest.sources import SourceObject

STAGES: tuple[str, ...] = ("read", "validate", "encode", "aggregate")
GIB = 1024**3
_OBJECT = SourceObject(uri="file:///bench/records.json", key="records.json")


@dataclass(frozen=True)
class StageRate:
    stage: str
    """The last stage of the pipeline measured (every earlier stage runs too)."""
    records: int
    cpu_s: float

    @property
    def records_per_cpu_s(self) -> float:
        return self.records / self.cpu_s if self.cpu_s > 0 else 0.0

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "records_per_cpu_s": self.records_per_cpu_s}


@dataclass(frozen=True)
class BigFileRun:
    generated_records: int
    generate_s: float
    probe: ProbeResult

    def to_dict(self) -> dict[str, object]:
        return {"generated_records": self.generated_records, "generate_s": self.generate_s, **self.probe.to_dict()}


def json_array(count: int, *, seed: int = 0) -> bytes:
    """`count` generated records as the seed files hold them (a pretty-printed JSON array)."""
    return json.dumps(list(generate_records(count, seed=seed)), indent=2).encode("utf-8")


def _read(content: bytes) -> Iterator[RawRecord]:
    for item in read_object(io.BytesIO(content), _OBJECT, format_name="json"):
        assert isinstance(item, RawRecord), f"generated data is valid JSON: {item}"
        yield item


def _validated(content: bytes) -> Iterator[tuple[int | float, ...]]:
    for item in _read(content):
        yield record_values(item.value)


def _encoded(content: bytes) -> Iterator[bytes]:
    encoder = RecordEncoder(_OBJECT.uri, run_id(0))
    for item in _read(content):
        yield encoder.encode(item.value, item.index)


def _aggregated(content: bytes) -> Iterator[object]:
    publisher = KinesisPublisher(NullSinkKinesis(), "null-sink", aggregate=True, shard_aware=False)
    return publisher.publish(map(OutgoingRecord, _encoded(content), itertools.count()))


_PIPELINES: dict[str, Callable[[bytes], Iterator[object]]] = {
    "read": _read,
    "validate": _validated,
    "encode": _encoded,
    "aggregate": _aggregated,
}


def stage_rates(count: int, *, seed: int = 0) -> list[StageRate]:
    """CPU time of each cumulative pipeline over the same `count` records."""
    content = json_array(count, seed=seed)
    rates = []
    for stage in STAGES:
        start = time.process_time()
        records = sum(1 for _ in _PIPELINES[stage](content))
        rates.append(StageRate(stage, records, time.process_time() - start))
    return rates


def big_file_run(gib: float, *, seed: int = 0, directory: Path | None = None) -> BigFileRun:
    """Generate a source file of at least `gib` GiB, publish it in a child process, delete it."""
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        path = Path(scratch) / "backfill.json"
        start = time.perf_counter()
        records, _ = write_json_array(path, int(gib * GIB), seed=seed)
        generate_s = time.perf_counter() - start
        completed = subprocess.run(
            module_command("bench.memory_probe", str(path)), cwd=PROJECT_DIR, check=True, capture_output=True, text=True
        )
    return BigFileRun(records, generate_s, ProbeResult(**json.loads(completed.stdout)))
