"""The ingest job's scaling curve: a backfill of a few hundred source objects by 1, 4 and 16 workers sharing one
stream of `SHARDS` shards (`bench.standin`, the per-shard write limits in real time).

Each worker does what a Lambda worker does with one message: the real `publish()` on one object (read, validate,
encode, aggregate, publish), then the next. The work list stands in for the SQS queue and the workers are threads
of this process: on a 2-core machine they share its cores and one interpreter lock, where Lambda gives each
worker its own vCPU share. The curve therefore shows two things: how close one worker gets to the stream's byte
capacity (what `components.core.job.worker_max_concurrency` divides by), and that workers beyond what the stream
takes add throttling, not throughput. What the component's formula would choose for this stream is printed next to
it.
"""

from __future__ import annotations

import json
import queue
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.kinesis_limits import byte_capacity_fraction
from bench.meter import MeteredKinesis
from bench.standin import ShardLimitedKinesis
from components.core.job import WORKER_BYTES_PER_VCPU, worker_max_concurrency
from ingest.run.publish import PublishOptions, publish
from ingest.sample import generate_records

WORKER_COUNTS: tuple[int, ...] = (1, 4, 16)
SHARDS = 16
OBJECTS = 300
RECORDS_PER_OBJECT = 1_440
"""Five days of 5-minute intervals per object: 300 objects keep 16 shards busy ~8 s, past the empty shards'
first-second burst (see `bench.shard_limits`)."""


@dataclass(frozen=True)
class JobScalingRun:
    workers: int
    shards: int
    objects: int
    records: int
    published: int
    rejected: int
    failed: int
    wall_s: float
    records_per_s: float
    bytes: int
    byte_capacity_fraction: float | None
    calls_throttled: int
    throttled_entries: int
    formula_concurrency: int
    """What the IngestJob component would set as the maximum concurrency for a stream of these shards."""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def write_objects(folder: Path, objects: int, per_object: int, *, seed: int = 0) -> list[Path]:
    """Source objects as the seed bucket has them: one JSON array per file, different records in each."""
    records = generate_records(objects * per_object, seed=seed)
    paths = []
    for index in range(objects):
        batch = [next(records) for _ in range(per_object)]
        path = folder / f"object-{index:04d}.json"
        path.write_text(json.dumps(batch), encoding="utf-8")
        paths.append(path)
    return paths


def run_workers(
    paths: Sequence[Path], workers: int, shards: int, *, clock: Callable[[], float] = time.monotonic
) -> JobScalingRun:
    stream = ShardLimitedKinesis(shards, clock=clock)
    client = MeteredKinesis(stream)
    work: queue.SimpleQueue[Path] = queue.SimpleQueue()
    for path in paths:
        work.put(path)
    totals = {"records": 0, "published": 0, "rejected": 0, "failed": 0}
    lock = threading.Lock()

    def worker() -> None:
        with tempfile.TemporaryDirectory(prefix="bench-job-") as folder:
            while True:
                try:
                    path = work.get_nowait()
                except queue.Empty:
                    return
                options = PublishOptions(
                    stream=stream.stream_name, source=str(path), dead_letter=Path(folder) / f"{path.stem}.jsonl"
                )
                report = publish(options, kinesis=client).report
                if report is None:
                    raise RuntimeError(f"publish of {path} could not start")
                with lock:
                    totals["records"] += report.records_read
                    totals["published"] += report.records_published
                    totals["rejected"] += report.records_rejected
                    totals["failed"] += report.records_failed

    threads = [threading.Thread(target=worker, name=f"bench-worker-{n}") for n in range(workers)]
    start = clock()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall_s = clock() - start
    meter = client.meter
    return JobScalingRun(
        workers=workers,
        shards=shards,
        objects=len(paths),
        wall_s=wall_s,
        records_per_s=totals["published"] / wall_s if wall_s > 0 else 0.0,
        bytes=meter.bytes_accepted,
        byte_capacity_fraction=byte_capacity_fraction(meter.bytes_accepted, wall_s, shards),
        calls_throttled=meter.calls_throttled,
        throttled_entries=meter.throttled_entries,
        formula_concurrency=worker_max_concurrency(shard_count=shards, worker_bytes_per_second=WORKER_BYTES_PER_VCPU),
        **totals,
    )


def job_scaling(
    *,
    worker_counts: Sequence[int] = WORKER_COUNTS,
    shards: int = SHARDS,
    objects: int = OBJECTS,
    per_object: int = RECORDS_PER_OBJECT,
    seed: int = 0,
    progress: Callable[[str], None] = lambda message: None,
) -> list[JobScalingRun]:
    """The same objects for every worker count, each time on a fresh stand-in stream."""
    with tempfile.TemporaryDirectory(prefix="bench-job-objects-") as folder:
        paths = write_objects(Path(folder), objects, per_object, seed=seed)
        runs = []
        for workers in worker_counts:
            progress(f"job scaling: {workers} workers, {objects} objects, {shards} shards")
            runs.append(run_workers(paths, workers, shards))
        return runs
