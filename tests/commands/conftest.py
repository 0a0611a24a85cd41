from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ingest.publishing.deaggregation import read_stream as stream_records
from ingest.records import Provenance, decode_record
from ingest.sample import generate_records

STREAM = "prices"
REGION = "us-east-1"


@pytest.fixture(autouse=True)
def _in_a_scratch_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command writes its default dead-letter file to the working directory: keep it out of the repo."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def kinesis(aws_env: None) -> Iterator[Any]:
    """An in-process moto Kinesis with the stream `prices` (2 shards)."""
    with mock_aws():
        client = boto3.client("kinesis", region_name=REGION)
        client.create_stream(StreamName=STREAM, ShardCount=2)
        yield client


def write_days(directory: Path, days: int = 2, per_day: int = 30) -> Path:
    """A small local source: one JSON array per day, valid records only."""
    directory.mkdir(parents=True, exist_ok=True)
    records = generate_records(days * per_day)
    for day in range(days):
        batch = [next(records) for _ in range(per_day)]
        (directory / f"2018-01-0{day + 1}.json").write_text(json.dumps(batch))
    return directory


def read_stream(client: Any, stream: str = STREAM) -> list[tuple[dict[str, object], Provenance]]:
    """Every user record in the stream, de-aggregated and decoded, duplicates included."""
    return [decode_record(user.data) for user in stream_records(client, stream)]
