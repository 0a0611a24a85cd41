"""The ingest job's contract: what the infrastructure (`components.ingest_job`) and the Lambda handlers
(`ingest.job`) must agree on, in one Pulumi-free place.

The component sets the environment variables named here on the two functions and points them at the handlers
named here; the handlers read the same names. The ledger's key, attributes and statuses are written by the
handlers and read by `python -m ingest job status`; the concurrency formula is the component's, and the bench
checks it against a measured worker.

Sources:
- Lambda with SQS, ScalingConfig.MaximumConcurrency (2-1000) and the visibility timeout guidance (at least six
  times the function timeout): https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html and
  https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
- Lambda quotas (timeout up to 900 s, memory 128-10,240 MB, 250 MB unzipped deployment package, 50 MB zipped
  upload): https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
- Lambda memory and CPU (one full vCPU at 1,769 MB): https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
- SQS quotas (visibility timeout 0-43,200 s, retention 60-1,209,600 s, SendMessageBatch of 10 entries):
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
- SQS redrive policy maxReceiveCount (1-1,000):
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from .limits import MIB, SHARD_WRITE_LIMITS, ShardWriteLimits

PLANNER_HANDLER: Final = "ingest.job.handlers.plan"
"""Lambda handler of the planner: lists the source, claims new versions in the ledger, enqueues them."""
WORKER_HANDLER: Final = "ingest.job.handlers.work"
"""Lambda handler of the workers: one SQS batch in, the library `publish` on each object, partial batch failures out."""
LAMBDA_RUNTIME: Final = "python3.11"
"""The Lambda runtime the archive is built for (the project's own Python; its wheels are fetched for it)."""
LAMBDA_ARCHITECTURE: Final = "x86_64"


@dataclass(frozen=True)
class JobEnvironment:
    """Names of the environment variables the component sets and the handlers read."""

    source_uri: str = "INGEST_SOURCE_URI"
    """s3://bucket/prefix/ of the objects to pull."""
    source_region: str = "INGEST_SOURCE_REGION"
    """Region of the source bucket (the public sample bucket is in ap-southeast-1)."""
    queue_url: str = "INGEST_QUEUE_URL"
    ledger_table: str = "INGEST_LEDGER_TABLE"
    stream_name: str = "INGEST_STREAM_NAME"
    report_bucket: str = "INGEST_REPORT_BUCKET"
    """Bucket of the run reports and dead letters (the data bucket, under `report_prefix`)."""
    report_prefix: str = "INGEST_REPORT_PREFIX"
    """Folder of the run reports and dead letters: never under the Firehose data prefix."""
    max_receive_count: str = "INGEST_MAX_RECEIVE_COUNT"
    """The queue's maxReceiveCount: the receive that reaches it marks the object DEAD_LETTERED in the ledger."""
    planner_function: str = "INGEST_PLANNER_FUNCTION"
    """The planner's own name, so a listing too long for one invocation continues in the next."""


JOB_ENVIRONMENT = JobEnvironment()

DEFAULT_REPORT_PREFIX: Final = "ingest-runs/"
"""Where cloud runs write reports and dead letters in the data bucket (outside the data and error prefixes)."""


@dataclass(frozen=True)
class LedgerSchema:
    """The DynamoDB ledger: one item per source object URI."""

    key: str = "object_uri"
    """Partition key (S): s3://bucket/key of the source object."""
    version: str = "version"
    """What makes a version: the ETag and size as listed ("<etag>:<size>")."""
    status: str = "status"
    attempts: str = "attempts"
    run_id: str = "run_id"
    published: str = "published"
    rejected: str = "rejected"
    failed: str = "failed"
    dead_letter_uri: str = "dead_letter_uri"
    report_uri: str = "report_uri"
    reason: str = "reason"
    enqueued_at: str = "enqueued_at"
    updated_at: str = "updated_at"
    holder: str = "holder"
    """Which worker invocation publishes the object now: only it may write the outcome."""
    lease_until: str = "lease_until"
    """Epoch seconds after which a worker that went silent (killed, timed out) is presumed dead and another
    receive of the message takes the object over."""


LEDGER = LedgerSchema()


class ObjectStatus:
    """The statuses an object's ledger item moves through (strings, as stored).

    Not a publish report's `ObjectOutcome` (`ingest.run.report`): the worker sets PUBLISHED or REJECTED from the
    whole report of the object's run, REJECTED when any record was rejected or the object was refused whole (an
    outcome REJECTED); a failed run (an outcome FAILED) leaves FAILED, or DEAD_LETTERED once the queue gives up."""

    QUEUED: Final = "QUEUED"
    """Claimed by a planner run and sent to the queue."""
    IN_FLIGHT: Final = "IN_FLIGHT"
    """A worker is publishing it."""
    PUBLISHED: Final = "PUBLISHED"
    """Every record published (none rejected)."""
    REJECTED: Final = "REJECTED"
    """Published, but some records were dead-lettered as invalid (their reasons are in the dead letters)."""
    FAILED: Final = "FAILED"
    """The attempt failed (the message returns to the queue until maxReceiveCount)."""
    DEAD_LETTERED: Final = "DEAD_LETTERED"
    """The message went to the dead-letter queue after maxReceiveCount receives."""

    ALL: Final = (QUEUED, IN_FLIGHT, PUBLISHED, REJECTED, FAILED, DEAD_LETTERED)


@dataclass(frozen=True)
class JobLimits:
    """The bounds AWS enforces on the job's settings (see the module docstring for the sources)."""

    min_max_concurrency: int = 2
    max_max_concurrency: int = 1000
    max_function_timeout_seconds: int = 900
    min_memory_mb: int = 128
    max_memory_mb: int = 10_240
    memory_mb_per_vcpu: int = 1769
    max_visibility_timeout_seconds: int = 43_200
    visibility_timeout_per_function_timeout: int = 6
    min_max_receive_count: int = 1
    max_max_receive_count: int = 1000
    min_retention_seconds: int = 60
    max_retention_seconds: int = 1_209_600
    max_send_batch_entries: int = 10
    max_unzipped_package_bytes: int = 250 * 1000 * 1000
    max_zipped_upload_bytes: int = 50 * 1000 * 1000


JOB_LIMITS = JobLimits()


def worker_max_concurrency(
    *,
    shard_count: int | None,
    worker_bytes_per_second: float,
    on_demand_concurrency: int | None = None,
    shard_limits: ShardWriteLimits = SHARD_WRITE_LIMITS,
    limits: JobLimits = JOB_LIMITS,
) -> int:
    """How many workers the event source mapping may run at once: enough to fill the stream, not more.

    Provisioned stream (`shard_count` given): shards x 1 MiB/s divided by what one worker publishes, rounded up so
    the stream is full; on-demand (`shard_count` None): the caller's number, since the stream grows with the load.
    Clamped to what ScalingConfig.MaximumConcurrency accepts (2-1000). More workers than this only turn the
    stream's limits into throttling, which the publisher then waits out inside paid Lambda time.
    """
    if shard_count is None:
        if on_demand_concurrency is None:
            raise ValueError("an on-demand stream needs on_demand_concurrency: its shard count follows the load")
        wanted = on_demand_concurrency
    else:
        if shard_count < 1:
            raise ValueError(f"shard_count must be at least 1, got {shard_count}")
        if worker_bytes_per_second <= 0:
            raise ValueError(f"worker_bytes_per_second must be positive, got {worker_bytes_per_second}")
        wanted = math.ceil(shard_count * shard_limits.bytes_per_second / worker_bytes_per_second)
    return max(limits.min_max_concurrency, min(limits.max_max_concurrency, wanted))


def worker_bytes_per_second(
    memory_mb: int, *, per_vcpu_bytes_per_second: float, limits: JobLimits = JOB_LIMITS
) -> float:
    """One worker's publish rate at a memory size: Lambda gives CPU in proportion to memory (a full vCPU at
    1,769 MB), and the publisher is CPU-bound below the stream's limits."""
    return per_vcpu_bytes_per_second * min(memory_mb, limits.memory_mb_per_vcpu) / limits.memory_mb_per_vcpu


def min_visibility_timeout(function_timeout_seconds: int, limits: JobLimits = JOB_LIMITS) -> int:
    """AWS's guidance for a Lambda event source: at least six times the function's timeout, so a message is not
    redelivered while a worker still holds it."""
    return function_timeout_seconds * limits.visibility_timeout_per_function_timeout


WORKER_MIB_PER_VCPU: Final = 4.0
"""One worker's publish rate on a full vCPU, in MiB/s of Kinesis payload, as the ingest job's workers publish: one
object per invocation, each with a fresh publisher. `make bench`'s job-scaling section measured 4.0 MiB/s for one
worker on 1,440-record objects into 16 shards (docs/performance.md). That is far below the 22 MiB/s one long-lived
publisher reaches on a core (docs/publisher.md): a fresh publisher knows nothing of the shards' recent use, so at
each object's start it bursts into windows other publishers filled, is throttled and backs off. Dividing by the
measured rate gives the stream more workers, which is what fills it. The component takes it as an argument
(`worker_mib_per_vcpu`) for other object and record sizes."""
WORKER_BYTES_PER_VCPU: Final = WORKER_MIB_PER_VCPU * MIB

LAMBDA_ARCHIVE: Final = "build/lambda/ingest-job.zip"
"""Where `make lambda` writes the functions' archive, relative to the project root (built, never committed)."""
ARCHIVE_ENVIRONMENT: Final = "INGEST_JOB_ARCHIVE"
"""Overrides LAMBDA_ARCHIVE for the program (a CI job that built the archive elsewhere)."""
