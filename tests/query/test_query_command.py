"""`python -m ingest query`: tables on stdout, a chart on disk, one-line errors; sources: a folder, a demo's
output folder (the newest by default) and an S3 prefix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from ingest import cli
from tests.aws_env import use_fake_aws

from .deliveries import anomalous_records, encoded, write_json_delivery, write_parquet_delivery

REPOSITORY = Path(__file__).resolve().parents[2]
LINES = encoded(anomalous_records())


@pytest.fixture
def delivery(tmp_path: Path) -> Path:
    return write_parquet_delivery(tmp_path / "crypto", LINES)


def _demo_folder(root: Path, name: str) -> Path:
    out = root / "out" / name
    write_json_delivery(out / "s3" / "tracking-bucket" / "crypto", LINES)
    (out / "stack-outputs.json").write_text(json.dumps({"bucketName": "tracking-bucket", "deliveryPrefix": "crypto/"}))
    return out


def test_prints_every_named_query_as_a_table_and_draws_the_chart(delivery, tmp_path, capsys):
    chart = tmp_path / "chart.png"

    assert cli.main(["query", str(delivery), "--chart", str(chart), "--rows", "2"]) == 0

    out = capsys.readouterr().out
    assert "2 delivered objects (parquet" in out
    for name in ("daily_ohlc", "data_quality", "latest_24_hours"):
        assert f"## {name}\n" in out
    header = out.split("## daily_ohlc\n", 1)[1].splitlines()[0]
    assert header.split() == ["day", "open", "high", "low", "close", "volume", "quotevolume", "intervals"]
    assert "duplicate_interval" in out and "... 1 more rows (3 in all)" in out
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_one_query_without_a_chart(delivery, capsys):
    assert cli.main(["query", str(delivery), "--query", "data_quality", "--no-chart"]) == 0
    out = capsys.readouterr().out
    assert "## data_quality" in out and "## daily_ohlc" not in out and "chart:" not in out


def test_the_newest_demo_is_the_default_source(tmp_path, monkeypatch, capsys):
    _demo_folder(tmp_path, "demo-20261201T000000Z")
    newest = _demo_folder(tmp_path, "demo-20261202T000000Z")
    monkeypatch.chdir(tmp_path)

    assert cli.main(["query", "--no-chart", "--query", "daily_ohlc"]) == 0

    assert f"under {Path('out') / newest.name / 's3' / 'tracking-bucket' / 'crypto'}" in capsys.readouterr().out


def test_an_s3_prefix_is_copied_down_and_queried(tmp_path, monkeypatch, capsys):
    use_fake_aws(monkeypatch, tmp_path, region="us-east-1")
    local = write_json_delivery(tmp_path / "local", LINES)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="data")
        for path in local.rglob("*.gz"):
            s3.put_object(Bucket="data", Key=f"crypto/{path.relative_to(local)}", Body=path.read_bytes())
        s3.put_object(Bucket="data", Key="errors/processing-failed/x", Body=b"{}")

        assert cli.main(["query", "s3://data/crypto", "--no-chart", "--query", "daily_ohlc"]) == 0

    assert "2 delivered objects (json" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "{empty}"], "no delivered objects under"),
        (["query", "{delivery}", "--query", "weekly"], "no named query 'weekly'"),
        (["query", "s3:/nope"], "not a folder of delivered objects"),
    ],
)
def test_expected_errors_are_one_line_with_status_2(tmp_path, delivery, capsys, argv, message):
    (tmp_path / "empty").mkdir()
    argv = [arg.format(empty=tmp_path / "empty", delivery=delivery) for arg in argv]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ingest query: ") and message in err and "\n" not in err


def test_no_demo_yet_says_what_to_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["query"]) == 2
    assert "run `make demo`" in capsys.readouterr().err


def test_without_matplotlib_the_chart_is_one_line_and_the_tables_still_print(delivery, tmp_path):
    blocker = (
        "import importlib.abc, sys\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.partition('.')[0] == 'matplotlib':\n"
        "            raise ModuleNotFoundError(name, name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from ingest.cli import main\n"
        f"raise SystemExit(main(['query', {str(delivery)!r}, '--chart', {str(tmp_path / 'c.png')!r}]))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", blocker], cwd=REPOSITORY, capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 2
    assert "## daily_ohlc" in run.stdout
    assert run.stderr.strip() == "ingest query: the chart needs matplotlib: pip install matplotlib (or --no-chart)"
