"""`python -m ingest publish` as a user runs it, against moto's server standing in for Kinesis."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from ingest.run.report import load_report
from ingest.sample import SAMPLE_PREFIX, SAMPLE_ROOT
from tests.aws_env import subprocess_environment
from tests.commands.conftest import REGION, STREAM, read_stream

pytestmark = pytest.mark.e2e


@pytest.fixture
def environment(moto_server: str, tmp_path: Path) -> dict[str, str]:
    return subprocess_environment(moto_server, tmp_path, region=REGION)


@pytest.fixture
def kinesis(moto_server: str, environment: dict[str, str]) -> Iterator[Any]:
    client = boto3.client(
        "kinesis",
        region_name=REGION,
        endpoint_url=moto_server,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_stream(StreamName=STREAM, ShardCount=2)
    yield client
    client.delete_stream(StreamName=STREAM, EnforceConsumerDeletion=True)


def _ingest(environment: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ingest", *argv],
        env=environment,
        cwd=environment["HOME"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_publish_delivers_every_sample_record_to_the_stream(kinesis, environment, tmp_path):
    report_path, dead_letter = tmp_path / "report.json", tmp_path / "dead.jsonl"
    source = SAMPLE_ROOT / SAMPLE_PREFIX

    done = _ingest(
        environment,
        "publish", "--stream", STREAM, "--source", str(source),
        "--report", str(report_path), "--dead-letter", str(dead_letter),
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    report = load_report(report_path)
    sample_records = sum(len(json.loads(path.read_text())) for path in source.glob("*.json"))
    assert report.records_read == report.records_published == sample_records > 0
    delivered = read_stream(kinesis)
    assert len(delivered) == sample_records
    assert {(p.run_id, p.source, p.index) for _, p in delivered} == set(report.expected_records())
    assert dead_letter.read_text() == ""
    assert f"published {sample_records} of {sample_records} records" in done.stdout


def test_an_unknown_stream_exits_2_with_one_line_and_no_traceback(environment):
    done = _ingest(environment, "publish", "--stream", "missing", "--source", str(SAMPLE_ROOT))

    assert done.returncode == 2
    assert done.stderr == "ingest publish: Kinesis stream 'missing' does not exist in us-east-1\n"
    assert done.stdout == ""
