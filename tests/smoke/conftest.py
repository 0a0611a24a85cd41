from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.smoke.delivery_double import DeliveryDouble

STREAM = "tracking-stream"
BUCKET = "tracking-data"
REGION = "us-east-1"
OUTPUTS = {
    "streamName": STREAM,
    "streamArn": f"arn:aws:kinesis:{REGION}:123456789012:stream/{STREAM}",
    "deliveryStreamName": "tracking-delivery",
    "bucketName": BUCKET,
    "deliveryPrefix": "crypto/",
    "errorPrefix": "errors/",
    "region": REGION,
    "bufferingIntervalSeconds": 60,
}


@pytest.fixture(autouse=True)
def _in_a_scratch_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@dataclass
class Pipeline:
    """The deployed resources a smoke test touches, in moto: the stream and the bucket."""

    kinesis: Any
    s3: Any

    def delivery(self, **kwargs: Any) -> DeliveryDouble:
        return DeliveryDouble(self.kinesis, self.s3, stream=STREAM, bucket=BUCKET, prefix="crypto/", **kwargs)


def create_pipeline(**client_options: Any) -> Pipeline:
    kinesis = boto3.client("kinesis", region_name=REGION, **client_options)
    s3 = boto3.client("s3", region_name=REGION, **client_options)
    kinesis.create_stream(StreamName=STREAM, ShardCount=2)
    s3.create_bucket(Bucket=BUCKET)
    return Pipeline(kinesis, s3)


@pytest.fixture
def pipeline(aws_env: None) -> Iterator[Pipeline]:
    with mock_aws():
        yield create_pipeline()


def write_outputs(path: Path, **changes: Any) -> Path:
    """A file as `pulumi stack output --json > FILE` writes it; a change of None drops the key."""
    outputs = {key: value for key, value in {**OUTPUTS, **changes}.items() if value is not None}
    path.write_text(json.dumps(outputs, indent=2))
    return path
