"""Arguments of the IngestJob component, checked against AWS's limits when they are built (before any resource
is declared), so a bad value fails `pulumi preview` with the argument's name instead of failing `pulumi up`.

Pulumi-free, like the rest of the core: the program, the tests and the docs read the same defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .job import DEFAULT_REPORT_PREFIX, JOB_LIMITS, WORKER_MIB_PER_VCPU
from .limits import LOG_RETENTION_DAYS
from .settings import TrackingPipelineArgsError

DEFAULT_SOURCE_URI = "s3://tgr-hire-devops-test/crypto/01-data-ingestion/"
DEFAULT_SOURCE_REGION = "ap-southeast-1"
MAX_BATCH_SIZE = 10
"""SQS event source mappings take up to 10,000 messages per batch, but a batch above 10 needs a batching window
(https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html); a worker publishes whole objects, so
10 objects per invocation is already minutes of work."""
SCHEDULE_EXPRESSION = re.compile(r"^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+( \S+){5}\))$")
"""EventBridge Scheduler's recurring forms, rate(value unit) and cron(6 fields):
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html"""


class IngestJobArgsError(TrackingPipelineArgsError):
    """An IngestJob argument outside what AWS accepts; names argument and value."""


@dataclass(frozen=True, kw_only=True)
class IngestJobArgs:
    """Arguments of `IngestJob`. Every field is optional; the defaults pull the crypto sample on demand."""

    source_uri: str = DEFAULT_SOURCE_URI
    """s3://bucket/prefix/ of the objects to pull (only this prefix is readable by the functions)."""
    source_region: str = DEFAULT_SOURCE_REGION
    schedule_expression: str | None = None
    """How often the planner runs, e.g. "rate(1 hour)"; None: no schedule, runs start on demand (`job start`)."""
    worker_memory_mb: int = JOB_LIMITS.memory_mb_per_vcpu
    """Lambda gives CPU in proportion to memory; 1,769 MB is one full vCPU, what one publisher can use."""
    worker_timeout_seconds: int = 300
    planner_timeout_seconds: int = 300
    max_receive_count: int = 3
    """Receives of a message before the queue moves it to the dead-letter queue (and the ledger says why)."""
    batch_size: int = 1
    """Objects per worker invocation: one, so each object's failure is its own and the work spreads evenly."""
    on_demand_concurrency: int = 10
    """Workers at once on an ON_DEMAND stream (a provisioned stream's shard count sets it instead)."""
    worker_mib_per_vcpu: float = WORKER_MIB_PER_VCPU
    """One worker's publish rate on a full vCPU (`make bench` measures it); sets the concurrency of a provisioned
    stream so the workers fill its shards and no more."""
    report_prefix: str = DEFAULT_REPORT_PREFIX
    """Folder of the data bucket for run reports and dead letters: never under the delivery or error prefix."""
    log_retention_days: int | None = None
    """Retention of the functions' log groups; None: the pipeline's `log_retention_days`, like every other log."""
    oldest_message_alarm_seconds: int = 3600
    """Alarm when a message has waited this long: the workers are stuck or failing."""
    reserve_planner_concurrency: bool = False
    """Reserve one concurrent execution for the planner, so its runs never overlap. Off by default: Lambda refuses a
    reservation that leaves the account fewer than 100 unreserved executions, and new accounts often have a quota
    of 10 or 50 (docs/first-deploy.md); overlapping runs are safe anyway, because the ledger's conditional claims
    let only one of them enqueue a version (docs/job.md)."""
    enable_tracing: bool = True
    """AWS X-Ray active tracing of both functions, as the endpoint's stage is traced."""

    def __post_init__(self) -> None:
        limits = JOB_LIMITS
        self._check_source_and_schedule()
        _check("worker_memory_mb", self.worker_memory_mb, limits.min_memory_mb, limits.max_memory_mb)
        for name in ("worker_timeout_seconds", "planner_timeout_seconds"):
            _check(name, getattr(self, name), 1, limits.max_function_timeout_seconds)
        _check(
            "worker_timeout_seconds",
            self.worker_timeout_seconds,
            1,
            limits.max_visibility_timeout_seconds // limits.visibility_timeout_per_function_timeout,
        )
        _check("max_receive_count", self.max_receive_count, limits.min_max_receive_count, limits.max_max_receive_count)
        _check("batch_size", self.batch_size, 1, MAX_BATCH_SIZE)
        _check(
            "on_demand_concurrency",
            self.on_demand_concurrency,
            limits.min_max_concurrency,
            limits.max_max_concurrency,
        )
        if not self.worker_mib_per_vcpu > 0:
            raise IngestJobArgsError("worker_mib_per_vcpu", self.worker_mib_per_vcpu, "expected a positive rate")
        prefix = self.report_prefix
        if not prefix or not prefix.endswith("/") or prefix.startswith("/"):
            raise IngestJobArgsError("report_prefix", prefix, "expected a folder such as 'ingest-runs/'")
        _check("oldest_message_alarm_seconds", self.oldest_message_alarm_seconds, 60, None)
        if self.log_retention_days is not None and self.log_retention_days not in LOG_RETENTION_DAYS:
            raise IngestJobArgsError(
                "log_retention_days",
                self.log_retention_days,
                f"expected one of {', '.join(map(str, LOG_RETENTION_DAYS))}",
            )

    def _check_source_and_schedule(self) -> None:
        if (
            not self.source_uri.startswith("s3://")
            or not self.source_uri.endswith("/")
            or self.source_uri.count("/") < 3
        ):
            raise IngestJobArgsError("source_uri", self.source_uri, "expected s3://bucket/prefix/ (a folder)")
        if self.schedule_expression is not None and not SCHEDULE_EXPRESSION.match(self.schedule_expression):
            raise IngestJobArgsError(
                "schedule_expression", self.schedule_expression, 'expected "rate(N unit)" or "cron(6 fields)"'
            )

    @property
    def source_bucket(self) -> str:
        return self.source_uri.removeprefix("s3://").split("/", 1)[0]

    @property
    def source_prefix(self) -> str:
        return self.source_uri.removeprefix("s3://").split("/", 1)[1]


def check_report_prefix(report_prefix: str, *, data_prefix: str, error_prefix: str) -> None:
    """Reports written under the delivery prefix would be read as data by the Glue table and by `verify`; under
    the error prefix they would look like Firehose's failures. Either way apart."""
    for name, prefix in (("data_prefix", data_prefix), ("error_prefix", error_prefix)):
        if report_prefix.startswith(prefix) or prefix.startswith(report_prefix):
            raise IngestJobArgsError(
                "report_prefix", report_prefix, f"must not overlap the pipeline's {name} {prefix!r}"
            )


def _check(argument: str, value: object, low: int, high: int | None) -> None:
    allowed = f"between {low} and {high}" if high is not None else f"at least {low}"
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        raise IngestJobArgsError(argument, value, f"expected an integer {allowed}")
