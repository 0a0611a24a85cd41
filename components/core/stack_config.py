"""This project's stack configuration: the typed keys of Pulumi.yaml and how they become TrackingPipelineArgs.

One table (`CONFIG_KEYS`) drives the program, the local demo (which reads a `Pulumi.<stack>.yaml` directly, so
it provisions what the stack declares) and the test that keeps `Pulumi.yaml` in step. The component itself
never reads configuration.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .job_settings import IngestJobArgs
from .settings import TrackingPipelineArgs, TrackingPipelineArgsError

PROJECT = "tracking-pipeline"
PIPELINE_NAME = "tracking"
"""The name the program gives its one TrackingPipeline (the prefix of every resource name)."""


class StackConfigError(ValueError):
    """A stack config value is missing its type or breaks a rule; names the full config key."""


@dataclass(frozen=True)
class ConfigKey:
    key: str
    """camelCase name under the project namespace, as written in Pulumi.<stack>.yaml."""
    argument: str
    """The TrackingPipelineArgs field it sets."""
    type: str
    """Pulumi.yaml config type: string, integer, boolean or array (of strings)."""
    description: str
    unset_means_none: bool = False
    """Keys whose argument may be None: Pulumi config has no null, so 0 or "" stands for "off"/"none"."""

    def default(self) -> object:
        """The component's default, written the way Pulumi.yaml declares it."""
        value = getattr(TrackingPipelineArgs(), self.argument)
        if value is None:
            return "" if self.type == "string" else 0
        return list(value) if self.type == "array" else value


