"""End to end on moto's server: the real publish, the Firehose stand-in, the real verify, and the demo command."""

from __future__ import annotations

import dataclasses
import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest import cli
from ingest.local.demo import ENDPOINT_RECORDS, DemoOptions, run_demo
from ingest.local.firehose_standin import FirehoseStandIn
from ingest.local.provision import dev_stack_args
from ingest.local.stack import running_local_stack
from ingest.records import decode_record
from ingest.run.publish import PublishOptions, publish

pytestmark = pytest.mark.e2e

REPOSITORY = Path(__file__).resolve().parents[3]
SAMPLE_RECORDS = 864


def _quiet(message: str) -> None:
    """Step lines are for people; tests look at the result."""


def _lines(path: Path) -> list[bytes]:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).splitlines()


@pytest.mark.parametrize("compression", ["GZIP", "UNCOMPRESSED"])
@pytest.mark.parametrize("aggregate", [True, False], ids=["aggregated", "not-aggregated"])
def test_publish_relay_verify_delivers_every_record(tmp_path, aggregate, compression):
    args = dataclasses.replace(dev_stack_args(), compression=compression)

    result = run_demo(DemoOptions(aggregate=aggregate, out=tmp_path, endpoint_records=0), args=args, progress=_quiet)

    assert result.status == 0
    verification = result.verification
    assert verification is not None and verification.ok
    assert (verification.expected, verification.delivered, verification.missing) == (SAMPLE_RECORDS,) * 2 + (0,)
    assert result.report is not None
    assert result.report.aggregate is aggregate
    assert (result.report.kinesis_records < SAMPLE_RECORDS) is aggregate
    assert result.copies and all((path.suffix == ".gz") is (compression == "GZIP") for path in result.copies)
    lines = [line for path in result.copies for line in _lines(path)]
    assert len(lines) == SAMPLE_RECORDS
    assert {decode_record(line)[1].run_id for line in lines} == {result.report.run_id}


def test_a_deleted_object_makes_verify_fail_and_name_its_records(tmp_path, capsys):
    with running_local_stack() as stack:
        stack.firehose.stop(flush=False)
        small_objects = FirehoseStandIn(
            dataclasses.replace(stack.firehose.settings, buffering_bytes=64 * 1024),
            kinesis=stack.emulator.client("kinesis"),
            s3=stack.emulator.client("s3"),
        )
        report_path = tmp_path / "report.json"
        published = publish(
            PublishOptions(stream=stack.pipeline.names.stream, source=stack.source.url, report=report_path)
        )
        assert published.status == 0
        delivered = small_objects.flush()
        assert len(delivered) > 2
        s3 = stack.emulator.client("s3")
        victim = delivered[1].key
        lost = gzip.decompress(s3.get_object(Bucket=stack.firehose.settings.bucket, Key=victim)["Body"].read())
        lost_records = [decode_record(line)[1] for line in lost.splitlines()]
        s3.delete_object(Bucket=stack.firehose.settings.bucket, Key=victim)
        capsys.readouterr()

        status = cli.main(
            ["verify", "--report", str(report_path), "--bucket", stack.pipeline.names.bucket, "--timeout", "0"]
        )

    out, err = capsys.readouterr()
    assert status == 1
    assert f"{len(lost_records)} missing" in out
    named = [line.strip() for line in out.splitlines() if line.startswith("  s3://")]
    assert named and len(named) == min(20, len(lost_records))
    assert set(named) <= {f"{record.source} #{record.index}" for record in lost_records}
    assert f"ingest verify: {len(lost_records)} of {SAMPLE_RECORDS} records missing" in err


def test_demo_command_in_process(tmp_path, capsys):
    out = tmp_path / "artifacts"

    assert cli.main(["demo", "--out", str(out)]) == 0

    stdout = capsys.readouterr().out
    assert "every published record reached the bucket" in stdout
    assert "OK: every published record arrived." in stdout
    for name in ("report.json", "verify.json", "stack-outputs.json"):
        assert (out / name).is_file()
    [copy] = (out / "s3" / "tracking-bucket" / "crypto").rglob("*.gz")
    assert len(_lines(copy)) == SAMPLE_RECORDS + ENDPOINT_RECORDS
    assert str(copy) in stdout


def test_demo_with_generated_records_and_no_aggregation(tmp_path):
    result = run_demo(DemoOptions(records=700, aggregate=False, out=tmp_path), progress=_quiet)
    assert result.status == 0
    assert result.report is not None and result.report.records_published == 700
    assert result.report.kinesis_records == 700


def test_python_m_ingest_demo_writes_under_out_by_default(tmp_path):
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    environment.update(PYTHONPATH=str(REPOSITORY), HOME=str(tmp_path), AWS_PROFILE="not-configured-here")

    run = subprocess.run(
        [sys.executable, "-m", "ingest", "demo"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    [out] = (tmp_path / "out").iterdir()
    assert out.name.startswith("demo-")
    assert (out / "report.json").is_file()
    assert "Traceback" not in run.stderr
    assert run.stderr.count("demo: ") >= 5  # the step lines


def test_the_demo_fails_when_nothing_is_delivered(tmp_path, monkeypatch):
    """Without a working stand-in nothing reaches the bucket, and the demo says so instead of faking success."""
    monkeypatch.setattr(FirehoseStandIn, "start", lambda self: None)
    monkeypatch.setattr(FirehoseStandIn, "flush", lambda self: [])

    result = run_demo(DemoOptions(out=tmp_path, verify_timeout_seconds=0), progress=_quiet)

    assert result.status == 1
    assert result.verification is not None and result.verification.missing == SAMPLE_RECORDS
    summary = result.summary()
    assert summary.startswith("Local demo: NOT every published record reached the bucket")
    assert "FAILED" in summary
    assert result.problem is not None and result.problem.startswith(f"verify: {SAMPLE_RECORDS} of {SAMPLE_RECORDS}")
    assert result.copies == []
