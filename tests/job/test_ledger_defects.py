"""What the ledger says must be what happened: keys that look like URL syntax, a key that is also a folder, an
object deleted or rewritten between planning and publishing. The real handlers, the stand-in poller, in-process
moto."""

from __future__ import annotations

import pytest

from components.core.job import ObjectStatus
from tests.job.conftest import RECORDS_PER_OBJECT, SOURCE_BUCKET, SOURCE_PREFIX, JobWorld, records_body


@pytest.mark.parametrize("name", ["day#1.json", "day?version=2.json"])
def test_a_key_with_url_syntax_in_it_is_published_whole(job_world: JobWorld, name: str) -> None:
    uri = job_world.put_source(name, records_body(RECORDS_PER_OBJECT))
    job_world.plan()
    job_world.poller().drain()
    entry = job_world.ledger.get(uri)
    assert entry is not None and (entry.status, entry.published) == (ObjectStatus.PUBLISHED, RECORDS_PER_OBJECT)


def test_a_key_that_is_also_a_folder_name_publishes_only_itself(job_world: JobWorld) -> None:
    pair = job_world.put_source("pair.json", records_body(RECORDS_PER_OBJECT))
    inner = job_world.put_source("pair.json/inner.json", records_body(RECORDS_PER_OBJECT + 1, seed=1))
    [plan] = job_world.plan()
    assert plan["enqueued"] == 2
    job_world.poller().drain()
    published = {uri: entry.published for uri in (pair, inner) if (entry := job_world.ledger.get(uri))}
    assert published == {pair: RECORDS_PER_OBJECT, inner: RECORDS_PER_OBJECT + 1}


def test_an_object_deleted_after_planning_is_skipped_with_its_reason(job_world: JobWorld) -> None:
    uri = job_world.put_source("gone.json", records_body(RECORDS_PER_OBJECT))
    job_world.plan()
    job_world.client("s3").delete_object(Bucket=SOURCE_BUCKET, Key=f"{SOURCE_PREFIX}gone.json")
    stats = job_world.poller().drain()
    entry = job_world.ledger.get(uri)
    assert entry is not None
    assert (entry.status, entry.published, entry.reason) == (ObjectStatus.SKIPPED, 0, "object no longer exists")
    assert (stats.failed, stats.errors) == (0, [])
    assert job_world.queue_depth(job_world.job.dlq_url) == 0
    assert job_world.stream_user_records() == 0


def test_an_object_deleted_then_restored_unchanged_is_claimed_again(job_world: JobWorld) -> None:
    body = records_body(RECORDS_PER_OBJECT)
    uri = job_world.put_source("back.json", body)
    job_world.plan()
    job_world.client("s3").delete_object(Bucket=SOURCE_BUCKET, Key=f"{SOURCE_PREFIX}back.json")
    job_world.poller().drain()
    job_world.put_source("back.json", body)  # the same bytes: the same ETag, the version the ledger skipped
    assert job_world.plan()[0]["enqueued"] == 1
    job_world.poller().drain()
    entry = job_world.ledger.get(uri)
    assert entry is not None and (entry.status, entry.published) == (ObjectStatus.PUBLISHED, RECORDS_PER_OBJECT)


def test_an_object_changed_after_planning_is_published_once_per_version(job_world: JobWorld) -> None:
    uri = job_world.put_source("day.json", records_body(RECORDS_PER_OBJECT))
    [first] = job_world.plan()
    job_world.put_source("day.json", records_body(RECORDS_PER_OBJECT + 2, seed=7))
    stats = job_world.poller().drain()
    claimed = job_world.ledger.get(uri)
    assert claimed is not None and (claimed.status, claimed.published) == (ObjectStatus.SKIPPED, 0)
    assert claimed.reason is not None and "changed since it was planned" in claimed.reason
    assert (stats.failed, job_world.stream_user_records()) == (0, 0)  # not the new content under the old claim

    [second] = job_world.plan()
    assert second["enqueued"] == 1
    job_world.poller().drain()
    entry = job_world.ledger.get(uri)
    assert entry is not None
    assert (entry.status, entry.published, entry.run_id) == (
        ObjectStatus.PUBLISHED,
        RECORDS_PER_OBJECT + 2,
        second["run_id"],
    )
    assert job_world.stream_user_records() == RECORDS_PER_OBJECT + 2  # the new version, once
    assert job_world.plan()[0]["enqueued"] == 0
    assert first["run_id"] != second["run_id"]
