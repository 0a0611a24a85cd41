"""A duplicate delivery that finds its object busy: acknowledged without publishing (no receive spent toward the
DLQ), and nothing stranded when the holder dies. The real handlers on in-process moto."""

from __future__ import annotations

from typing import Any

import pytest

from components.core.job import ObjectStatus
from ingest.job import handlers
from ingest.job.ledger import StartOutcome
from ingest.job.messages import WorkItem
from ingest.local.lambda_standin import StandInContext
from ingest.run.publish import PublishOptions, PublishResult, publish
from ingest.run.stop import StopRequest
from ingest.sources import Source
from tests.job.conftest import RECORDS_PER_OBJECT, JobWorld, Killed, records_body

WORK_VISIBILITY_SECONDS = 60
"""How long a received message stays hidden while its worker runs: AWS's guidance (six times the function's
timeout) keeps it hidden for the whole of the work."""
HOLDER_LEASE_SECONDS = 5.0
"""The killed holder's lease: long enough for the duplicate to find it live, shorter than its message's return."""
HOLDER_MESSAGE_RETURNS_AFTER_SECONDS = 8


def _hide(world: JobWorld, message: dict[str, Any], seconds: int) -> None:
    world.client("sqs").change_message_visibility(
        QueueUrl=world.job.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=seconds
    )


def _deliver(world: JobWorld, message: dict[str, Any]) -> dict[str, Any]:
    """What Lambda does with one message: invoke the worker, delete the message unless it was reported failed."""
    response = handlers.work({"Records": [world.sqs_record(message)]}, StandInContext("worker", 120))
    if not response["batchItemFailures"]:
        world.client("sqs").delete_message(QueueUrl=world.job.queue_url, ReceiptHandle=message["ReceiptHandle"])
    return response


def _a_message_and_its_duplicate(world: JobWorld, hidden_for: int) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A planned object's message, received and hidden for `hidden_for` seconds, and a second copy, received."""
    uri = world.put_source("day.json", records_body(RECORDS_PER_OBJECT))
    world.plan()
    message = world.receive_one()
    _hide(world, message, hidden_for)
    world.client("sqs").send_message(QueueUrl=world.job.queue_url, MessageBody=message["Body"])
    return uri, message, world.receive_one()


def test_a_duplicate_while_the_object_is_busy_goes_nowhere_near_the_dlq_and_nothing_is_lost(
    job_world: JobWorld,
) -> None:
    uri, message, duplicate = _a_message_and_its_duplicate(job_world, WORK_VISIBILITY_SECONDS)
    responses = []

    def publish_while_the_duplicate_arrives(
        options: PublishOptions, stop: StopRequest | None = None, source: Source | None = None
    ) -> PublishResult:
        responses.append(_deliver(job_world, duplicate))
        return publish(options, stop=stop, source=source)

    result = job_world.work(message, holder="first", publisher=publish_while_the_duplicate_arrives)
    job_world.client("sqs").delete_message(QueueUrl=job_world.job.queue_url, ReceiptHandle=message["ReceiptHandle"])
    assert responses == [{"batchItemFailures": []}]
    assert job_world.queue_depth(job_world.job.dlq_url) == job_world.queue_depth(job_world.job.queue_url) == 0
    entry = job_world.ledger.get(uri)
    assert result.status == ObjectStatus.PUBLISHED
    assert entry is not None and (entry.status, entry.published, entry.attempts) == (
        ObjectStatus.PUBLISHED,
        RECORDS_PER_OBJECT,
        1,
    )
    assert job_world.stream_user_records() == RECORDS_PER_OBJECT


def test_a_dead_lease_holders_object_is_taken_over_after_its_duplicate_was_acknowledged(job_world: JobWorld) -> None:
    uri, message, duplicate = _a_message_and_its_duplicate(job_world, HOLDER_MESSAGE_RETURNS_AFTER_SECONDS)

    def die(options: PublishOptions, stop: StopRequest | None = None, source: Source | None = None) -> PublishResult:
        raise Killed

    with pytest.raises(Killed):
        job_world.work(
            message, holder="killed", publisher=die, remaining_ms=0, lease_margin_seconds=HOLDER_LEASE_SECONDS
        )
    assert _deliver(job_world, duplicate) == {"batchItemFailures": []}  # acknowledged while the lease is live

    stats = job_world.poller().drain()  # the holder's own message comes back after its lease ran out
    assert (stats.messages, stats.failed, stats.errors) == (1, 0, [])
    assert job_world.queue_depth(job_world.job.dlq_url) == 0
    entry = job_world.ledger.get(uri)
    assert entry is not None and (entry.status, entry.published, entry.attempts) == (
        ObjectStatus.PUBLISHED,
        RECORDS_PER_OBJECT,
        2,
    )


def test_the_holders_own_message_delivered_again_comes_back_instead(job_world: JobWorld) -> None:
    """Only with a visibility timeout shorter than the work: acknowledging it would leave a holder that then fails
    without its retry."""
    item = WorkItem("s3://source-bucket/crypto/a.json", "etag:10", "run-1", 10)
    ledger = job_world.ledger
    ledger.claim(item)
    assert ledger.start(item, "first", lease_seconds=60, message_id="m1") is StartOutcome.STARTED
    assert ledger.start(item, "again", lease_seconds=60, message_id="m1") is StartOutcome.BUSY_WITH_THIS_MESSAGE
    assert ledger.start(item, "duplicate", lease_seconds=60, message_id="m2") is StartOutcome.BUSY
