"""The job-scaling section's accounting on a tiny run: every record read is published, each worker count runs on
the same objects, and the formula's concurrency is the component's. Figures, not timings, are the bench's job."""

from __future__ import annotations

import json

from bench.job_scaling import job_scaling, write_objects
from bench.tables import job_scaling_table
from components.core.job import WORKER_BYTES_PER_VCPU, worker_max_concurrency


def test_objects_hold_different_records(tmp_path):
    paths = write_objects(tmp_path, 3, 4)
    days = [json.loads(path.read_text()) for path in paths]
    assert [len(day) for day in days] == [4, 4, 4]
    assert len({record["date"] for day in days for record in day}) == 12


def test_every_worker_count_publishes_every_record_of_the_same_objects():
    runs = job_scaling(worker_counts=(1, 3), shards=2, objects=6, per_object=20)
    assert [run.workers for run in runs] == [1, 3]
    for run in runs:
        assert (run.objects, run.records, run.published, run.failed, run.rejected) == (6, 120, 120, 0, 0)
        assert run.bytes > 0 and run.byte_capacity_fraction is not None
        assert run.formula_concurrency == worker_max_concurrency(
            shard_count=2, worker_bytes_per_second=WORKER_BYTES_PER_VCPU
        )
    table = job_scaling_table(runs)
    assert table.count("\n") == 3 and "120 / 120" in table
