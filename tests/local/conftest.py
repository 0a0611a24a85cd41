from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from components.core.layout import delivery_prefix
from ingest.local.firehose_standin import MIB, DeliverySettings
from ingest.publishing import KinesisPublisher, OutgoingRecord

REGION = "us-east-1"
STREAM = "tracking-stream"
BUCKET = "tracking-bucket"
DELIVERY_STREAM = "tracking-delivery"


@dataclass
class Aws:
    kinesis: Any
    s3: Any
    firehose: Any

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=REGION)


@pytest.fixture
def aws(aws_env: None) -> Iterator[Aws]:
    """In-process moto (fresh state per test)."""
    with mock_aws():
        yield Aws(
            kinesis=boto3.client("kinesis", region_name=REGION),
            s3=boto3.client("s3", region_name=REGION),
            firehose=boto3.client("firehose", region_name=REGION),
        )


def make_stream(aws: Aws, shards: int = 1) -> str:
    aws.kinesis.create_stream(StreamName=STREAM, ShardCount=shards)
    aws.s3.create_bucket(Bucket=BUCKET)
    return str(aws.kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamARN"])


def settings(stream_arn: str, **overrides: Any) -> DeliverySettings:
    """The dev stack's delivery settings, unless overridden."""
    values: dict[str, Any] = {
        "delivery_stream_name": DELIVERY_STREAM,
        "version_id": "1",
        "source_stream_arn": stream_arn,
        "bucket": BUCKET,
        "prefix": delivery_prefix("crypto/"),
        "buffering_bytes": 1 * MIB,
        "buffering_seconds": 60.0,
        "compression": "GZIP",
        "append_delimiter": True,
    }
    values.update(overrides)
    return DeliverySettings(**values)


def user_records(count: int, *, start: int = 0, padding: int = 0) -> list[bytes]:
    """Compact JSON objects (no newline), like the records `publish` sends."""
    return [json.dumps({"n": n, "pad": "x" * padding}, separators=(",", ":")).encode() for n in range(start, count)]


def put(aws: Aws, records: list[bytes], *, aggregate: bool) -> None:
    """Through the project's own producer, so aggregated records are exactly what `publish` writes."""
    publisher = KinesisPublisher(aws.kinesis, STREAM, aggregate=aggregate)
    outcomes = list(publisher.publish(OutgoingRecord(data, ref=i) for i, data in enumerate(records)))
    assert all(outcome.ok for outcome in outcomes)


def objects(aws: Aws) -> dict[str, bytes]:
    listing = aws.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {item["Key"]: aws.s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read() for item in listing}
