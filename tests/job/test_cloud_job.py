"""The planner and the workers through their real handlers, with the stand-in poller, in in-process moto."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from components.core.job import ObjectStatus
from ingest.job import handlers, operations, planner
from ingest.job.clients import JobClients
from ingest.job.ledger import Ledger
from ingest.job.messages import WorkItem
from ingest.local.lambda_standin import StandInContext
from ingest.run.report import load_report
from tests.job.conftest import RECORDS_PER_OBJECT, REGION, JobWorld, records_body


def test_a_backfill_publishes_every_object_once_and_a_second_plan_enqueues_nothing(job_world: JobWorld) -> None:
    uris = [job_world.put_source(f"day-{n}.json", records_body(RECORDS_PER_OBJECT, seed=n)) for n in range(3)]
    [first] = job_world.plan()
    assert (first["listed"], first["enqueued"], first["unchanged"], first["next"]) == (3, 3, 0, None)
    stats = job_world.poller(workers=3).drain()
    # A message may come back while its object is still being published (moto is slow, the visibility timeout
    # short): it is acknowledged without publishing again, which the ledger's counts below show.
    assert stats.deleted >= 3 and (stats.failed, stats.errors) == (0, [])
    for uri in uris:
        entry = job_world.ledger.get(uri)
        assert entry is not None
        assert (entry.status, entry.published, entry.attempts, entry.run_id) == (
            ObjectStatus.PUBLISHED,
            RECORDS_PER_OBJECT,
            1,
            first["run_id"],
        )
    assert job_world.stream_records() >= 1
    [second] = job_world.plan()
    assert (second["enqueued"], second["unchanged"]) == (0, 3)


def test_a_changed_object_is_republished_once(job_world: JobWorld) -> None:
    uri = job_world.put_source("day.json", records_body(RECORDS_PER_OBJECT))
    job_world.plan()
    job_world.poller().drain()
    job_world.put_source("day.json", records_body(RECORDS_PER_OBJECT + 2, seed=7))
    [again] = job_world.plan()
    assert again["enqueued"] == 1
    job_world.poller().drain()
    entry = job_world.ledger.get(uri)
    assert entry is not None and (entry.published, entry.run_id) == (RECORDS_PER_OBJECT + 2, again["run_id"])
    assert job_world.plan()[0]["enqueued"] == 0


def test_a_poison_object_reaches_the_dlq_with_its_reason_in_the_ledger(job_world: JobWorld) -> None:
    uri = job_world.put_archived_source("archived.json", records_body(RECORDS_PER_OBJECT))
    job_world.plan()
    stats = job_world.poller().drain()
    assert stats.deleted == 0 and stats.failed == job_world.job.settings.max_receive_count
    entry = job_world.ledger.get(uri)
    assert entry is not None
    assert entry.status == ObjectStatus.DEAD_LETTERED
    assert entry.attempts == job_world.job.settings.max_receive_count
    assert entry.reason and "InvalidObjectState" in entry.reason
    assert job_world.queue_depth(job_world.job.dlq_url) == 1
    assert job_world.queue_depth(job_world.job.queue_url) == 0


def test_the_same_message_twice_is_counted_once(job_world: JobWorld) -> None:
    uri = job_world.put_source("day.json", records_body(RECORDS_PER_OBJECT))
    job_world.plan()
    job_world.poller().drain()
    before = job_world.ledger.get(uri)
    kinesis_records = job_world.stream_records()
    assert before is not None
    duplicate = WorkItem(uri, before.version, before.run_id, size=1)
    job_world.client("sqs").send_message(QueueUrl=job_world.job.queue_url, MessageBody=duplicate.to_body())
    stats = job_world.poller().drain()
    assert (stats.deleted, stats.failed) == (1, 0)
    assert job_world.ledger.get(uri) == before
    assert job_world.stream_records() == kinesis_records


def test_an_object_no_format_fits_is_rejected_with_its_reason(job_world: JobWorld) -> None:
    uri = job_world.put_source("broken.json", b"\x00\x01 this is not JSON")
    job_world.plan()
    stats = job_world.poller().drain()
    assert (stats.deleted, stats.failed) == (1, 0)
    entry = job_world.ledger.get(uri)
    assert entry is not None and entry.status == ObjectStatus.REJECTED and entry.reason
    assert entry.dead_letter_uri is not None and entry.dead_letter_uri.endswith("broken.json.dead-letter.jsonl")


def test_a_bad_message_fails_without_touching_the_ledger(job_world: JobWorld) -> None:
    job_world.client("sqs").send_message(QueueUrl=job_world.job.queue_url, MessageBody="not a work item")
    stats = job_world.poller().drain()
    assert stats.deleted == 0 and job_world.queue_depth(job_world.job.dlq_url) == 1
    assert list(job_world.ledger.entries()) == []


def test_the_worker_reports_partial_batch_failures_in_lambdas_shape(job_world: JobWorld) -> None:
    uri = job_world.put_source("day.json", records_body(RECORDS_PER_OBJECT))
    job_world.plan()
    event = {
        "Records": [
            job_world.sqs_record(job_world.receive_one()),
            {
                "messageId": "bad-one",
                "receiptHandle": "x",
                "body": "{}",
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "x",
                "eventSource": "aws:sqs",
                "eventSourceARN": job_world.job.queue_arn,
                "awsRegion": REGION,
            },
        ]
    }
    response = handlers.work(event, StandInContext("worker", 120))
    assert response == {"batchItemFailures": [{"itemIdentifier": "bad-one"}]}
    entry = job_world.ledger.get(uri)
    assert entry is not None and entry.status == ObjectStatus.PUBLISHED


def test_a_long_listing_continues_in_the_next_invocation(job_world: JobWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(planner, "CHUNK_OBJECTS", 2)
    for n in range(5):
        job_world.put_source(f"day-{n}.json", records_body(1, seed=n))
    first = handlers.plan({"run_id": "r1"}, StandInContext("planner", timeout_seconds=0))
    assert (first["listed"], first["enqueued"]) == (2, 2)
    assert first["next"] == {"run_id": "r1", "start_after": "s3://source-bucket/crypto/01-data-ingestion/day-1.json"}
    rest = [first]
    while rest[-1]["next"]:
        rest.append(handlers.plan(rest[-1]["next"], StandInContext("planner", timeout_seconds=0)))
    assert [plan["enqueued"] for plan in rest] == [2, 2, 1]
    assert {plan["run_id"] for plan in rest} == {"r1"}
    assert job_world.queue_depth(job_world.job.queue_url) == 5


def test_a_claim_whose_message_could_not_be_sent_is_released(
    job_world: JobWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = job_world.put_source("day.json", records_body(1))

    def nothing_sent(sqs: object, queue_url: str, items: list[WorkItem]) -> list[tuple[WorkItem, str]]:
        return [(item, "ServiceUnavailable: try later") for item in items]

    real_send = planner.send_items
    monkeypatch.setattr(planner, "send_items", nothing_sent)
    [result] = job_world.plan()
    assert (result["enqueued"], result["unsent"]) == (0, 1)
    assert job_world.ledger.get(uri) is None
    monkeypatch.setattr(planner, "send_items", real_send)
    assert job_world.plan()[0]["enqueued"] == 1


def test_status_retry_and_report(job_world: JobWorld, clients: JobClients, tmp_path: Path) -> None:
    good = job_world.put_source("a-good.json", records_body(RECORDS_PER_OBJECT))
    bad = job_world.put_archived_source("b-archived.json", records_body(2))
    [plan] = job_world.plan()
    job_world.poller().drain()
    target = job_world.target
    state = operations.status(target, clients)
    assert state.objects[ObjectStatus.PUBLISHED] == 1 and state.objects[ObjectStatus.DEAD_LETTERED] == 1
    assert [entry.object_uri for entry in state.problems] == [bad]
    assert state.dead_letter_messages == 1
    assert state.runs[0].run_id == plan["run_id"] and state.runs[0].records_published == RECORDS_PER_OBJECT

    merged = operations.report(target, clients, plan["run_id"], tmp_path / "run.json")
    back = load_report(tmp_path / "run.json")
    assert back.to_dict() == merged.to_dict()
    assert {entry.uri for entry in back.objects} == {good, bad}
    assert (
        back.records_published == RECORDS_PER_OBJECT and back.source == "s3://source-bucket/crypto/01-data-ingestion/"
    )
    assert len(list(back.expected_records())) == RECORDS_PER_OBJECT

    job_world.put_source("b-archived.json", records_body(2))  # restored at the source: a new version
    retried = operations.retry(target, clients)
    assert retried.requeued == [bad] and retried.unsent == []
    message = json.loads(
        job_world.client("sqs").receive_message(QueueUrl=job_world.job.queue_url)["Messages"][0]["Body"]
    )
    assert (message["object_uri"], message["run_id"]) == (bad, retried.run_id)


def test_retry_also_resends_a_claim_left_queued_by_a_planner_that_ended_before_sending(
    job_world: JobWorld, clients: JobClients
) -> None:
    uri = job_world.put_source("day.json", records_body(RECORDS_PER_OBJECT))
    stranded = WorkItem(uri, job_world.listed_version(uri), "r0", 1)
    old = Ledger(job_world.client("dynamodb"), job_world.job.ledger_table, clock=lambda: time.time() - 3600)
    assert old.claim(stranded)[0]
    target = job_world.target
    assert operations.retry(target, clients).requeued == []
    retried = operations.retry(target, clients, stuck_after_seconds=600)
    assert retried.requeued == [uri]
    job_world.poller().drain()
    entry = job_world.ledger.get(uri)
    assert entry is not None and (entry.status, entry.published) == (ObjectStatus.PUBLISHED, RECORDS_PER_OBJECT)
