"""A duplicate delivery that finds its object busy: acknowledged without publishing (no receive spent toward the
DLQ), and nothing stranded when the holder dies. The real handlers on in-process moto."""

from __future__ import annotations

from typing import Any

import pytest

from components.core.job import ObjectStatus
from ingest.job import handlers
from ingest.job.clients import JobClients
from ingest.job.messages import WorkItem
from ingest.job.worker import work_on
from ingest.local.lambda_standin import StandInContext
from ingest.run.publish import PublishOptions, PublishResult, publish
from ingest.run.stop import StopRequest
from ingest.sources import Source
from tests.job.conftest import RECORDS_PER_OBJECT, REGION, JobWorld, records_body

HOLDER_LEASE_SECONDS = 2.0
"""The killed holder's lease: long enough for the duplicate to find it live, shorter than its message's return."""
HOLDER_MESSAGE_RETURNS_AFTER_SECONDS = 4


class Killed(BaseException):
    """Lambda ending an invocation (out of memory, timeout): no handler code runs after it."""


def _receive(world: JobWorld) -> dict[str, Any]:
    [message] = world.client("sqs").receive_message(
        QueueUrl=world.job.queue_url, AttributeNames=["All"], MaxNumberOfMessages=1
    )["Messages"]
    return message


def _sqs_event(world: JobWorld, message: dict[str, Any]) -> dict[str, Any]:
    """The event Lambda's poller builds for one message: https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html"""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message["Attributes"],
                "messageAttributes": {},
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": world.job.queue_arn,
                "awsRegion": REGION,
            }
        ]
    }


def test_a_duplicate_while_the_object_is_busy_goes_nowhere_near_the_dlq_and_nothing_is_lost(
    job_world: JobWorld,
) -> None:
    uri = job_world.put_source("day.json", records_body(RECORDS_PER_OBJECT))
    job_world.plan()
    message = _receive(job_world)
    job_world.client("sqs").send_message(QueueUrl=job_world.job.queue_url, MessageBody=message["Body"])
    polled = []

    def publish_while_duplicates_arrive(
        options: PublishOptions, stop: StopRequest | None = None, source: Source | None = None
    ) -> PublishResult:
        # Meanwhile the duplicate is delivered, and so is the holder's own message once its visibility timeout
        # (2 s here) runs out: both find the object busy.
        polled.append(job_world.poller(workers=1).drain())
        return publish(options, stop=stop, source=source)

    result = work_on(
        WorkItem.from_body(message["Body"]),
        receive_count=1,
        holder="first",
        config=job_world.config,
        clients=JobClients(REGION),
        remaining_ms=lambda: 120_000,
        publisher=publish_while_duplicates_arrive,
    )
    [stats] = polled
    assert (stats.messages, stats.failed, stats.errors) == (2, 0, [])
    assert job_world.queue_depth(job_world.job.dlq_url) == 0
    entry = job_world.ledger.get(uri)
    assert result.status == ObjectStatus.PUBLISHED
    assert entry is not None and (entry.status, entry.published, entry.attempts) == (
        ObjectStatus.PUBLISHED,
        RECORDS_PER_OBJECT,
        1,
    )


def test_a_dead_lease_holders_object_is_taken_over_after_its_duplicate_was_acknowledged(job_world: JobWorld) -> None:
    uri = job_world.put_source("day.json", records_body(RECORDS_PER_OBJECT))
    job_world.plan()
    sqs = job_world.client("sqs")
    message = _receive(job_world)
    sqs.change_message_visibility(
        QueueUrl=job_world.job.queue_url,
        ReceiptHandle=message["ReceiptHandle"],
        VisibilityTimeout=HOLDER_MESSAGE_RETURNS_AFTER_SECONDS,
    )
    sqs.send_message(QueueUrl=job_world.job.queue_url, MessageBody=message["Body"])
    duplicate = _receive(job_world)

    def die(options: PublishOptions, stop: StopRequest | None = None, source: Source | None = None) -> PublishResult:
        raise Killed

    with pytest.raises(Killed):
        work_on(
            WorkItem.from_body(message["Body"]),
            receive_count=1,
            holder="killed",
            config=job_world.config,
            clients=JobClients(REGION),
            remaining_ms=lambda: 0,
            publisher=die,
            lease_margin_seconds=HOLDER_LEASE_SECONDS,
        )
    response = handlers.work(_sqs_event(job_world, duplicate), StandInContext("worker", 120))
    assert response == {"batchItemFailures": []}  # acknowledged while the holder's lease is live

    stats = job_world.poller().drain()  # the holder's own message comes back after its lease ran out
    assert (stats.failed, stats.errors) == (0, [])
    assert job_world.queue_depth(job_world.job.dlq_url) == 0
    entry = job_world.ledger.get(uri)
    assert entry is not None and (entry.status, entry.published, entry.attempts) == (
        ObjectStatus.PUBLISHED,
        RECORDS_PER_OBJECT,
        2,
    )
