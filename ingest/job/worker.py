"""One worker attempt on one object: take it in the ledger, run the library's `publish()` on it, store the report
and dead letters in S3, write the outcome back. The same code path as `python -m ingest publish`, one object wide:
exactly the object the message names (never `key/...` too), at the version the planner claimed (reads are
conditional on its ETag), or nothing, recorded as SKIPPED with the reason, when that version is gone.

A failure raises (the message returns to the queue after its visibility timeout, and after maxReceiveCount
receives the queue's redrive policy moves it to the dead-letter queue:
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html); the
ledger says why before it does, so nothing is lost without a reason.

A duplicate delivery that finds the object busy (another worker's lease is live) is acknowledged without
publishing rather than failed: failing it spent one of its receives each time, toward the DLQ. Nothing is
stranded by that: the holder's own message comes back if the holder dies, and where it cannot (it was on its
last receive) the planner's sweep finds the expired lease (`ingest.job.sweep`). Only the holder's own message,
delivered again while the holder still works (a visibility timeout shorter than the work, which AWS's guidance
of six times the function's timeout rules out), is failed: it is the holder's retry should the holder fail.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from components.core.job import ObjectStatus
from ingest.errors import IngestError
from ingest.job.clients import JobClients
from ingest.job.config import JobConfig
from ingest.job.ledger import Ledger, Outcome, StartOutcome
from ingest.job.messages import WorkItem
from ingest.job.reports import object_dead_letter_key, object_report_key
from ingest.run.publish import PublishOptions, PublishResult, publish
from ingest.run.stop import StopRequest
from ingest.sources import SourceOptions
from ingest.sources.s3 import S3ObjectChangedError, S3ObjectGoneError, S3ObjectVersion, open_s3_object_version

LOG = logging.getLogger(__name__)

STOP_MARGIN_MS = 30_000
"""Ask the run to wind down this long before Lambda's deadline, so the report and the ledger still get written."""
LEASE_MARGIN_SECONDS = 5.0
"""The lease outlives the invocation's deadline by this much (Lambda ends the invocation at the deadline, so a
lease that has run out means the worker is gone; the margin covers clock differences between workers)."""

Publish = Callable[..., PublishResult]


class ObjectBusyError(IngestError, RuntimeError):
    """The holder still works on this very message: it comes back after its visibility timeout."""


class ObjectFailedError(IngestError, RuntimeError):
    """The attempt failed; the ledger holds the reason."""


@dataclass(frozen=True)
class WorkResult:
    object_uri: str
    start: StartOutcome
    status: str | None = None
    """The ledger status written (None when nothing was published: a duplicate or stale delivery)."""


def work_on(
    item: WorkItem,
    *,
    receive_count: int,
    holder: str,
    config: JobConfig,
    clients: JobClients,
    remaining_ms: Callable[[], int],
    publisher: Publish = publish,
    lease_margin_seconds: float = LEASE_MARGIN_SECONDS,
    message_id: str = "",
) -> WorkResult:
    ledger = Ledger(clients.dynamodb, config.ledger_table)
    lease_seconds = remaining_ms() / 1000 + lease_margin_seconds
    started = ledger.start(item, holder, lease_seconds, receive_count=receive_count, message_id=message_id)
    if started is StartOutcome.BUSY_WITH_THIS_MESSAGE:
        raise ObjectBusyError(f"{item.object_uri} is still being published from this message")
    if started is not StartOutcome.STARTED:
        LOG.info("%s: %s, acknowledged without publishing", item.object_uri, started.value)
        return WorkResult(item.object_uri, started)
    try:
        source = _claimed_version(item, config)
        gone = _gone_reason(source)
        if gone is not None:
            ledger.finish(item, holder, Outcome(ObjectStatus.SKIPPED, 0, 0, 0, None, None, reason=gone))
            LOG.info("%s: skipped, %s", item.object_uri, gone)
            return WorkResult(item.object_uri, started, ObjectStatus.SKIPPED)
        result, report_uri, dead_letter_uri = _publish_one(item, source, config, clients, remaining_ms, publisher)
    except Exception as exc:
        _fail(ledger, item, holder, f"{type(exc).__name__}: {exc}", receive_count, config)
        raise
    report = result.report
    if result.status != 0 or report is None:
        reason = _object_reason(result) or result.problem or f"publish ended with status {result.status}"
        dead = _fail(ledger, item, holder, reason, receive_count, config)
        raise ObjectFailedError(f"{item.object_uri}: {reason}" + (" (dead-lettered)" if dead else ""))
    # An object refused whole (no format fits it) is a rejection too: its reason is in the dead letters.
    status = ObjectStatus.REJECTED if report.records_rejected or report.objects_rejected else ObjectStatus.PUBLISHED
    outcome = Outcome(
        status=status,
        published=report.records_published,
        rejected=report.records_rejected,
        failed=report.records_failed,
        report_uri=report_uri,
        dead_letter_uri=dead_letter_uri,
        reason=_object_reason(result),
    )
    if not ledger.finish(item, holder, outcome):
        LOG.warning("%s: the lease passed to another worker; its outcome stands, this one is dropped", item.object_uri)
    return WorkResult(item.object_uri, started, status)