CONFIG_KEYS: tuple[ConfigKey, ...] = (
    ConfigKey("streamMode", "stream_mode", "string", "Kinesis capacity mode: PROVISIONED or ON_DEMAND."),
    ConfigKey("shardCount", "shard_count", "integer", "Shards of a PROVISIONED stream (>= 1)."),
    ConfigKey("retentionHours", "retention_hours", "integer", "Stream retention in hours (24-8760)."),
    ConfigKey(
        "shardLevelMetrics",
        "shard_level_metrics",
        "array",
        "Enhanced shard-level metrics; must include IncomingBytes and OutgoingBytes.",
    ),
    ConfigKey(
        "kmsKeyArn",
        "kms_key_arn",
        "string",
        "Customer-managed KMS key ARN for the stream, bucket and log groups; empty: AWS-managed keys.",
        unset_means_none=True,
    ),
    ConfigKey("dataPrefix", "data_prefix", "string", "S3 folder for delivered data, with a trailing slash."),
    ConfigKey("errorPrefix", "error_prefix", "string", "S3 folder for records Firehose failed to deliver."),
    ConfigKey("bufferingSizeMb", "buffering_size_mb", "integer", "Firehose buffer size in MiB (1-128)."),
    ConfigKey(
        "bufferingIntervalSeconds",
        "buffering_interval_seconds",
        "integer",
        "Firehose buffer interval in seconds (0-900).",
    ),
    ConfigKey(
        "compression",
        "compression",
        "string",
        "Delivered object compression: UNCOMPRESSED, GZIP, ZIP, Snappy or HADOOP_SNAPPY.",
    ),
    ConfigKey(
        "recordFormat",
        "record_format",
        "string",
        "Delivered file format: json (JSON lines, compressed as `compression` says) or parquet (Snappy; needs "
        "bufferingSizeMb >= 64 and compression UNCOMPRESSED).",
    ),
    ConfigKey(
        "athenaBytesScannedCutoffMb",
        "athena_bytes_scanned_cutoff_mb",
        "integer",
        "Athena cancels a query of the pipeline's workgroup that scans more than this many MB (>= 10).",
    ),
    ConfigKey(
        "athenaResultsExpirationDays",
        "athena_results_expiration_days",
        "integer",
        "Days Athena query results are kept before they expire (>= 1).",
    ),
    ConfigKey(
        "logRetentionDays",
        "log_retention_days",
        "integer",
        "Retention of every log group: delivery errors, endpoint access, execution and WAF logs, the ingest job's "
        "functions (e.g. 30).",
    ),
    ConfigKey("forceDestroy", "force_destroy", "boolean", "Let pulumi destroy delete non-empty buckets."),
    ConfigKey(
        "protectBucket", "protect_bucket", "boolean", "Protect the data bucket from deletion and retain it on delete."
    ),
    ConfigKey("enableVersioning", "enable_versioning", "boolean", "Version the buckets' objects."),
    ConfigKey("enableLifecycle", "enable_lifecycle", "boolean", "Apply lifecycle rules to the data bucket."),
    ConfigKey(
        "lifecycleIaDays",
        "lifecycle_ia_days",
        "integer",
        "Days before delivered data moves to STANDARD_IA (>= 30; 0: never).",
        unset_means_none=True,
    ),
    ConfigKey(
        "lifecycleGlacierDays",
        "lifecycle_glacier_days",
        "integer",
        "Days before delivered data moves to GLACIER_IR, still queryable (>= IA days + 30; 0: never).",
        unset_means_none=True,
    ),
    ConfigKey(
        "lifecycleNoncurrentExpirationDays",
        "lifecycle_noncurrent_expiration_days",
        "integer",
        "Days before noncurrent object versions are deleted (0: never).",
        unset_means_none=True,
    ),
    ConfigKey(
        "enableAccessLogging",
        "enable_access_logging",
        "boolean",
        "S3 server access logging into a separate log bucket.",
    ),
    ConfigKey("accessLogExpirationDays", "access_log_expiration_days", "integer", "Days access logs are kept."),
    ConfigKey("enableAlarms", "enable_alarms", "boolean", "Create the CloudWatch alarms."),
    ConfigKey(
        "alarmTopicArn",
        "alarm_topic_arn",
        "string",
        "SNS topic ARN that receives the alarms; empty: none.",
        unset_means_none=True,
    ),
    ConfigKey(
        "enableHttpEndpoint",
        "enable_http_endpoint",
        "boolean",
        "Create the HTTPS tracking endpoint (API Gateway REST API in front of the stream).",
    ),
    ConfigKey(
        "httpAuth",
        "http_auth",
        "string",
        "Endpoint authentication: api_key (key and usage plan), iam (SigV4) or none (anyone may write).",
    ),
    ConfigKey("httpMaxBatchRecords", "http_max_batch_records", "integer", "Most records per POST /v1/batch (1-500)."),
    ConfigKey(
        "httpRateLimit",
        "http_rate_limit",
        "integer",
        "Endpoint requests per second, for the stage and for each API key (>= 1).",
    ),
    ConfigKey(
        "httpBurstLimit",
        "http_burst_limit",
        "integer",
        "Endpoint requests absorbed at once above the rate, for the stage and each API key (>= 1).",
    ),
    ConfigKey(
        "httpDailyQuota",
        "http_daily_quota",
        "integer",
        "Endpoint requests per API key per day (0: no quota).",
        unset_means_none=True,
    ),
    ConfigKey(
        "httpCorsOrigins",
        "http_cors_origins",
        "array",
        "Browser origins allowed to call the endpoint, e.g. https://app.example.com; none by default.",
    ),
    ConfigKey(
        "httpWafAclArn",
        "http_waf_acl_arn",
        "string",
        "Existing regional WAFv2 web ACL ARN to associate with the endpoint's stage; empty: none.",
        unset_means_none=True,
    ),
    ConfigKey(
        "httpEnableWaf",
        "http_enable_waf",
        "boolean",
        "The endpoint's own WAFv2 web ACL: AWS managed rules, a per-IP rate limit, logs (not with httpWafAclArn).",
    ),
    ConfigKey(
        "httpWafRateLimit",
        "http_waf_rate_limit",
        "integer",
        "Requests one client IP may make in 5 minutes before the endpoint's own web ACL blocks it (10-2000000000).",
    ),
    ConfigKey(
        "httpExecutionLogLevel",
        "http_execution_log_level",
        "string",
        "API Gateway execution logging of the stage: OFF, ERROR or INFO (never request bodies).",
    ),
    ConfigKey(
        "httpEnableTracing", "http_enable_tracing", "boolean", "AWS X-Ray active tracing of the endpoint's stage."
    ),
    ConfigKey(
        "httpSetAccountLogRole",
        "http_set_account_log_role",
        "boolean",
        "Set API Gateway's account-wide CloudWatch Logs role in this region (one stack per account and region).",
    ),
)
TAGS_KEY = "tags"
"""Structured (a map of tag name to value): Pulumi.yaml's config types cannot declare a map, so it is read
here without a declaration."""


