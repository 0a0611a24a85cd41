"""The planner's continuations resume the listing where it stopped (S3's StartAfter), so a listing of n objects
costs about n/1000 ListObjectsV2 pages in all, plus one per continuation, instead of starting over each time."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.s3.models import s3_backends

from components.core.job import ObjectStatus
from ingest.job import planner
from ingest.job.clients import JobClients
from ingest.sources import SourceObject
from ingest.sources import s3 as s3_source
from tests.job.conftest import REGION, SOURCE_BUCKET, SOURCE_PREFIX, JobWorld

LIST_PAGE = 1000
"""ListObjectsV2 returns at most 1,000 keys per page: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html"""


def seed_source(count: int) -> list[str]:
    """`count` small objects, straight into moto's S3 backend: through the API each costs about 3 ms, which at
    100,000 objects is minutes of setup for a test about listing."""
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    keys = [f"{SOURCE_PREFIX}day-{number:06d}.json" for number in range(count)]
    for key in keys:
        backend.put_object(SOURCE_BUCKET, key, b"[]")
    return [f"s3://{SOURCE_BUCKET}/{key}" for key in keys]


@dataclass
class ListingRun:
    """A whole planner run, followed through its continuations, with the source's ListObjectsV2 calls counted."""

    list_calls: int = 0
    start_afters: list[str | None] = field(default_factory=list)
    """Each ListObjectsV2 request's StartAfter (None: from the start, or a page after the first)."""
    invocations: int = 0
    listed: int = 0
    claimed: list[str] = field(default_factory=list)
    seconds: float = 0.0


@pytest.fixture
def counted_listing(monkeypatch: pytest.MonkeyPatch) -> ListingRun:
    """Every S3 client the source builds counts its ListObjectsV2 calls into the run."""
    run = ListingRun()
    build = s3_source.build_s3_client

    def counting_client(**kwargs: Any) -> Any:
        client = build(**kwargs)
        client.meta.events.register("before-parameter-build.s3.ListObjectsV2", lambda params, **_: _count(run, params))
        return client

    monkeypatch.setattr(s3_source, "build_s3_client", counting_client)
    return run


def _count(run: ListingRun, params: dict[str, Any]) -> None:
    run.list_calls += 1
    run.start_afters.append(params.get("StartAfter") if "ContinuationToken" not in params else None)


def time_left(chunks_per_invocation: int) -> Callable[[], int]:
    """What Lambda's context would say: plenty of time until the invocation has planned this many chunks."""
    asked = iter(range(1, 10**9))

    def remaining_ms() -> int:
        return 0 if next(asked) % chunks_per_invocation == 0 else 900_000

    return remaining_ms


def plan_to_the_end(world: JobWorld, run: ListingRun, *, chunks_per_invocation: int) -> Iterator[planner.PlanResult]:
    event: dict[str, str] | None = {"run_id": "listing"}
    started = time.perf_counter()
    while event is not None:
        result = planner.plan(world.config, JobClients(REGION), event, remaining_ms=time_left(chunks_per_invocation))
        run.invocations += 1
        run.listed += result.listed
        yield result
        event = result.next
    run.seconds = time.perf_counter() - started


@pytest.fixture
def recorded_claims(monkeypatch: pytest.MonkeyPatch, counted_listing: ListingRun) -> ListingRun:
    """The ledger and the queue left out: what would be claimed is recorded, so the test measures the listing."""

    def record(chunk: list[SourceObject], *_: Any) -> None:
        counted_listing.claimed.extend(obj.uri for obj in chunk)

    monkeypatch.setattr(planner, "_claim_and_send", record)
    return counted_listing


def test_continuations_resume_after_the_last_claimed_object(
    job_world: JobWorld, counted_listing: ListingRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(planner, "CHUNK_OBJECTS", 10)
    uris = seed_source(125)
    results = list(plan_to_the_end(job_world, counted_listing, chunks_per_invocation=3))
    assert counted_listing.invocations == 5  # 30 objects each, the last 5
    assert [result.next for result in results] == [
        *({"run_id": "listing", "start_after": uris[last]} for last in (29, 59, 89, 119)),
        None,
    ]
    assert [result.enqueued for result in results] == [30, 30, 30, 30, 5]
    entries = list(job_world.ledger.entries())
    assert sorted(entry.object_uri for entry in entries) == uris
    assert {(entry.status, entry.run_id) for entry in entries} == {(ObjectStatus.QUEUED, "listing")}
    assert job_world.queue_depth(job_world.job.queue_url) == 125
    assert counted_listing.list_calls == 5  # each invocation one page, starting after its predecessor's last key


def test_each_continuation_asks_s3_for_the_keys_after_its_predecessors_last(
    job_world: JobWorld, recorded_claims: ListingRun
) -> None:
    uris = seed_source(1_100)
    list(plan_to_the_end(job_world, recorded_claims, chunks_per_invocation=5))
    assert recorded_claims.claimed == uris
    assert recorded_claims.invocations == 3  # 500, 500 and 100 objects
    keys = [uri.removeprefix(f"s3://{SOURCE_BUCKET}/") for uri in uris]
    # Listed from the start each time, the third invocation would read 2 pages (4 in all); resumed, 1 each.
    assert recorded_claims.start_afters == [None, keys[499], keys[999]]


@pytest.mark.e2e
def test_100000_source_objects_plan_in_about_100_list_pages(job_world: JobWorld, recorded_claims: ListingRun) -> None:
    objects = 100_000
    uris = seed_source(objects)
    list(plan_to_the_end(job_world, recorded_claims, chunks_per_invocation=50))
    assert recorded_claims.claimed == uris
    continuations = recorded_claims.invocations - 1
    # Every 5,000 objects; the last stop falls on the listing's end, so its continuation finds nothing more.
    assert continuations == objects // (50 * planner.CHUNK_OBJECTS)
    assert recorded_claims.list_calls <= objects // LIST_PAGE + recorded_claims.invocations
    assert recorded_claims.start_afters.count(None) == 1 + recorded_claims.list_calls - recorded_claims.invocations
    print(
        f"\n{objects} objects: {recorded_claims.list_calls} ListObjectsV2 pages in {recorded_claims.invocations} "
        f"invocations, {recorded_claims.seconds:.1f} s"
    )
