"""The two Lambda entry points (`components.core.job.PLANNER_HANDLER` / `WORKER_HANDLER`): parse the event, call
the library, map its result to what Lambda expects. Nothing else lives here.

The worker answers with the SQS partial batch response, so one bad object does not send its batch-mates back to
the queue (the event source mapping has `ReportBatchItemFailures` on:
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html); Powertools' BatchProcessor builds
it (https://docs.powertools.aws.dev/lambda/python/latest/utilities/batch/).
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ingest.job.clients import environment_clients
from ingest.job.config import JobConfig
from ingest.job.messages import WorkItem
from ingest.job.planner import plan as plan_run
from ingest.job.worker import work_on

processor = BatchProcessor(event_type=EventType.SQS)
"""Module level, as Powertools documents it: one per execution environment, which runs one invocation at a time
(the local stand-in gives each of its concurrent workers its own copy of this module)."""


def plan(event: dict[str, Any] | None, context: Any) -> dict[str, Any]:
    config = JobConfig.from_environment(os.environ)
    result = plan_run(config, environment_clients(), event or {}, remaining_ms=context.get_remaining_time_in_millis)
    return result.to_dict()


def record_handler(record: SQSRecord, lambda_context: LambdaContext) -> None:
    """One work item; raising marks only this message failed. Powertools passes `lambda_context` because the
    signature names it (https://docs.powertools.aws.dev/lambda/python/latest/utilities/batch/#accessing-lambda-context)."""
    work_on(
        WorkItem.from_body(record.body),
        receive_count=int(record.attributes.approximate_receive_count),
        holder=f"{lambda_context.aws_request_id}/{record.message_id}",
        config=JobConfig.from_environment(os.environ),
        clients=environment_clients(),
        remaining_ms=lambda_context.get_remaining_time_in_millis,
    )


def work(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
    )
