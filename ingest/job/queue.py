"""Sending work items to the queue, ten at a time, resending only the entries SQS did not take."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from components.core.job import JOB_LIMITS
from ingest.job.messages import WorkItem

SEND_ATTEMPTS = 5
"""A batch entry can fail on its own while the call succeeds (`Failed` in the response, e.g. throttling); after
this many sends it is given back to the caller, which releases its claim:
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html"""
SEND_BACKOFF_SECONDS = 0.2


def send_items(
    sqs: Any,
    queue_url: str,
    items: Sequence[WorkItem],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> list[tuple[WorkItem, str]]:
    """Send every item; returns the ones that could not be sent, each with the reason SQS gave."""
    unsent: list[tuple[WorkItem, str]] = []
    size = JOB_LIMITS.max_send_batch_entries
    for start in range(0, len(items), size):
        pending = {str(index): item for index, item in enumerate(items[start : start + size])}
        reasons: dict[str, str] = {}
        for attempt in range(SEND_ATTEMPTS):
            if attempt:
                sleep(SEND_BACKOFF_SECONDS * 2 ** (attempt - 1))
            response = sqs.send_message_batch(
                QueueUrl=queue_url,
                Entries=[{"Id": entry_id, "MessageBody": item.to_body()} for entry_id, item in pending.items()],
            )
            retry: dict[str, WorkItem] = {}
            for entry in response.get("Failed", []):
                entry_id = entry["Id"]
                reasons[entry_id] = f"{entry.get('Code', '?')}: {entry.get('Message', '')}"
                if entry.get("SenderFault"):
                    # A malformed entry fails again whatever the wait: give it back at once.
                    unsent.append((pending[entry_id], reasons[entry_id]))
                else:
                    retry[entry_id] = pending[entry_id]
            pending = retry
            if not pending:
                break
        unsent.extend((item, reasons.get(entry_id, "not sent")) for entry_id, item in pending.items())
    return unsent
