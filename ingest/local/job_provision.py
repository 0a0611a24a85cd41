"""The cloud job's queue, dead-letter queue and ledger on the local emulator, as the IngestJob component declares
them (the same ledger key, redrive policy and encryption), so the real handlers run against them unchanged."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from components.core import stack_outputs
from components.core.job import DEFAULT_REPORT_PREFIX, JOB_ENVIRONMENT, LEDGER
from components.core.job_settings import IngestJobArgs
from components.core.stack_config import job_args_from_config
from ingest.local.stack_file import read_stack_file

ClientFactory = Callable[[str], Any]


@dataclass(frozen=True)
class LocalJobSettings:
    """The job's settings for a local run: short timeouts, so a killed worker's message comes back in seconds."""

    max_receive_count: int = 3
    visibility_timeout_seconds: int = 5
    """In AWS at least six times the worker's timeout; here a worker "times out" when a test kills it. Longer than
    one attempt takes on a busy 2-core machine (about 2 s seen), so a message does not come back while its worker
    still runs: that redelivery is failed as busy and spends a receive (ingest.job.worker)."""
    batch_size: int = 1
    workers: int = 4
    worker_timeout_seconds: int = 120
    """What the stand-in's context reports as the invocation's time budget."""
    report_prefix: str = DEFAULT_REPORT_PREFIX

    @classmethod
    def of_stack(cls, stack: str, *, workers: int) -> LocalJobSettings:
        """What the stack file declares for its IngestJob (receives before the DLQ, batch size, report prefix),
        with the local timings; the stack's defaults when it does not enable the job."""
        args = job_args_from_config(read_stack_file(stack)) or IngestJobArgs()
        return cls(
            max_receive_count=args.max_receive_count,
            batch_size=args.batch_size,
            report_prefix=args.report_prefix,
            workers=workers,
        )


@dataclass(frozen=True)
class LocalJob:
    queue_url: str
    queue_arn: str
    dlq_url: str
    ledger_table: str
    planner_function: str
    worker_function: str
    settings: LocalJobSettings

    def outputs(self, bucket: str, region: str) -> dict[str, str]:
        """The outputs the program exports for the job, as `python -m ingest job --outputs FILE` reads them."""
        return {
            stack_outputs.INGEST_QUEUE_URL.key: self.queue_url,
            stack_outputs.INGEST_DLQ_URL.key: self.dlq_url,
            stack_outputs.LEDGER_TABLE_NAME.key: self.ledger_table,
            stack_outputs.PLANNER_FUNCTION_NAME.key: self.planner_function,
            stack_outputs.WORKER_FUNCTION_NAME.key: self.worker_function,
            stack_outputs.INGEST_REPORT_PREFIX.key: self.settings.report_prefix,
            stack_outputs.BUCKET_NAME.key: bucket,
            stack_outputs.REGION.key: region,
        }

    def environment(self, *, source_uri: str, source_region: str, stream: str, bucket: str) -> Mapping[str, str]:
        """What the component sets on both functions; the planner's own name is left empty, because no Lambda
        function exists locally to invoke: the stand-in follows the planner's continuation itself."""
        names = JOB_ENVIRONMENT
        return {
            names.source_uri: source_uri,
            names.source_region: source_region,
            names.queue_url: self.queue_url,
            names.ledger_table: self.ledger_table,
            names.stream_name: stream,
            names.report_bucket: bucket,
            names.report_prefix: self.settings.report_prefix,
            names.max_receive_count: str(self.settings.max_receive_count),
            names.planner_function: "",
        }


def provision_job(clients: ClientFactory, *, name: str, settings: LocalJobSettings | None = None) -> LocalJob:
    settings = settings or LocalJobSettings()
    sqs = clients("sqs")
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq", Attributes={"SqsManagedSseEnabled": "true"})["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue_url = sqs.create_queue(
        QueueName=f"{name}-queue",
        Attributes={
            "SqsManagedSseEnabled": "true",
            "VisibilityTimeout": str(settings.visibility_timeout_seconds),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(settings.max_receive_count)}
            ),
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    table = f"{name}-ledger"
    clients("dynamodb").create_table(
        TableName=table,
        KeySchema=[{"AttributeName": LEDGER.key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": LEDGER.key, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True},
    )
    return LocalJob(
        queue_url=queue_url,
        queue_arn=queue_arn,
        dlq_url=dlq_url,
        ledger_table=table,
        planner_function=f"{name}-planner",
        worker_function=f"{name}-worker",
        settings=settings,
    )
