"""A job world in in-process moto: a stream, a source bucket with a few small objects, the report bucket, the
job's queue, DLQ and ledger as the local provisioning creates them, and the functions' environment set."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_kinesis_agg.deaggregator import iter_deaggregate_records
from moto import mock_aws

from ingest.job import operations
from ingest.job.clients import JobClients
from ingest.job.config import JobConfig
from ingest.job.ledger import Ledger
from ingest.job.messages import WorkItem, object_version
from ingest.job.worker import LEASE_MARGIN_SECONDS, Publish, WorkResult, work_on
from ingest.local.job_provision import LocalJob, LocalJobSettings, provision_job
from ingest.local.lambda_standin import SqsPollerStandIn, invoke_planner
from ingest.sample import generate_records
from tests.aws_env import use_fake_aws

REGION = "us-east-1"
STREAM = "tracking-stream"
SOURCE_BUCKET = "source-bucket"
SOURCE_PREFIX = "crypto/01-data-ingestion/"
REPORT_BUCKET = "tracking-bucket"
RECORDS_PER_OBJECT = 5


class Killed(BaseException):
    """Lambda ending an invocation (out of memory, timeout): no handler code runs after it."""


def records_body(count: int, *, seed: int = 0) -> bytes:
    return json.dumps(list(generate_records(count, seed=seed))).encode()


@dataclass
class JobWorld:
    job: LocalJob
    environment: dict[str, str]

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=REGION)

    @property
    def config(self) -> JobConfig:
        return JobConfig.from_environment(self.environment)

    @property
    def ledger(self) -> Ledger:
        return Ledger(self.client("dynamodb"), self.job.ledger_table)

    def put_source(self, name: str, body: bytes) -> str:
        self.client("s3").put_object(Bucket=SOURCE_BUCKET, Key=f"{SOURCE_PREFIX}{name}", Body=body)
        return f"s3://{SOURCE_BUCKET}/{SOURCE_PREFIX}{name}"

    def put_archived_source(self, name: str, body: bytes) -> str:
        """An object in the GLACIER storage class: listed, but GetObject answers InvalidObjectState until it is
        restored, so every attempt fails (a poison object)."""
        key = f"{SOURCE_PREFIX}{name}"
        self.client("s3").put_object(Bucket=SOURCE_BUCKET, Key=key, Body=body, StorageClass="GLACIER")
        return f"s3://{SOURCE_BUCKET}/{key}"

    def plan(self) -> list[dict[str, Any]]:
        return invoke_planner(self.job.planner_function, timeout_seconds=120)

    def poller(self, *, workers: int = 2) -> SqsPollerStandIn:
        return SqsPollerStandIn(
            self.client("sqs"),
            queue_url=self.job.queue_url,
            queue_arn=self.job.queue_arn,
            region=REGION,
            function_name=self.job.worker_function,
            workers=workers,
            batch_size=self.job.settings.batch_size,
            timeout_seconds=120,
        )

    def stream_records(self) -> int:
        """Kinesis records on the stream (each an aggregate of user records)."""
        return len(self._kinesis_records())

    def stream_user_records(self) -> int:
        """User records on the stream: the aggregates unpacked (how many aggregates a publish makes depends on
        its pacing, so only this count says how often records went out)."""
        return sum(1 for _ in iter_deaggregate_records(self._kinesis_records(), data_format="Boto3"))

    def _kinesis_records(self) -> list[dict[str, Any]]:
        kinesis = self.client("kinesis")
        records = []
        for shard in kinesis.list_shards(StreamName=STREAM)["Shards"]:
            iterator = kinesis.get_shard_iterator(
                StreamName=STREAM, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            records.extend(kinesis.get_records(ShardIterator=iterator, Limit=10_000)["Records"])
        return records

    @property
    def target(self) -> operations.JobTarget:
        """What `job status/retry/report` read from the stack's outputs."""
        return operations.JobTarget.from_outputs(self.job.outputs(REPORT_BUCKET, REGION), "test")

    def listed_version(self, uri: str) -> str:
        """The version a planner would list for a source object now."""
        key = uri.removeprefix(f"s3://{SOURCE_BUCKET}/")
        head = self.client("s3").head_object(Bucket=SOURCE_BUCKET, Key=key)
        return object_version(head["ETag"].strip('"'), head["ContentLength"])

    def receive_one(self) -> dict[str, Any]:
        """One message off the queue, with every attribute, as Lambda's poller receives it (not deleted)."""
        [message] = self.client("sqs").receive_message(
            QueueUrl=self.job.queue_url, AttributeNames=["All"], MaxNumberOfMessages=1
        )["Messages"]
        return message

    def sqs_record(self, message: dict[str, Any]) -> dict[str, Any]:
        """One record of the event Lambda's poller builds: https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html"""
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message["Attributes"],
            "messageAttributes": {},
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.job.queue_arn,
            "awsRegion": REGION,
        }

    def work(
        self,
        message: dict[str, Any],
        *,
        holder: str,
        publisher: Publish,
        remaining_ms: int = 120_000,
        lease_margin_seconds: float = LEASE_MARGIN_SECONDS,
    ) -> WorkResult:
        """One worker attempt on a received message, with a publisher the test controls."""
        return work_on(
            WorkItem.from_body(message["Body"]),
            receive_count=int(message["Attributes"]["ApproximateReceiveCount"]),
            holder=holder,
            config=self.config,
            clients=JobClients(REGION),
            remaining_ms=lambda: remaining_ms,
            publisher=publisher,
            lease_margin_seconds=lease_margin_seconds,
            message_id=message["MessageId"],
        )

    def queue_depth(self, url: str) -> int:
        attributes = self.client("sqs").get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        return sum(int(value) for value in attributes.values())


@pytest.fixture
def job_world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[JobWorld]:
    use_fake_aws(monkeypatch, tmp_path, region=REGION)
    monkeypatch.chdir(tmp_path)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=SOURCE_BUCKET)
        s3.create_bucket(Bucket=REPORT_BUCKET)
        boto3.client("kinesis", region_name=REGION).create_stream(StreamName=STREAM, ShardCount=1)
        job = provision_job(
            lambda service: boto3.client(service, region_name=REGION),
            name="test-ingest",
            # Longer than one worker attempt takes here, as AWS's guidance (six times the function's timeout) makes
            # it in a deploy: a message that returned while its own worker still ran would be failed meanwhile.
            settings=LocalJobSettings(max_receive_count=2),
        )
        environment = dict(
            job.environment(
                source_uri=f"s3://{SOURCE_BUCKET}/{SOURCE_PREFIX}",
                source_region=REGION,
                stream=STREAM,
                bucket=REPORT_BUCKET,
            )
        )
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        yield JobWorld(job, environment)


@pytest.fixture
def clients(job_world: JobWorld) -> JobClients:
    return JobClients(REGION)
