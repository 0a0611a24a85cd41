"""What an operator does with a deployed job (`python -m ingest job ...`): start a run now, see where the runs
stand, retry what failed, and fold a run's reports into the one `verify` reads. The target comes from the
stack's outputs."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from components.core.job import DEFAULT_REPORT_PREFIX, ObjectStatus
from ingest.errors import ConfigurationError
from ingest.job.clients import JobClients
from ingest.job.ledger import Ledger, LedgerEntry
from ingest.job.queue import send_items
from ingest.job.reports import merge_run_reports, read_run_reports
from ingest.run.report import RunReport, write_report
from ingest.stamps import new_run_id

TARGET_KEYS = ("ingestQueueUrl", "ingestDlqUrl", "ledgerTableName", "plannerFunctionName", "bucketName", "region")
LATEST_RUNS = 5
RETRYABLE = (ObjectStatus.FAILED, ObjectStatus.DEAD_LETTERED)


@dataclass(frozen=True)
class JobTarget:
    queue_url: str
    dlq_url: str
    ledger_table: str
    planner_function: str
    bucket: str
    region: str
    report_prefix: str
    origin: str

    @classmethod
    def from_outputs(cls, outputs: object, origin: str) -> JobTarget:
        if not isinstance(outputs, Mapping):
            raise ConfigurationError(f"{origin}: expected a JSON object of stack outputs")
        missing = [key for key in TARGET_KEYS if not isinstance(outputs.get(key), str) or not outputs[key]]
        if missing:
            raise ConfigurationError(
                f"{origin} lacks the output(s) {', '.join(missing)}: is the stack's enableIngestJob on?"
            )
        return cls(
            queue_url=outputs["ingestQueueUrl"],
            dlq_url=outputs["ingestDlqUrl"],
            ledger_table=outputs["ledgerTableName"],
            planner_function=outputs["plannerFunctionName"],
            bucket=outputs["bucketName"],
            region=outputs["region"],
            report_prefix=str(outputs.get("ingestReportPrefix") or DEFAULT_REPORT_PREFIX),
            origin=origin,
        )


def start(target: JobTarget, clients: JobClients) -> str:
    """Invoke the planner now, asynchronously (as its schedule does); returns the run id it will use."""
    run_id = new_run_id()
    clients.lambda_.invoke(
        FunctionName=target.planner_function,
        InvocationType="Event",
        Payload=json.dumps({"run_id": run_id}).encode(),
    )
    return run_id


@dataclass(frozen=True)
class RunStatus:
    run_id: str
    last_update: str
    statuses: dict[str, int]
    records_published: int
    records_rejected: int


@dataclass(frozen=True)
class JobStatus:
    objects: dict[str, int]
    """Objects per ledger status, every status present (0 when none)."""
    runs: list[RunStatus]
    """The latest runs, newest first: the run each object was last claimed or retried by."""
    queued_messages: int
    in_flight_messages: int
    dead_letter_messages: int
    problems: list[LedgerEntry] = field(default_factory=list)
    """The failed and dead-lettered objects, with their reasons."""


def status(target: JobTarget, clients: JobClients, *, latest: int = LATEST_RUNS) -> JobStatus:
    """The whole ledger, read with a Scan: it holds one item per source object, which is fine for thousands of
    objects; a source of millions would want an index on the run id instead."""
    entries = list(Ledger(clients.dynamodb, target.ledger_table).entries())
    counts = Counter(entry.status for entry in entries)
    by_run: dict[str, list[LedgerEntry]] = {}
    for entry in entries:
        by_run.setdefault(entry.run_id, []).append(entry)
    runs = [
        RunStatus(
            run_id=run_id,
            last_update=max(entry.updated_at or "" for entry in members),
            statuses=dict(Counter(entry.status for entry in members)),
            records_published=sum(entry.published for entry in members),
            records_rejected=sum(entry.rejected for entry in members),
        )
        for run_id, members in by_run.items()
    ]
    runs.sort(key=lambda run: run.last_update, reverse=True)
    queue = _depths(clients, target.queue_url)
    dlq = _depths(clients, target.dlq_url)
    return JobStatus(
        objects={name: counts.get(name, 0) for name in ObjectStatus.ALL},
        runs=runs[:latest],
        queued_messages=queue["ApproximateNumberOfMessages"],
        in_flight_messages=queue["ApproximateNumberOfMessagesNotVisible"],
        dead_letter_messages=dlq["ApproximateNumberOfMessages"],
        problems=sorted((entry for entry in entries if entry.status in RETRYABLE), key=lambda e: e.object_uri),
    )


def _depths(clients: JobClients, queue_url: str) -> dict[str, int]:
    """Approximate counts, as SQS reports them (eventually consistent, within about a minute):
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html"""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = clients.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
    return {name: int(attributes.get(name, 0)) for name in names}


@dataclass(frozen=True)
class RetryResult:
    run_id: str
    requeued: list[str]
    unsent: list[str]
    skipped: int
    """Objects that changed status between the read and the retry (another worker or retry got there first)."""


def retry(
    target: JobTarget, clients: JobClients, *, stuck_after_seconds: float | None = None, now: float | None = None
) -> RetryResult:
    """Send every FAILED and DEAD_LETTERED object again, as one new run. Their old messages in the DLQ stay
    there (a redrive of them later is harmless: the ledger acknowledges a version already published).

    With `stuck_after_seconds`, also every object QUEUED longer ago than that: a planner that stopped between its
    claim and the message (Lambda ended it) leaves a claim no later run takes. A duplicate message for an object
    still waiting in the queue is harmless too: the first delivery publishes it, the second is acknowledged."""
    ledger = Ledger(clients.dynamodb, target.ledger_table)
    run_id = new_run_id()
    stuck_before = None
    if stuck_after_seconds is not None:
        moment = datetime.fromtimestamp((now if now is not None else time.time()) - stuck_after_seconds, UTC)
        stuck_before = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    items = []
    skipped = 0
    for entry in ledger.entries():
        stuck = (
            stuck_before is not None
            and entry.status == ObjectStatus.QUEUED
            and (entry.enqueued_at or "") < stuck_before
        )
        if entry.status not in RETRYABLE and not stuck:
            continue
        if ledger.requeue(entry, run_id):
            items.append(entry.work_item(run_id, size=_size_of(entry.version)))
        else:
            skipped += 1
    unsent = send_items(clients.sqs, target.queue_url, items)
    unsent_uris = {item.object_uri for item, _reason in unsent}
    return RetryResult(
        run_id=run_id,
        requeued=sorted(item.object_uri for item in items if item.object_uri not in unsent_uris),
        unsent=sorted(unsent_uris),
        skipped=skipped,
    )


def _size_of(version: str) -> int:
    """The size half of "<etag>:<size>"."""
    size = version.rpartition(":")[2]
    return int(size) if size.isdigit() else 0


def report(target: JobTarget, clients: JobClients, run_id: str, path: Path) -> RunReport:
    """Merge the run's per-object reports from S3 into one file `python -m ingest verify --report` reads."""
    parts = read_run_reports(clients.s3, target.bucket, target.report_prefix, run_id)
    if not parts:
        raise ConfigurationError(
            f"no reports for run {run_id} under s3://{target.bucket}/{target.report_prefix}{run_id}/"
        )
    merged = merge_run_reports(run_id, parts)
    write_report(merged, path)
    return merged
