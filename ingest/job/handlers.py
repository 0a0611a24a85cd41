"""The two Lambda entry points (`components.core.job.PLANNER_HANDLER` / `WORKER_HANDLER`): parse the event, call
the library, map its result to what Lambda expects. Nothing else lives here.

The worker answers with the SQS partial batch response, so one bad object does not send its batch-mates back to
the queue (the event source mapping has `ReportBatchItemFailures` on:
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html); Powertools' BatchProcessor builds
it (https://docs.powertools.aws.dev/lambda/python/latest/utilities/batch/).
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from ingest.job.clients import JobClients
from ingest.job.config import JobConfig
from ingest.job.messages import WorkItem
from ingest.job.planner import plan as plan_run
from ingest.job.worker import work_on


def _clients() -> JobClients:
    """One set of clients per execution environment, which Lambda reuses across invocations. Keyed by where the
    standard chain points them, so a process that runs the handlers against several endpoints in turn (the local
    stand-in, one emulator per test) never reuses a client bound to an endpoint that is gone."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return _clients_for(os.environ.get("AWS_ENDPOINT_URL"), region)


@cache
def _clients_for(endpoint_url: str | None, region: str | None) -> JobClients:
    return JobClients(region)


def plan(event: dict[str, Any] | None, context: Any) -> dict[str, Any]:
    config = JobConfig.from_environment(os.environ)
    result = plan_run(config, _clients(), event or {}, remaining_ms=context.get_remaining_time_in_millis)
    return result.to_dict()


def work(event: dict[str, Any], context: Any) -> dict[str, Any]:
    config = JobConfig.from_environment(os.environ)
    clients = _clients()

    def one(record: SQSRecord) -> None:
        work_on(
            WorkItem.from_body(record.body),
            receive_count=int(record.attributes.approximate_receive_count),
            holder=f"{context.aws_request_id}/{record.message_id}",
            message_id=record.message_id,
            config=config,
            clients=clients,
            remaining_ms=context.get_remaining_time_in_millis,
        )

    processor = BatchProcessor(event_type=EventType.SQS)
    return dict(process_partial_response(event=event, record_handler=one, processor=processor, context=context))