@dataclass(frozen=True)
class ProgramKey:
    """A rule about the stack that the program checks itself; the component never sees it."""

    key: str
    type: str
    description: str
    default_value: bool

    def default(self) -> object:
        return self.default_value


REQUIRE_ALARM_TOPIC = ProgramKey(
    "requireAlarmTopic",
    "boolean",
    "Fail the preview unless alarmTopicArn is set (prod: every alarm must reach someone).",
    default_value=False,
)
ENABLE_INGEST_JOB = ProgramKey(
    "enableIngestJob",
    "boolean",
    "Deploy the ingest job (IngestJob: scheduled planner, SQS queue, Lambda workers, DynamoDB ledger).",
    default_value=False,
)
PROGRAM_KEYS: tuple[ProgramKey, ...] = (REQUIRE_ALARM_TOPIC, ENABLE_INGEST_JOB)
INGEST_JOB_NAME = f"{PIPELINE_NAME}-ingest"
"""The name the program gives its IngestJob (the prefix of its resources and functions)."""


@dataclass(frozen=True)
class JobConfigKey(ConfigKey):
    """A key that sets an IngestJobArgs field."""

    def default(self) -> object:
        value = getattr(IngestJobArgs(), self.argument)
        if value is None:
            return "" if self.type == "string" else 0
        return value


JOB_KEYS: tuple[JobConfigKey, ...] = (
    JobConfigKey("ingestSourceUri", "source_uri", "string", "s3://bucket/prefix/ the ingest job pulls."),
    JobConfigKey("ingestSourceRegion", "source_region", "string", "Region of the ingest job's source bucket."),
    JobConfigKey(
        "ingestSchedule",
        "schedule_expression",
        "string",
        "EventBridge Scheduler expression of the planner, e.g. rate(1 hour); empty: runs start on demand.",
        unset_means_none=True,
    ),
    JobConfigKey("ingestWorkerMemoryMb", "worker_memory_mb", "integer", "Worker memory (MB); CPU follows it."),
    JobConfigKey("ingestWorkerTimeoutSeconds", "worker_timeout_seconds", "integer", "Worker timeout (1-900 s)."),
    JobConfigKey(
        "ingestMaxReceiveCount", "max_receive_count", "integer", "Receives of a message before it goes to the DLQ."
    ),
    JobConfigKey("ingestBatchSize", "batch_size", "integer", "Objects per worker invocation (1-10)."),
    JobConfigKey(
        "ingestOnDemandConcurrency",
        "on_demand_concurrency",
        "integer",
        "Workers at once when the stream is ON_DEMAND (2-1000).",
    ),
    JobConfigKey("ingestReportPrefix", "report_prefix", "string", "Bucket folder of the job's run reports."),
    JobConfigKey(
        "ingestReservePlannerConcurrency",
        "reserve_planner_concurrency",
        "boolean",
        "Reserve 1 concurrent execution for the planner (needs an account quota above 100: docs/first-deploy.md).",
    ),
)
DECLARED_KEYS: tuple[ConfigKey | ProgramKey, ...] = (*CONFIG_KEYS, *PROGRAM_KEYS, *JOB_KEYS)
"""Every key Pulumi.yaml declares, in its order."""


def _as_int(text: object) -> int:
    if isinstance(text, bool):
        raise ValueError
    if isinstance(text, int):
        return text
    return int(str(text).strip(), 10)


def _as_bool(text: object) -> bool:
    if isinstance(text, bool):
        return text
    lowered = str(text).strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    raise ValueError


def _as_list(text: object) -> list[str]:
    value = json.loads(text) if isinstance(text, str) else text
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError
    return value


def _as_str(text: object) -> str:
    if not isinstance(text, str):
        raise ValueError
    return text


_PARSERS: dict[str, tuple[Callable[[object], Any], str]] = {
    "integer": (_as_int, "an integer"),
    "boolean": (_as_bool, "true or false"),
    "array": (_as_list, "a list of strings"),
    "string": (_as_str, "a string"),
}


