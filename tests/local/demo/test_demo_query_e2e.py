"""The demo's last step end to end: the same records delivered as JSON lines (the dev stack) and as Parquet (the
stack switched to record_format=parquet), both verified, and the named queries giving the same answers on both."""

from __future__ import annotations

import dataclasses
import math

import pytest

from ingest.local.demo import CHART_FILE, QUERIES_FILE, DemoOptions, DemoResult, run_demo
from ingest.local.provision import dev_stack_args
from ingest.parquet import is_parquet

pytestmark = pytest.mark.e2e


def _quiet(message: str) -> None:
    """Step lines are for people; tests look at the result."""


def _run(tmp_path, record_format: str) -> DemoResult:
    args = dev_stack_args()
    if record_format == "parquet":
        args = dataclasses.replace(args, record_format="parquet", compression="UNCOMPRESSED", buffering_size_mb=64)
    return run_demo(DemoOptions(out=tmp_path / record_format), args=args, progress=_quiet)


def _same(left: object, right: object) -> bool:
    if isinstance(left, float) or isinstance(right, float):
        return math.isclose(float(left), float(right), rel_tol=1e-12)  # type: ignore[arg-type]
    return left == right


def test_json_and_parquet_deliveries_verify_and_answer_the_named_queries_alike(tmp_path):
    json_run, parquet_run = _run(tmp_path, "json"), _run(tmp_path, "parquet")

    for run in (json_run, parquet_run):
        assert run.status == 0, run.summary()
        assert run.verification is not None and run.verification.ok
        assert run.endpoint_verification is not None and run.endpoint_verification.ok
        assert (run.out / QUERIES_FILE).is_file()
        assert (run.out / CHART_FILE).read_bytes().startswith(b"\x89PNG")
    assert all(path.suffix == ".gz" for path in json_run.copies)
    assert parquet_run.copies and all(
        path.suffix == ".parquet" and is_parquet(path.read_bytes()) for path in parquet_run.copies
    )
    assert parquet_run.stack["glueTableName"] == "price_record"

    assert [q.name for q in json_run.queries] == [q.name for q in parquet_run.queries]
    for json_result, parquet_result in zip(json_run.queries, parquet_run.queries, strict=True):
        assert json_result.columns == parquet_result.columns
        assert len(json_result.rows) == len(parquet_result.rows)
        for left, right in zip(json_result.rows, parquet_result.rows, strict=True):
            assert all(_same(a, b) for a, b in zip(left, right, strict=True)), (json_result.name, left, right)
    daily = next(q for q in json_run.queries if q.name == "daily_ohlc")
    assert sum(row[-1] for row in daily.rows) == 864 + 288
    assert "daily OHLC" in json_run.summary()
