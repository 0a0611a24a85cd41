"""`python -m ingest smoke` as CI runs it after `pulumi up`, against moto's server standing in for AWS.

The command runs in its own process with `AWS_ENDPOINT_URL` pointing at the server; the delivery double
moves records from the stream to the bucket from this process once the publish has finished.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.sample import SAMPLE_PREFIX, SAMPLE_ROOT
from tests.aws_env import subprocess_environment
from tests.smoke.conftest import REGION, Pipeline, create_pipeline, write_outputs
from tests.smoke.delivery_double import delivering_in_background

pytestmark = pytest.mark.e2e


@pytest.fixture
def environment(moto_server: str, tmp_path: Path) -> dict[str, str]:
    return subprocess_environment(moto_server, tmp_path)


@pytest.fixture
def pipeline(moto_server: str) -> Pipeline:
    return create_pipeline(endpoint_url=moto_server, aws_access_key_id="testing", aws_secret_access_key="testing")


def _finished(report: Path) -> bool:
    try:
        return json.loads(report.read_text())["finished_at"] is not None
    except (OSError, ValueError, KeyError):
        return False


def test_smoke_publishes_the_sample_and_finds_every_record_in_the_bucket(pipeline, environment, tmp_path):
    outputs = write_outputs(tmp_path / "outputs.json", region=REGION)
    report = tmp_path / "out" / "report.json"
    report.parent.mkdir()
    argv = [
        sys.executable, "-m", "ingest", "smoke", "--outputs", str(outputs),
        "--source", str(SAMPLE_ROOT / SAMPLE_PREFIX), "--report", str(report),
        "--timeout", "60", "--poll-interval", "0.2",
    ]  # fmt: skip

    with delivering_in_background(pipeline.delivery(), when=lambda: _finished(report)) as double:
        done = subprocess.run(argv, env=environment, cwd=tmp_path, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    sample_records = sum(len(json.loads(path.read_text())) for path in (SAMPLE_ROOT / SAMPLE_PREFIX).glob("*.json"))
    summary = done.stdout.strip()
    assert "\n" not in summary
    assert f"{sample_records} of {sample_records} arrived in s3://tracking-data/crypto/" in summary
    assert double.keys and all(key.startswith("crypto/year=") for key in double.keys)
