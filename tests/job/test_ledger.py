"""The ledger's conditional writes: what makes two planners and at-least-once delivery safe."""

from __future__ import annotations

from components.core.job import ObjectStatus
from ingest.job.ledger import Ledger, Outcome, StartOutcome
from ingest.job.messages import WorkItem
from tests.job.conftest import JobWorld

ITEM = WorkItem(object_uri="s3://source-bucket/crypto/a.json", version="etag1:10", run_id="run-1", size=10)
DONE = Outcome(ObjectStatus.PUBLISHED, published=5, rejected=0, failed=0, report_uri="s3://r/x", dead_letter_uri=None)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_version_is_claimed_once_and_a_new_version_again(job_world: JobWorld) -> None:
    ledger = job_world.ledger
    assert ledger.claim(ITEM) == (True, None)
    assert ledger.claim(WorkItem(ITEM.object_uri, ITEM.version, "run-2", 10)) == (False, None)
    changed = WorkItem(ITEM.object_uri, "etag2:11", "run-2", 11)
    claimed, previous = ledger.claim(changed)
    assert claimed and previous is not None and previous["version"]["S"] == ITEM.version
    assert ledger.versions([ITEM.object_uri, "s3://source-bucket/unknown"]) == {ITEM.object_uri: "etag2:11"}


def test_release_restores_what_the_claim_replaced(job_world: JobWorld) -> None:
    ledger = job_world.ledger
    ledger.claim(ITEM)
    ledger.release(ITEM, None)
    assert ledger.get(ITEM.object_uri) is None
    ledger.claim(ITEM)
    changed = WorkItem(ITEM.object_uri, "etag2:11", "run-2", 11)
    _, previous = ledger.claim(changed)
    ledger.release(changed, previous)
    entry = ledger.get(ITEM.object_uri)
    assert entry is not None and (entry.version, entry.run_id) == (ITEM.version, "run-1")


def test_only_one_worker_holds_an_object_and_only_it_writes_the_outcome(job_world: JobWorld) -> None:
    clock = Clock()
    ledger = Ledger(job_world.client("dynamodb"), job_world.job.ledger_table, clock=clock)
    ledger.claim(ITEM)
    assert ledger.start(ITEM, "worker-a", lease_seconds=60) is StartOutcome.STARTED
    assert ledger.start(ITEM, "worker-b", lease_seconds=60) is StartOutcome.BUSY
    assert not ledger.finish(ITEM, "worker-b", DONE)
    assert ledger.finish(ITEM, "worker-a", DONE)
    assert ledger.start(ITEM, "worker-b", lease_seconds=60) is StartOutcome.ALREADY_DONE
    entry = ledger.get(ITEM.object_uri)
    assert entry is not None
    assert (entry.status, entry.attempts, entry.published, entry.report_uri) == ("PUBLISHED", 1, 5, "s3://r/x")


def test_an_expired_lease_is_taken_over(job_world: JobWorld) -> None:
    clock = Clock()
    ledger = Ledger(job_world.client("dynamodb"), job_world.job.ledger_table, clock=clock)
    ledger.claim(ITEM)
    ledger.start(ITEM, "killed", lease_seconds=10)
    clock.now += 11
    assert ledger.start(ITEM, "second", lease_seconds=10) is StartOutcome.STARTED
    assert not ledger.finish(ITEM, "killed", DONE)
    entry = ledger.get(ITEM.object_uri)
    assert entry is not None and (entry.status, entry.attempts) == ("IN_FLIGHT", 2)


def test_a_message_for_an_older_version_is_stale(job_world: JobWorld) -> None:
    ledger = job_world.ledger
    ledger.claim(ITEM)
    ledger.claim(WorkItem(ITEM.object_uri, "etag2:11", "run-2", 11))
    assert ledger.start(ITEM, "worker", lease_seconds=60) is StartOutcome.STALE


def test_failures_are_recorded_with_their_reason_and_retry_requeues_them(job_world: JobWorld) -> None:
    ledger = job_world.ledger
    ledger.claim(ITEM)
    ledger.start(ITEM, "w1", lease_seconds=60)
    assert ledger.fail(ITEM, "w1", "cannot read", dead_lettered=False)
    assert ledger.start(ITEM, "w2", lease_seconds=60) is StartOutcome.STARTED
    assert ledger.fail(ITEM, "w2", "cannot read again", dead_lettered=True)
    entry = ledger.get(ITEM.object_uri)
    assert entry is not None and (entry.status, entry.reason, entry.attempts) == (
        "DEAD_LETTERED",
        "cannot read again",
        2,
    )
    assert ledger.requeue(entry, "run-retry")
    assert not ledger.requeue(entry, "run-retry-2")
    requeued = ledger.get(ITEM.object_uri)
    assert requeued is not None and (requeued.status, requeued.run_id) == ("QUEUED", "run-retry")


def test_a_dead_lettered_object_starts_again_when_its_message_is_redriven(job_world: JobWorld) -> None:
    ledger = job_world.ledger
    ledger.claim(ITEM)
    ledger.start(ITEM, "w1", lease_seconds=60)
    ledger.fail(ITEM, "w1", "cannot read", dead_lettered=True)
    assert ledger.start(ITEM, "after-redrive", lease_seconds=60) is StartOutcome.STARTED