def _object_reason(result: PublishResult) -> str | None:
    """What the report says about the object itself (unreadable, no format fits): more useful in the ledger than
    the run's summary line, which points at a temporary file."""
    if result.report is None:
        return None
    return next((entry.reason for entry in result.report.objects if entry.reason), None)


def _claimed_version(item: WorkItem, config: JobConfig) -> S3ObjectVersion:
    return open_s3_object_version(
        item.object_uri, etag=item.etag, size=item.size, options=SourceOptions(region=config.source_region)
    )


def _gone_reason(source: S3ObjectVersion) -> str | None:
    """Why the claimed version cannot be published at all, or None while it is there. Not a failure: retrying
    cannot bring it back, and a rewritten object is a new version that the next planner run claims."""
    try:
        source.confirm()
    except S3ObjectGoneError:
        return "object no longer exists"
    except S3ObjectChangedError as exc:
        return f"object changed since it was planned ({exc}); the next planner run claims the new version"
    return None


def _fail(ledger: Ledger, item: WorkItem, holder: str, reason: str, receive_count: int, config: JobConfig) -> bool:
    """Record the failure; at the queue's last receive, as dead-lettered (the redrive moves the message next)."""
    dead = receive_count >= config.max_receive_count
    ledger.fail(item, holder, reason, dead_lettered=dead)
    suffix = " (dead-lettered)" if dead else ""
    LOG.warning("%s: attempt %d failed%s: %s", item.object_uri, receive_count, suffix, reason)
    return dead


def _publish_one(
    item: WorkItem,
    source: S3ObjectVersion,
    config: JobConfig,
    clients: JobClients,
    remaining_ms: Callable[[], int],
    publisher: Publish,
) -> tuple[PublishResult, str | None, str | None]:
    stop = StopRequest()
    timer = threading.Timer(
        max(0.0, (remaining_ms() - STOP_MARGIN_MS) / 1000), stop.set, args=("the Lambda deadline is near",)
    )
    timer.daemon = True
    with tempfile.TemporaryDirectory(prefix="ingest-job-") as folder:
        report_path = Path(folder) / "report.json"
        dead_letter_path = Path(folder) / "dead-letter.jsonl"
        options = PublishOptions(
            stream=config.stream_name,
            source=item.object_uri,
            report=report_path,
            dead_letter=dead_letter_path,
            run_id=item.run_id,
            source_region=config.source_region,
        )
        timer.start()
        try:
            result = publisher(options, stop=stop, source=source)
        finally:
            timer.cancel()
        prefix, run_id, uri = config.report_prefix, item.run_id, item.object_uri
        report_uri = _upload(clients, config, report_path, object_report_key(prefix, run_id, uri))
        dead_letter_uri = _upload(clients, config, dead_letter_path, object_dead_letter_key(prefix, run_id, uri))
    return result, report_uri, dead_letter_uri


def _upload(clients: JobClients, config: JobConfig, path: Path, key: str) -> str | None:
    """Store a file the run wrote; None when it wrote none (no dead letters) or an empty one."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    clients.s3.upload_file(str(path), config.report_bucket, key)
    return f"s3://{config.report_bucket}/{key}"
