"""TrackingPipelineArgs: everything a caller can choose, with safe defaults, checked before any AWS call.

Settings that shape the resource graph (modes, prefixes, buffering, switches) are plain Python values so that
they can be validated at construction and a bad value fails `pulumi preview` with a message naming the
argument, instead of failing half-way through `pulumi up` with a provider error. ARNs that may come from
other resources (`kms_key_arn`, `alarm_topic_arn`) and `tags` accept `pulumi.Input`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from .catalog import RECORD_FORMATS, RecordFormat
from .limits import (
    ATHENA_MIN_BYTES_SCANNED_CUTOFF_MB,
    BUFFERING_INTERVAL_SECONDS_RANGE,
    BUFFERING_SIZE_MB_RANGE,
    CONVERSION_MIN_BUFFERING_SIZE_MB,
    CONVERSION_S3_COMPRESSION,
    HTTP_MAX_BATCH_RECORDS_RANGE,
    IA_MIN_DAYS,
    IA_MIN_STAY_DAYS,
    LOG_RETENTION_DAYS,
    RETENTION_HOURS_RANGE,
    SHARD_COUNT_MIN,
    WAF_RATE_LIMIT_RANGE,
)

if TYPE_CHECKING:
    import pulumi

StreamMode = Literal["PROVISIONED", "ON_DEMAND"]
Compression = Literal["UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"]
HttpAuth = Literal["api_key", "iam", "none"]
ExecutionLogLevel = Literal["OFF", "ERROR", "INFO"]

STREAM_MODES: tuple[str, ...] = ("PROVISIONED", "ON_DEMAND")
COMPRESSIONS: tuple[str, ...] = ("UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY")
SHARD_LEVEL_METRICS: tuple[str, ...] = (
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
)
REQUIRED_SHARD_LEVEL_METRICS: tuple[str, ...] = ("IncomingBytes", "OutgoingBytes")
HTTP_AUTHS: tuple[str, ...] = ("api_key", "iam", "none")
EXECUTION_LOG_LEVELS: tuple[str, ...] = ("OFF", "ERROR", "INFO")


class TrackingPipelineArgsError(ValueError):
    """An argument is outside what AWS accepts or what the component supports; names argument and value."""

    def __init__(self, argument: str, value: object, expected: str) -> None:
        self.argument = argument
        self.value = value
        self.expected = expected
        super().__init__(f"{argument}={value!r} is invalid: {expected}")


@dataclass(frozen=True, kw_only=True)
class TrackingPipelineArgs:
    """Arguments of `TrackingPipeline`. Every field is optional; the defaults are secure and production-ready."""

    stream_mode: StreamMode = "PROVISIONED"
    """Kinesis capacity mode: PROVISIONED (pay per shard) or ON_DEMAND (pay per use, scales itself)."""
    shard_count: int = 1
    """Shards of a PROVISIONED stream (each takes 1 MiB/s or 1,000 records/s of writes). Ignored for ON_DEMAND."""
    retention_hours: int = 48
    """How long records stay readable in the stream (24-8760 h): the window to replay after a delivery failure."""
    shard_level_metrics: Sequence[str] = (
        "IncomingBytes",
        "OutgoingBytes",
        "WriteProvisionedThroughputExceeded",
        "ReadProvisionedThroughputExceeded",
        "IteratorAgeMilliseconds",
    )
    """Enhanced per-shard CloudWatch metrics (must include IncomingBytes and OutgoingBytes)."""
    kms_key_arn: pulumi.Input[str] | None = None
    """Customer-managed KMS key for the stream, the bucket and the log groups; default: alias/aws/kinesis, SSE-S3 and
    CloudWatch Logs' own encryption. The key policy must let CloudWatch Logs use it (docs/component.md)."""
    data_prefix: str = "crypto/"
    """Folder the delivered data lands under; the component appends Hive-style year=/month=/day=/hour=/."""
    error_prefix: str = "errors/"
    """Folder Firehose writes records it failed to deliver under (required: the data prefix has expressions)."""
    buffering_size_mb: int = 64
    """Firehose flushes an object when this many MiB are buffered (1-128)."""
    buffering_interval_seconds: int = 300
    """... or when this many seconds have passed (0-900); the data freshness alarm is derived from it."""
    compression: Compression = "GZIP"
    """Compression of the delivered objects."""
    record_format: RecordFormat = "json"
    """How delivered records are stored: json (one JSON object per line, compressed as `compression` says) or
    parquet (Firehose converts each record to Parquet with Snappy using the Glue table; needs
    buffering_size_mb >= 64 and compression UNCOMPRESSED)."""
    athena_bytes_scanned_cutoff_mb: int = 10_000
    """Athena cancels any query of the pipeline's workgroup that scans more than this many MB (>= 10)."""
    athena_results_expiration_days: int = 30
    """Days Athena query results are kept in their bucket before they expire."""
    log_retention_days: int = 30
    """Retention of every log group: Firehose delivery errors, endpoint access, execution and WAF logs (a value
    CloudWatch Logs accepts)."""
    force_destroy: bool = False
    """Let `pulumi destroy` delete non-empty buckets. Only for throw-away stacks."""
    protect_bucket: bool = False
    """Protect the data bucket from deletion and keep it in AWS if it leaves the program (prod)."""
    enable_versioning: bool = True
    """Keep previous versions of overwritten/deleted objects."""
    enable_lifecycle: bool = True
    """Apply the lifecycle rules below to the data bucket."""
    lifecycle_ia_days: int | None = 30
    """Days after which delivered objects move to STANDARD_IA (>= 30); None: never."""
    lifecycle_glacier_days: int | None = 90
    """Days after which delivered objects move to GLACIER_IR, S3 Glacier Instant Retrieval, which Athena still reads
    (>= IA days + 30); None: never."""
    lifecycle_noncurrent_expiration_days: int | None = 30
    """Days after which noncurrent object versions are deleted; None: kept."""
    enable_access_logging: bool = False
    """Write S3 server access logs of the data bucket into a separate, equally protected log bucket."""
    access_log_expiration_days: int = 365
    """Days the access logs are kept."""
    enable_alarms: bool = True
    """Create the CloudWatch alarms on stream throttling, consumer lag and delivery freshness/success."""
    alarm_topic_arn: pulumi.Input[str] | None = None
    """SNS topic that receives alarm and OK notifications; None: alarms only show in the console."""
    enable_http_endpoint: bool = False
    """Create the HTTPS tracking endpoint (API Gateway REST API in front of the stream) for producers that hold
    no AWS credentials: browsers, phones, devices."""
    http_auth: HttpAuth = "api_key"
    """How endpoint callers authenticate: api_key (an API key with a usage plan), iam (SigV4-signed requests) or
    none (anyone on the internet can write: only when explicitly chosen)."""
    http_max_batch_records: int = 500
    """Most records one POST /v1/batch may carry (1-500, the Kinesis PutRecords limit)."""
    http_rate_limit: int = 100
    """Steady requests per second the stage accepts, and each API key's usage-plan rate (>= 1)."""
    http_burst_limit: int = 200
    """Requests above the steady rate absorbed at once, for the stage and each API key (>= 1)."""
    http_daily_quota: int | None = 1_000_000
    """Requests each API key may make per day (api_key auth only); None: no quota."""
    http_cors_origins: Sequence[str] = ()
    """Browser origins allowed to call the endpoint, e.g. https://app.example.com; none by default."""
    http_waf_acl_arn: pulumi.Input[str] | None = None
    """An existing regional WAFv2 web ACL to associate with the endpoint's stage; None: none (or the component's
    own, `http_enable_waf`; not both)."""
    http_enable_waf: bool = False
    """Give the endpoint a WAFv2 web ACL of its own: AWS's managed rule groups (common rule set, known bad inputs,
    Amazon IP reputation list) and a per-IP rate limit, every decision logged to CloudWatch Logs."""
    http_waf_rate_limit: int = 2000
    """Requests one client IP may make in any 5 minutes before the component's web ACL blocks it (10-2e9)."""
    http_execution_log_level: ExecutionLogLevel = "OFF"
    """API Gateway execution logging of the stage (OFF, ERROR or INFO; never request bodies), into a log group the
    component creates with retention."""
    http_enable_tracing: bool = False
    """AWS X-Ray active tracing of the stage."""
    http_set_account_log_role: bool = False
    """Also set API Gateway's account-wide CloudWatch Logs role for this region, without which the endpoint's
    access and execution logs are refused. One setting per account and region: turn it on in one stack only."""
    tags: pulumi.Input[Mapping[str, str]] = field(default_factory=dict)
    """Tags merged onto every taggable resource."""

    def __post_init__(self) -> None:
        _check_choice("stream_mode", self.stream_mode, STREAM_MODES)
        _check_range("shard_count", self.shard_count, SHARD_COUNT_MIN, None)
        _check_range("retention_hours", self.retention_hours, *RETENTION_HOURS_RANGE)
        _check_shard_level_metrics(self.shard_level_metrics)
        _check_folder_prefix("data_prefix", self.data_prefix)
        _check_error_prefix(self.error_prefix)
        _check_range("buffering_size_mb", self.buffering_size_mb, *BUFFERING_SIZE_MB_RANGE)
        _check_range("buffering_interval_seconds", self.buffering_interval_seconds, *BUFFERING_INTERVAL_SECONDS_RANGE)
        _check_choice("compression", self.compression, COMPRESSIONS)
        _check_record_format(self)
        _check_range(
            "athena_bytes_scanned_cutoff_mb",
            self.athena_bytes_scanned_cutoff_mb,
            ATHENA_MIN_BYTES_SCANNED_CUTOFF_MB,
            None,
        )
        _check_range("athena_results_expiration_days", self.athena_results_expiration_days, 1, None)
        _check_choice("log_retention_days", self.log_retention_days, LOG_RETENTION_DAYS)
        _check_lifecycle(self)
        _check_range("access_log_expiration_days", self.access_log_expiration_days, 1, None)
        _check_arn("kms_key_arn", self.kms_key_arn, ":key/")
        _check_arn("alarm_topic_arn", self.alarm_topic_arn, ":sns:")
        _check_http_endpoint(self)
        for flag in (f.name for f in fields(self) if f.type == "bool"):
            if not isinstance(getattr(self, flag), bool):
                raise TrackingPipelineArgsError(flag, getattr(self, flag), "expected true or false")

    @property
    def uses_api_keys(self) -> bool:
        """The endpoint exists and callers present an API key: the component then creates a key and usage plan."""
        return self.enable_http_endpoint and self.http_auth == "api_key"

    @property
    def uses_customer_key(self) -> bool:
        """A customer key needs extra IAM grants (producers, Firehose) that the AWS-managed key does not."""
        return self.kms_key_arn is not None

    @property
    def data_freshness_threshold_seconds(self) -> int:
        """Alarm when the oldest undelivered record is older than two buffer flushes plus five minutes."""
        return 2 * self.buffering_interval_seconds + 300


