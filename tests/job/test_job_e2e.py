"""The cloud job end to end on moto's server, as `demo --job` runs it: the real handlers invoked by the Lambda
stand-in, several workers at once, the Firehose stand-in delivering, and the real `verify` on the merged report."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.job import operations
from ingest.job.clients import JobClients
from ingest.job.config import JobConfig
from ingest.job.ledger import Ledger
from ingest.job.messages import WorkItem
from ingest.job.worker import work_on
from ingest.local.demo import VERIFY_POLL_SECONDS
from ingest.local.job_demo import JOB_NAME, JobDemoOptions, run_job_demo
from ingest.local.job_provision import LocalJob, LocalJobSettings, provision_job
from ingest.local.lambda_standin import SqsPollerStandIn, function_environment, invoke_planner
from ingest.local.stack import LocalStack, running_local_stack
from ingest.run.publish import PublishOptions, PublishResult, publish
from ingest.run.report import load_report
from ingest.run.stop import StopRequest
from ingest.sources import Source
from ingest.verify import VerifyOptions, VerifyResult
from ingest.verify.polling import verify_delivery
from tests.job.conftest import records_body

pytestmark = pytest.mark.e2e

SAMPLE_RECORDS = 864
"""The committed sample dataset: three objects of one day each."""


@dataclass
class CloudJob:
    stack: LocalStack
    job: LocalJob

    def plan(self) -> list[dict]:
        return invoke_planner(self.job.planner_function, timeout_seconds=120)

    def drain(self, workers: int = 4) -> None:
        SqsPollerStandIn(
            self.stack.emulator.client("sqs"),
            queue_url=self.job.queue_url,
            queue_arn=self.job.queue_arn,
            region=self.stack.emulator.region,
            function_name=self.job.worker_function,
            workers=workers,
            batch_size=1,
            timeout_seconds=120,
        ).drain()

    @property
    def target(self) -> operations.JobTarget:
        outputs = self.job.outputs(self.stack.pipeline.names.bucket, self.stack.emulator.region)
        return operations.JobTarget.from_outputs(outputs, "test")

    def verify(self, run_id: str, tmp_path: Path) -> VerifyResult:
        self.stack.firehose.flush()
        report = operations.report(self.target, JobClients(self.stack.emulator.region), run_id, tmp_path / "run.json")
        args = self.stack.pipeline.args
        return verify_delivery(
            report,
            VerifyOptions(
                bucket=self.stack.pipeline.names.bucket,
                prefix=args.data_prefix,
                error_prefix=args.error_prefix,
                timeout_seconds=30,
                poll_interval_seconds=VERIFY_POLL_SECONDS,
                region=self.stack.emulator.region,
            ),
        )


@pytest.fixture
def cloud_job() -> Iterator[CloudJob]:
    with running_local_stack() as stack:
        job = provision_job(stack.emulator.client, name=JOB_NAME, settings=LocalJobSettings(max_receive_count=5))
        environment = job.environment(
            source_uri=f"s3://{stack.source.bucket}/{stack.source.prefix}",
            source_region=stack.emulator.region,
            stream=stack.pipeline.names.stream,
            bucket=stack.pipeline.names.bucket,
        )
        with function_environment(environment):
            yield CloudJob(stack, job)


def test_a_backfill_delivers_every_record_and_a_changed_object_is_republished_once(cloud_job, tmp_path):
    [first] = cloud_job.plan()
    cloud_job.drain()
    verification = cloud_job.verify(first["run_id"], tmp_path)
    assert (verification.expected, verification.delivered, verification.missing, verification.duplicated) == (
        SAMPLE_RECORDS,
        SAMPLE_RECORDS,
        0,
        0,
    )
    assert cloud_job.plan()[0]["enqueued"] == 0

    source = cloud_job.stack.source
    cloud_job.stack.emulator.client("s3").put_object(
        Bucket=source.bucket, Key=source.keys[0], Body=records_body(7, seed=3)
    )
    [changed] = cloud_job.plan()
    assert changed["enqueued"] == 1
    cloud_job.drain()
    again = cloud_job.verify(changed["run_id"], tmp_path)
    assert (again.expected, again.delivered, again.missing, again.duplicated) == (7, 7, 0, 0)


class Killed(BaseException):
    """Lambda ending an invocation: no handler code runs after it, no ledger write, no report upload."""


def test_a_worker_killed_mid_object_is_taken_over_and_verify_counts_the_duplicates(cloud_job, tmp_path):
    [plan] = cloud_job.plan()
    sqs = cloud_job.stack.emulator.client("sqs")
    [message] = sqs.receive_message(QueueUrl=cloud_job.job.queue_url, AttributeNames=["All"], MaxNumberOfMessages=1)[
        "Messages"
    ]
    item = WorkItem.from_body(message["Body"])

    def publish_then_die(
        options: PublishOptions, stop: StopRequest | None = None, source: Source | None = None
    ) -> PublishResult:
        publish(options, source=source)
        raise Killed

    with pytest.raises(Killed):
        work_on(
            item,
            receive_count=1,
            holder="killed-invocation",
            config=JobConfig.from_environment(os.environ),
            clients=JobClients(cloud_job.stack.emulator.region),
            remaining_ms=lambda: 0,
            publisher=publish_then_die,
            lease_margin_seconds=0,
        )
    cloud_job.drain()  # the killed message comes back after the visibility timeout, with the rest

    state = operations.status(cloud_job.target, JobClients(cloud_job.stack.emulator.region))
    assert state.objects["PUBLISHED"] == 3 and state.problems == []
    ledger = Ledger(cloud_job.stack.emulator.client("dynamodb"), cloud_job.job.ledger_table)
    entry = ledger.get(item.object_uri)
    assert entry is not None and entry.attempts == 2  # the killed attempt, then the one that took it over
    verification = cloud_job.verify(plan["run_id"], tmp_path)
    killed_records = next(o.published for o in load_report(tmp_path / "run.json").objects if o.uri == item.object_uri)
    assert (verification.expected, verification.missing) == (SAMPLE_RECORDS, 0)
    assert verification.duplicated == killed_records > 0


def test_the_job_demo_runs_the_cloud_path_and_says_what_the_stand_in_replaces(tmp_path):
    result = run_job_demo(JobDemoOptions(workers=3, out=tmp_path), progress=lambda message: None)
    assert result.status == 0, result.problem
    assert result.verification is not None and (result.verification.expected, result.verification.missing) == (
        SAMPLE_RECORDS,
        0,
    )
    assert sum(plan["enqueued"] for plan in result.second_plan) == 0
    summary = result.summary()
    assert "stand-in" in summary and "lambda_standin.py" in summary
    assert (tmp_path / "job-run-report.json").is_file() and (tmp_path / "job-outputs.json").is_file()