def _as_tags(text: object) -> dict[str, str]:
    value = json.loads(text) if isinstance(text, str) else text
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError
    return value


def stack_args(values: Mapping[str, object], stack: str) -> TrackingPipelineArgs:
    """What the program deploys to `stack`: the component's arguments (`args_from_config`), once the stack's own
    rules hold. A value a stack requires fails the preview with the command that sets it, before any AWS call."""
    args = args_from_config(values)
    if _parsed(REQUIRE_ALARM_TOPIC.key, REQUIRE_ALARM_TOPIC.type, values, REQUIRE_ALARM_TOPIC.default_value):
        if not args.enable_alarms:
            raise StackConfigError(
                f"{PROJECT}:{REQUIRE_ALARM_TOPIC.key} is true but {PROJECT}:enableAlarms is false in stack {stack}: "
                "a stack that requires an alarm topic needs its alarms"
            )
        if args.alarm_topic_arn is None:
            raise StackConfigError(
                f"{PROJECT}:alarmTopicArn is required in stack {stack} ({PROJECT}:{REQUIRE_ALARM_TOPIC.key} is "
                "true): set it with: pulumi config set alarmTopicArn arn:aws:sns:<region>:<account>:<topic> "
                f"--stack {stack}"
            )
    return args


def _parsed(key: str, type_: str, values: Mapping[str, object], default: object) -> Any:
    if values.get(key) is None:
        return default
    parse, expected = _PARSERS[type_]
    try:
        return parse(values[key])
    except (ValueError, TypeError):
        raise StackConfigError(f"{PROJECT}:{key}: expected {expected}, got {values[key]!r}") from None


def _arguments(values: Mapping[str, object], specs: tuple[ConfigKey, ...]) -> dict[str, Any]:
    """The component arguments the stack sets; a key it leaves out keeps the component's default."""
    kwargs: dict[str, Any] = {}
    for spec in specs:
        if values.get(spec.key) is None:
            continue
        value = _parsed(spec.key, spec.type, values, None)
        kwargs[spec.argument] = None if spec.unset_means_none and value in (0, "") else value
    return kwargs


def args_from_config(values: Mapping[str, object]) -> TrackingPipelineArgs:
    """Unset keys keep the component's defaults; every error names the full key as the user wrote it. Keys of the
    program's own rules (`PROGRAM_KEYS`) are accepted and left to `stack_args`."""
    known = {spec.key for spec in DECLARED_KEYS} | {TAGS_KEY}
    unknown = sorted(set(values) - known)
    if unknown:
        raise StackConfigError(
            f"{PROJECT}:{unknown[0]} is not a config key of this project; known: {', '.join(sorted(known))}"
        )
    kwargs = _arguments(values, CONFIG_KEYS)
    by_argument = {spec.argument: spec for spec in CONFIG_KEYS}
    if values.get(TAGS_KEY) is not None:
        try:
            kwargs["tags"] = _as_tags(values[TAGS_KEY])
        except (ValueError, TypeError):
            raise StackConfigError(
                f"{PROJECT}:{TAGS_KEY}: expected a map of tag names to string values, got {values[TAGS_KEY]!r}"
            ) from None
    try:
        return TrackingPipelineArgs(**kwargs)
    except TrackingPipelineArgsError as error:
        failing = by_argument.get(error.argument)
        key = failing.key if failing else error.argument
        raise StackConfigError(f"{PROJECT}:{key}={error.value!r} is invalid: {error.expected}") from None


def job_args_from_config(values: Mapping[str, object]) -> IngestJobArgs | None:
    """The IngestJob's arguments, or None when the stack does not enable it; errors name the full key."""
    if not _parsed(ENABLE_INGEST_JOB.key, ENABLE_INGEST_JOB.type, values, ENABLE_INGEST_JOB.default_value):
        return None
    try:
        return IngestJobArgs(**_arguments(values, JOB_KEYS))
    except TrackingPipelineArgsError as error:
        key = next((spec.key for spec in JOB_KEYS if spec.argument == error.argument), error.argument)
        raise StackConfigError(f"{PROJECT}:{key}={error.value!r} is invalid: {error.expected}") from None