def _check_choice(argument: str, value: object, allowed: Sequence[object]) -> None:
    if value not in allowed:
        raise TrackingPipelineArgsError(argument, value, f"expected one of {', '.join(map(str, allowed))}")


def _check_range(argument: str, value: object, low: int, high: int | None) -> None:
    allowed = f"between {low} and {high}" if high is not None else f"at least {low}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise TrackingPipelineArgsError(argument, value, f"expected an integer {allowed}")
    if value < low or (high is not None and value > high):
        raise TrackingPipelineArgsError(argument, value, f"expected {allowed}")


def _check_shard_level_metrics(metrics: Sequence[str]) -> None:
    if isinstance(metrics, str):
        raise TrackingPipelineArgsError("shard_level_metrics", metrics, "expected a list of metric names")
    unknown = [m for m in metrics if m not in SHARD_LEVEL_METRICS]
    if unknown:
        raise TrackingPipelineArgsError(
            "shard_level_metrics",
            list(metrics),
            f"unknown {', '.join(unknown)}; expected names among {', '.join(SHARD_LEVEL_METRICS)}",
        )
    missing = [m for m in REQUIRED_SHARD_LEVEL_METRICS if m not in metrics]
    if missing:
        raise TrackingPipelineArgsError(
            "shard_level_metrics", list(metrics), f"must include {', '.join(REQUIRED_SHARD_LEVEL_METRICS)}"
        )


