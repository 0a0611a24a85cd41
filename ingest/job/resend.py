"""Putting ledger entries back to QUEUED and sending their messages: what `job retry` and the planner's sweep both
do. A message is noted in the ledger once SQS took it; one that could not be sent leaves its entry QUEUED without
the note, which the next planner run's sweep sends again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ingest.job.ledger import Ledger, LedgerEntry
from ingest.job.messages import WorkItem
from ingest.job.queue import send_items


@dataclass(frozen=True)
class ResendResult:
    sent: list[WorkItem]
    unsent: list[tuple[WorkItem, str]]
    """Requeued, but SQS did not take the message (with its reason)."""
    skipped: int
    """Entries that changed between the read and the requeue (a worker, a retry or a planner got there first)."""


def requeue_and_send(
    ledger: Ledger, sqs: Any, queue_url: str, entries: Iterable[LedgerEntry], run_id: str
) -> ResendResult:
    items: list[WorkItem] = []
    skipped = 0
    for entry in entries:
        if ledger.requeue(entry, run_id):
            items.append(entry.work_item(run_id))
        else:
            skipped += 1
    unsent = send_items(sqs, queue_url, items)
    unsent_uris = {item.object_uri for item, _reason in unsent}
    sent = [item for item in items if item.object_uri not in unsent_uris]
    ledger.mark_sent(sent)
    return ResendResult(sent=sent, unsent=unsent, skipped=skipped)
