"""Every planner run sweeps the ledger for objects no message will come for: claims a planner left QUEUED without
sending, and expired leases (resent), or, where the holder's message had no receive left, recorded DEAD_LETTERED
so that `job status` lists them and `job retry` takes them. The real handlers on in-process moto."""

from __future__ import annotations

import time
from typing import Any

import pytest

from components.core.job import ObjectStatus
from ingest.job import operations
from ingest.job.clients import JobClients
from ingest.job.ledger import Ledger
from ingest.job.messages import WorkItem
from ingest.run.publish import PublishOptions, PublishResult
from ingest.run.stop import StopRequest
from ingest.sources import Source
from tests.job.conftest import RECORDS_PER_OBJECT, JobWorld, Killed, records_body


def _die(options: PublishOptions, stop: StopRequest | None = None, source: Source | None = None) -> PublishResult:
    raise Killed


def _kill_a_worker_on(world: JobWorld, message: dict[str, Any]) -> None:
    """A worker that took the object and died at once: its lease has run out."""
    with pytest.raises(Killed):
        world.work(message, holder="killed", publisher=_die, remaining_ms=0, lease_margin_seconds=0)


def test_a_claim_a_planner_never_sent_is_sent_by_the_next_run(job_world: JobWorld) -> None:
    uri = job_world.put_source("day.json", records_body(RECORDS_PER_OBJECT))
    an_hour_ago = Ledger(job_world.client("dynamodb"), job_world.job.ledger_table, clock=lambda: time.time() - 3600)
    assert an_hour_ago.claim(WorkItem(uri, job_world.listed_version(uri), "r0", RECORDS_PER_OBJECT))[0]
    [plan] = job_world.plan()
    job_world.poller().drain()
    entry = job_world.ledger.get(uri)
    assert entry is not None and (entry.status, entry.published) == (ObjectStatus.PUBLISHED, RECORDS_PER_OBJECT)
    assert (plan["enqueued"], plan["unchanged"], plan["resent"]) == (0, 1, 1)


def test_claims_just_made_or_sent_are_not_resent(job_world: JobWorld) -> None:
    sent = job_world.put_source("a.json", records_body(RECORDS_PER_OBJECT))
    job_world.plan()
    unsent = job_world.put_source("b.json", records_body(RECORDS_PER_OBJECT))
    assert job_world.ledger.claim(WorkItem(unsent, job_world.listed_version(unsent), "r0", RECORDS_PER_OBJECT))[0]
    [again] = job_world.plan()  # b's planner may still be running: its claim is too young to be abandoned
    assert (again["enqueued"], again["resent"], again["dead_lettered"]) == (0, 0, 0)
    assert job_world.queue_depth(job_world.job.queue_url) == 1
    entry = job_world.ledger.get(sent)
    assert entry is not None and entry.sent_at is not None


def test_a_worker_killed_on_its_last_receive_is_recorded_dead_lettered_then_retried(
    job_world: JobWorld, clients: JobClients
) -> None:
    uri = job_world.put_source("day.json", records_body(RECORDS_PER_OBJECT))
    job_world.plan()
    sqs, queue = job_world.client("sqs"), job_world.job.queue_url
    for _ in range(job_world.job.settings.max_receive_count - 1):  # earlier receives that ended in a failure
        first = job_world.receive_one()
        sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)
    last = job_world.receive_one()
    assert int(last["Attributes"]["ApproximateReceiveCount"]) == job_world.job.settings.max_receive_count
    _kill_a_worker_on(job_world, last)
    sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=last["ReceiptHandle"], VisibilityTimeout=0)
    assert sqs.receive_message(QueueUrl=queue).get("Messages", []) == []  # the redrive moved it to the DLQ
    assert job_world.queue_depth(job_world.job.dlq_url) == 1

    [plan] = job_world.plan()
    entry = job_world.ledger.get(uri)
    assert entry is not None and entry.status == ObjectStatus.DEAD_LETTERED
    assert entry.reason is not None and "last receive" in entry.reason
    assert plan["dead_lettered"] == 1 and job_world.queue_depth(queue) == 0
    assert [problem.object_uri for problem in operations.status(job_world.target, clients).problems] == [uri]

    assert operations.retry(job_world.target, clients).requeued == [uri]
    job_world.poller().drain()
    retried = job_world.ledger.get(uri)
    assert retried is not None and (retried.status, retried.published) == (ObjectStatus.PUBLISHED, RECORDS_PER_OBJECT)


def test_a_dead_holder_whose_message_is_gone_is_resent_by_the_next_run(job_world: JobWorld) -> None:
    uri = job_world.put_source("day.json", records_body(RECORDS_PER_OBJECT))
    job_world.plan()
    message = job_world.receive_one()
    _kill_a_worker_on(job_world, message)
    # Its message was acknowledged meanwhile (a delivery of it found the object busy): none will come back.
    job_world.client("sqs").delete_message(QueueUrl=job_world.job.queue_url, ReceiptHandle=message["ReceiptHandle"])

    [plan] = job_world.plan()
    assert plan["resent"] == 1
    job_world.poller().drain()
    entry = job_world.ledger.get(uri)
    assert entry is not None
    assert (entry.status, entry.published, entry.attempts) == (ObjectStatus.PUBLISHED, RECORDS_PER_OBJECT, 2)


def test_a_live_lease_is_left_alone(job_world: JobWorld) -> None:
    uri = job_world.put_source("day.json", records_body(RECORDS_PER_OBJECT))
    job_world.plan()
    item = WorkItem.from_body(job_world.receive_one()["Body"])
    assert job_world.ledger.start(item, "alive", lease_seconds=600, receive_count=1).value == "started"
    [plan] = job_world.plan()
    assert (plan["resent"], plan["dead_lettered"]) == (0, 0)
    entry = job_world.ledger.get(uri)
    assert entry is not None and (entry.status, entry.holder) == (ObjectStatus.IN_FLIGHT, "alive")
