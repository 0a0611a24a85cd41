"""The planner's sweep: at the start of every run, find the objects no message will come for, and act on them.

- A claim QUEUED without the note that its message was sent, older than any planner invocation can run (15
  minutes: https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html): Lambda ended its planner
  between the claim and the send. Sent again.
- An IN_FLIGHT object whose lease has run out: its worker was killed (out of memory, timeout). While the holder's
  message had receives left it comes back by itself, but it may also be gone (acknowledged as a busy duplicate),
  so a fresh message is sent; a duplicate of it is harmless (the ledger acknowledges it). Where the holder's message
  was on its last receive (maxReceiveCount), it is in the DLQ: the object is recorded DEAD_LETTERED with the
  reason, so `job status` lists it and `job retry` takes it. Not resent: a worker that dies on an object every
  time (one too large for its memory) would otherwise be killed again by every run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from components.core.job import JOB_LIMITS, ObjectStatus
from ingest.job.ledger import Ledger, LedgerEntry, ledger_timestamp
from ingest.job.resend import requeue_and_send

CLAIM_GRACE_SECONDS = JOB_LIMITS.max_function_timeout_seconds + 60
"""An unsent claim younger than this may belong to a planner still running: left alone."""
DIED_ON_LAST_RECEIVE = (
    "the worker stopped without an outcome (killed: out of memory or timed out) on the message's last receive; "
    "the message is in the DLQ"
)


@dataclass(frozen=True)
class SweepResult:
    resent: int
    dead_lettered: int
    unsent: int
    """Requeued, but SQS did not take the message: the next run's sweep tries again."""


def sweep(
    ledger: Ledger, sqs: Any, queue_url: str, run_id: str, *, max_receive_count: int, now: float | None = None
) -> SweepResult:
    moment = time.time() if now is None else now
    claimed_before = ledger_timestamp(moment - CLAIM_GRACE_SECONDS)
    resend: list[LedgerEntry] = []
    dead_lettered = 0
    for entry in ledger.unsettled():
        if entry.status == ObjectStatus.QUEUED:
            if entry.sent_at is None and (entry.enqueued_at or "") < claimed_before:
                resend.append(entry)
        elif entry.lease_until is not None and entry.lease_until < moment:
            if entry.receive_count < max_receive_count:
                resend.append(entry)
            elif ledger.abandon(entry, DIED_ON_LAST_RECEIVE):
                dead_lettered += 1
    result = requeue_and_send(ledger, sqs, queue_url, resend, run_id)
    return SweepResult(resent=len(result.sent), dead_lettered=dead_lettered, unsent=len(result.unsent))