def _check_folder_prefix(argument: str, prefix: object) -> None:
    if not isinstance(prefix, str) or not prefix or not prefix.endswith("/") or prefix.startswith("/"):
        raise TrackingPipelineArgsError(
            argument, prefix, "expected a non-empty S3 folder such as 'crypto/' (trailing slash, no leading slash)"
        )


def _check_error_prefix(prefix: object) -> None:
    if prefix == "" or prefix is None:
        raise TrackingPipelineArgsError(
            "error_prefix",
            prefix,
            "required: the delivery prefix uses !{timestamp:...} expressions, and Firehose rejects such a prefix "
            "without an error output prefix",
        )
    _check_folder_prefix("error_prefix", prefix)


def _check_record_format(args: TrackingPipelineArgs) -> None:
    """Firehose's own rules for record format conversion, checked here so that a stack breaking them fails
    `pulumi preview` with the argument to change instead of failing `pulumi up` half-way."""
    _check_choice("record_format", args.record_format, RECORD_FORMATS)
    if args.record_format != "parquet":
        return
    if args.buffering_size_mb < CONVERSION_MIN_BUFFERING_SIZE_MB:
        raise TrackingPipelineArgsError(
            "buffering_size_mb",
            args.buffering_size_mb,
            f"record_format=parquet needs at least {CONVERSION_MIN_BUFFERING_SIZE_MB}: Firehose refuses format "
            "conversion with a smaller buffer",
        )
    if args.compression != CONVERSION_S3_COMPRESSION:
        raise TrackingPipelineArgsError(
            "compression",
            args.compression,
            f"record_format=parquet needs {CONVERSION_S3_COMPRESSION}: Firehose turns S3 compression off when it "
            "converts, and compresses inside the Parquet file (Snappy) instead",
        )


