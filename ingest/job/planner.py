"""One planner invocation: list the source, claim what is new or changed, send one message per claimed object. The
first invocation of a run also sweeps the ledger for objects no message will come for (`ingest.job.sweep`).

A listing too long for one invocation (Lambda stops a function at its timeout, at most 15 minutes:
https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html) is continued: the planner stops at a
chunk boundary while time is left and hands on the last object it dealt with. In AWS it invokes itself
asynchronously with that continuation (the event is queued by Lambda, so the chain survives this invocation:
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html); wherever no function name is set (the local
stand-in) it only returns it, and the caller follows it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ingest.job.clients import JobClients
from ingest.job.config import JobConfig
from ingest.job.ledger import Ledger
from ingest.job.messages import WorkItem, object_version
from ingest.job.queue import send_items
from ingest.job.sweep import SweepResult, sweep
from ingest.sources import SourceObject, SourceOptions, list_objects_after, open_source
from ingest.stamps import new_run_id

CHUNK_OBJECTS = 100
"""Objects compared with the ledger per BatchGetItem, and the granularity at which the planner may stop."""
TIME_MARGIN_MS = 60_000
"""Stop listing when less than this is left: one more chunk (100 claims and 10 sends) fits well inside it."""


@dataclass(frozen=True)
class PlanResult:
    run_id: str
    listed: int
    enqueued: int
    unchanged: int
    unsent: int
    """Claimed, but SQS did not take the message: the claim was released, the next run tries again."""
    resent: int
    """Swept: unsent claims and expired leases sent again (first invocation of a run only)."""
    dead_lettered: int
    """Swept: expired leases whose message had no receive left, recorded DEAD_LETTERED."""
    resend_failed: int
    """Swept, but SQS did not take the message: the next run's sweep tries again."""
    next: dict[str, str] | None
    """The continuation event, when this invocation stopped before the end of the listing."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan(
    config: JobConfig,
    clients: JobClients,
    event: Mapping[str, Any],
    *,
    remaining_ms: Callable[[], int],
) -> PlanResult:
    run_id = str(event.get("run_id") or new_run_id())
    start_after = event.get("start_after")
    source = open_source(config.source_uri, SourceOptions(region=config.source_region))
    ledger = Ledger(clients.dynamodb, config.ledger_table)
    swept = (
        SweepResult(resent=0, dead_lettered=0, unsent=0)
        if start_after
        else sweep(ledger, clients.sqs, config.queue_url, run_id, max_receive_count=config.max_receive_count)
    )
    counts = {"listed": 0, "enqueued": 0, "unchanged": 0, "unsent": 0}
    chunk: list[SourceObject] = []
    continuation: dict[str, str] | None = None
    # A continuation lists from the first key after the last one handled (S3's StartAfter), not from the start:
    # n objects cost about n/1000 list pages in all, plus one per continuation.
    for obj in list_objects_after(source, start_after or None):
        counts["listed"] += 1
        chunk.append(obj)
        if len(chunk) == CHUNK_OBJECTS:
            _claim_and_send(chunk, run_id, ledger, clients, config, counts)
            last = chunk[-1].uri
            chunk = []
            if remaining_ms() < TIME_MARGIN_MS:
                continuation = {"run_id": run_id, "start_after": last}
                break
    if chunk:
        _claim_and_send(chunk, run_id, ledger, clients, config, counts)
    if continuation is not None and config.planner_function:
        clients.lambda_.invoke(
            FunctionName=config.planner_function, InvocationType="Event", Payload=json.dumps(continuation).encode()
        )
    return PlanResult(
        run_id=run_id,
        next=continuation,
        resent=swept.resent,
        dead_lettered=swept.dead_lettered,
        resend_failed=swept.unsent,
        **counts,
    )


def _claim_and_send(
    chunk: list[SourceObject],
    run_id: str,
    ledger: Ledger,
    clients: JobClients,
    config: JobConfig,
    counts: dict[str, int],
) -> None:
    items = [
        WorkItem(object_uri=obj.uri, version=object_version(obj.version, obj.size), run_id=run_id, size=obj.size or 0)
        for obj in chunk
    ]
    known = ledger.versions(item.object_uri for item in items)
    claimed: list[WorkItem] = []
    previous: dict[str, dict[str, Any] | None] = {}
    for item in items:
        if known.get(item.object_uri) == item.version:
            counts["unchanged"] += 1
            continue
        won, replaced = ledger.claim(item)
        if not won:  # another planner claimed this version between the read and the write
            counts["unchanged"] += 1
            continue
        claimed.append(item)
        previous[item.object_uri] = replaced
    unsent = send_items(clients.sqs, config.queue_url, claimed)
    for item, _reason in unsent:
        ledger.release(item, previous[item.object_uri])
    unsent_uris = {item.object_uri for item, _reason in unsent}
    ledger.mark_sent(item for item in claimed if item.object_uri not in unsent_uris)
    counts["enqueued"] += len(claimed) - len(unsent)
    counts["unsent"] += len(unsent)