def _check_lifecycle(args: TrackingPipelineArgs) -> None:
    ia, glacier = args.lifecycle_ia_days, args.lifecycle_glacier_days
    if ia is not None:
        _check_range("lifecycle_ia_days", ia, IA_MIN_DAYS, None)
    if glacier is not None:
        low = ia + IA_MIN_STAY_DAYS if ia is not None else 1
        _check_range("lifecycle_glacier_days", glacier, low, None)
    if args.lifecycle_noncurrent_expiration_days is not None:
        _check_range("lifecycle_noncurrent_expiration_days", args.lifecycle_noncurrent_expiration_days, 1, None)


def _check_arn(argument: str, value: object, must_contain: str) -> None:
    """Outputs cannot be checked before deployment; a literal string can, and a name or alias passed where IAM
    needs the exact ARN is a common mistake."""
    if value is None or _is_output(value):
        return
    if not isinstance(value, str) or not value.startswith("arn:") or must_contain not in value:
        raise TrackingPipelineArgsError(
            argument, value, f"expected an ARN ('arn:aws:...{must_contain}...'), not a name or alias"
        )


def _is_output(value: object) -> bool:
    """A `pulumi.Output` can only exist once Pulumi is loaded; checking `sys.modules` instead of importing it keeps
    this module (and the `ingest` tool that uses it) free of the Pulumi SDK."""
    pulumi_module = sys.modules.get("pulumi")
    return pulumi_module is not None and isinstance(value, pulumi_module.Output)


def _check_http_endpoint(args: TrackingPipelineArgs) -> None:
    """Checked whether or not the endpoint is enabled: a stack file that is wrong while it is off would fail the
    day someone turns it on."""
    _check_choice("http_auth", args.http_auth, HTTP_AUTHS)
    _check_range("http_max_batch_records", args.http_max_batch_records, *HTTP_MAX_BATCH_RECORDS_RANGE)
    _check_range("http_rate_limit", args.http_rate_limit, 1, None)
    _check_range("http_burst_limit", args.http_burst_limit, 1, None)
    if args.http_daily_quota is not None:
        _check_range("http_daily_quota", args.http_daily_quota, 1, None)
    _check_origins(args.http_cors_origins)
    _check_arn("http_waf_acl_arn", args.http_waf_acl_arn, ":wafv2:")
    if isinstance(args.http_waf_acl_arn, str) and "/webacl/" not in args.http_waf_acl_arn:
        raise TrackingPipelineArgsError(
            "http_waf_acl_arn", args.http_waf_acl_arn, "expected a WAFv2 web ACL ARN ('.../regional/webacl/...')"
        )
    if args.http_enable_waf and args.http_waf_acl_arn is not None:
        raise TrackingPipelineArgsError(
            "http_waf_acl_arn",
            args.http_waf_acl_arn,
            "cannot be combined with http_enable_waf: a stage has one web ACL; give either an existing ACL's ARN "
            "or http_enable_waf for the component's own",
        )
    _check_range("http_waf_rate_limit", args.http_waf_rate_limit, *WAF_RATE_LIMIT_RANGE)
    _check_choice("http_execution_log_level", args.http_execution_log_level, EXECUTION_LOG_LEVELS)


def _check_origins(origins: object) -> None:
    """An origin is what a browser sends in `Origin`: scheme, host and optional port, nothing after."""
    if isinstance(origins, str) or not isinstance(origins, Sequence):
        raise TrackingPipelineArgsError("http_cors_origins", origins, "expected a list of origins")
    for origin in origins:
        if not _is_origin(origin):
            raise TrackingPipelineArgsError(
                "http_cors_origins",
                list(origins),
                f"{origin!r} is not a URL origin such as 'https://app.example.com' (http or https, a host, an "
                "optional port, no path; '*' is not accepted)",
            )


def _is_origin(value: object) -> bool:
    """One conjunction of what a browser sends as `Origin` (scheme, ASCII host, optional port, nothing after): radon
    counts each clause as a branch (C), but splitting it would only scatter one definition over several functions."""
    if not isinstance(value, str) or not value.isascii():
        return False
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return False
    host = parts.hostname or ""
    return (
        parts.scheme in ("http", "https")
        and bool(host)
        and all(char.isalnum() or char in ".-" for char in host)
        and f"{parts.scheme}://{parts.netloc}" == value
        and parts.netloc == (f"{host}:{port}" if port is not None else host)
    )
