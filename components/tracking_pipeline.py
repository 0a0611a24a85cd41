"""TrackingPipeline: the passive ingestion path Kinesis Data Stream -> Firehose -> S3, secure by default.

Any producer (desktop, mobile backend, IoT gateway, batch job) writes to the stream with the exported producer
policy, or, without AWS credentials, through the optional HTTPS tracking endpoint (`enable_http_endpoint`, see
`components.http_endpoint`); Firehose reads the stream, appends a newline to every record, buffers, compresses
and lands objects in a private, encrypted, versioned bucket under a Hive-style time prefix. With
`record_format="parquet"` Firehose converts every record to Parquet (Snappy) instead, using the Glue table. The
table, its Athena workgroup and named queries (`components.catalog`) make the bucket queryable either way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import pulumi
import pulumi_aws as aws

from .alarms import AlarmSpec, metric_alarm
from .catalog import QueryCatalog, QueryCatalogArgs
from .component_outputs import publish_outputs
from .core import iam
from .core.catalog import PARQUET_COMPRESSION, PARQUET_DICTIONARY, PARQUET_FILE_EXTENSION, QUERY_RESULTS_PREFIX
from .core.layout import APPEND_DELIMITER_PROCESSOR, delivery_prefix, error_output_prefix
from .core.naming import AWS_MANAGED_KINESIS_KEY, DELIVERY_LOG_STREAM, CatalogNames, PipelineNames, pipeline_tags
from .core.settings import TrackingPipelineArgs
from .http_endpoint import TrackingEndpoint, TrackingEndpointArgs

TYPE_TOKEN = "tracking:index:TrackingPipeline"
ABORT_INCOMPLETE_UPLOADS_RULE: aws.s3.BucketLifecycleConfigurationRuleArgsDict = {
    "id": "abort-incomplete-multipart-uploads",
    "status": "Enabled",
    "filter": {},
    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
}
"""Parts of uploads that never completed are billed until removed (Firehose and S3 log delivery both upload)."""
TRANSITION_MINIMUM_OBJECT_SIZE = "all_storage_classes_128K"
"""Objects under 128 KB never change storage class, written out rather than left to S3's default (the same
value since September 2024: https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html).
Chosen on purpose: STANDARD_IA and GLACIER_IR bill an object under 128 KB as 128 KB, and every transition is a
billed request, so moving a small object costs more than keeping it.
dev's 1 MiB / 60 s buffers write such objects, which therefore stay in STANDARD (a force-destroyed bucket);
prod's 128 MiB / 900 s buffers write objects well above it, which are tiered."""
DATA_ACCESS_LOG_PREFIX = "s3-access/"
RESULTS_ACCESS_LOG_PREFIX = "s3-access-query-results/"
"""The log bucket's folder for each logged bucket: the data bucket's keeps its earlier name; Athena's results, which
hold copies of the data, are logged beside it."""
QUERYABLE_ARCHIVE_STORAGE_CLASS = "GLACIER_IR"
"""Where delivered data goes after `lifecycle_glacier_days`: S3 Glacier Instant Retrieval, which is not archived
(read in real time, no restore: https://docs.aws.amazon.com/AmazonS3/latest/userguide/archived-objects.html), so
Athena's named queries and `python -m ingest query` still read every partition. GLACIER (Flexible Retrieval) and
DEEP_ARCHIVE are archived: Athena skips such objects without an error and GetObject refuses them
(https://docs.aws.amazon.com/athena/latest/ug/querying-glacier.html), so a query's history would silently shrink.
docs/query.md says how to read objects archived before this choice."""


_DefaultEncryption = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgsDict


FIREHOSE_SOURCE_THROTTLE_METRICS = ("ThrottledGetRecords", "ThrottledGetShardIterator", "ThrottledDescribeStream")
"""What Firehose publishes when its reads of a source Kinesis stream are throttled ("Data ingestion through Kinesis
Data Streams", https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html).
`ThrottledRecords` is only published for Direct PUT ingestion: with a Kinesis source it never has a data point, so
an alarm on it could never fire."""


@dataclass(frozen=True)
class _ProtectedBucket:
    bucket: aws.s3.Bucket
    settings: list[pulumi.Resource]
    """Everything that must exist before the bucket is used (encryption, ownership, policy...)."""


class _LoggedBucket(NamedTuple):
    resource_name: str
    """The BucketLogging resource's name."""
    target_prefix: str
    bucket: aws.s3.Bucket


class TrackingPipeline(pulumi.ComponentResource):
    """A Kinesis Data Stream delivered by Firehose into S3, with its IAM role, producer policy, logs and alarms."""

    stream_name: pulumi.Output[str]
    stream_arn: pulumi.Output[str]
    delivery_stream_name: pulumi.Output[str]
    delivery_stream_arn: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    delivery_prefix: pulumi.Output[str]
    error_prefix: pulumi.Output[str]
    firehose_role_arn: pulumi.Output[str]
    producer_policy_arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    region: pulumi.Output[str]
    buffering_interval_seconds: pulumi.Output[int]
    """Published so post-deploy checks can wait as long as delivery can legitimately take."""
    tracking_endpoint_url: pulumi.Output[str] | None
    """The HTTPS endpoint's base URL (POST <url>/v1/records, <url>/v1/batch); None without the endpoint."""
    tracking_api_id: pulumi.Output[str] | None
    api_key_id: pulumi.Output[str] | None
    """The endpoint's API key id, never its value; None unless the endpoint uses API keys."""
    glue_database_name: pulumi.Output[str]
    glue_table_name: pulumi.Output[str]
    athena_workgroup_name: pulumi.Output[str]
    tags: pulumi.Output[dict[str, str]]
    """The tags on every resource it made (the caller's plus the pipeline's name); an IngestJob built on the
    pipeline carries the same. Not a stack output: a program passes it on, nobody reads it from a stack."""

    def __init__(
        self,
        name: str,
        args: TrackingPipelineArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name = name
        self._names = PipelineNames.for_pipeline(name)
        self._args = args = args if args is not None else TrackingPipelineArgs()
        invoke_opts = pulumi.InvokeOptions(parent=self)
        self._account_id = aws.get_caller_identity_output(opts=invoke_opts).account_id
        self._region = aws.get_region_output(opts=invoke_opts).region
        self._tags = self.tags = pulumi.Output.from_input(args.tags).apply(self._merged_tags)
        self._catalog_names = CatalogNames.for_pipeline(name, pulumi.get_stack())

        stream = self._stream()
        data = self._data_bucket()
        results = self._query_results_bucket()
        catalog = self._catalog(data.bucket, results.bucket)
        log_group, log_stream = self._delivery_logs()
        role, role_policy = self._firehose_role(stream, data.bucket, log_stream)
        delivery = self._delivery_stream(stream, data, role, role_policy, log_group, log_stream, catalog)
        producer_policy = self._producer_policy(stream)
        endpoint = self._http_endpoint(stream) if args.enable_http_endpoint else None
        if args.enable_access_logging:
            self._access_logging(
                _LoggedBucket(f"{name}-bucket-logging", DATA_ACCESS_LOG_PREFIX, data.bucket),
                _LoggedBucket(f"{self._names.query_results_bucket}-logging", RESULTS_ACCESS_LOG_PREFIX, results.bucket),
            )
        if args.enable_alarms:
            self._alarms(stream, delivery)

        publish_outputs(
            self,
            {
                "stream_name": stream.name,
                "stream_arn": stream.arn,
                "delivery_stream_name": delivery.name,
                "delivery_stream_arn": delivery.arn,
                "bucket_name": data.bucket.bucket,
                "bucket_arn": data.bucket.arn,
                "delivery_prefix": pulumi.Output.from_input(args.data_prefix),
                "error_prefix": pulumi.Output.from_input(args.error_prefix),
                "firehose_role_arn": role.arn,
                "producer_policy_arn": producer_policy.arn,
                "log_group_name": log_group.name,
                "region": self._region,
                "buffering_interval_seconds": pulumi.Output.from_input(args.buffering_interval_seconds),
                "tracking_endpoint_url": endpoint.url if endpoint is not None else None,
                "tracking_api_id": endpoint.api_id if endpoint is not None else None,
                "api_key_id": endpoint.api_key_id if endpoint is not None else None,
                "glue_database_name": catalog.database_name,
                "glue_table_name": catalog.table_name,
                "athena_workgroup_name": catalog.workgroup_name,
            },
        )

    def _merged_tags(self, tags: Mapping[str, str] | None) -> dict[str, str]:
        return pipeline_tags(self._name, tags)

    def _child(self, **extra: object) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **extra)  # type: ignore[arg-type]

    def _stream(self) -> aws.kinesis.Stream:
        args = self._args
        provisioned = args.stream_mode == "PROVISIONED"
        return aws.kinesis.Stream(
            self._names.stream,
            stream_mode_details={"stream_mode": args.stream_mode},
            shard_count=args.shard_count if provisioned else None,
            retention_period=args.retention_hours,
            shard_level_metrics=list(args.shard_level_metrics),
            encryption_type="KMS",
            kms_key_id=args.kms_key_arn if args.uses_customer_key else AWS_MANAGED_KINESIS_KEY,
            tags=self._tags,
            opts=self._child(),
        )

    def _protected_bucket(
        self,
        resource_name: str,
        *,
        kms_key_arn: pulumi.Input[str] | None,
        policy_for: Callable[[aws.s3.Bucket], pulumi.Output[str]],
        bucket_opts: pulumi.ResourceOptions | None = None,
        force_destroy: bool | None = None,
    ) -> _ProtectedBucket:
        """A bucket nobody outside the account can reach: no public access, no ACLs, encrypted, versioned,
        TLS only. Shared by the data, access-log and query-results buckets so all get the same protections.
        `force_destroy` defaults to the pipeline's argument."""
        args = self._args
        bucket = aws.s3.Bucket(
            resource_name,
            force_destroy=args.force_destroy if force_destroy is None else force_destroy,
            tags=self._tags,
            opts=pulumi.ResourceOptions.merge(self._child(), bucket_opts),
        )
        under_bucket = _settings_of(bucket)
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{resource_name}-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=under_bucket,
        )
        ownership = aws.s3.BucketOwnershipControls(
            f"{resource_name}-ownership",
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=under_bucket,
        )
        if kms_key_arn is not None:
            default_encryption: _DefaultEncryption = {
                "sse_algorithm": "aws:kms",
                "kms_master_key_id": kms_key_arn,
            }
        else:
            default_encryption = {"sse_algorithm": "AES256"}
        encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{resource_name}-encryption",
            bucket=bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": default_encryption,
                    "bucket_key_enabled": kms_key_arn is not None,
                }
            ],
            opts=under_bucket,
        )
        settings: list[pulumi.Resource] = [public_access, ownership, encryption]
        if args.enable_versioning:
            settings.append(
                aws.s3.BucketVersioning(
                    f"{resource_name}-versioning",
                    bucket=bucket.id,
                    versioning_configuration={"status": "Enabled"},
                    opts=under_bucket,
                )
            )
        settings.append(
            aws.s3.BucketPolicy(
                f"{resource_name}-policy",
                bucket=bucket.id,
                policy=policy_for(bucket),
                # Applying a policy while the public-access block is still being set races in S3.
                opts=pulumi.ResourceOptions.merge(under_bucket, pulumi.ResourceOptions(depends_on=[public_access])),
            )
        )
        return _ProtectedBucket(bucket=bucket, settings=settings)

    def _data_bucket(self) -> _ProtectedBucket:
        """`protect_bucket` protects the bucket itself, which holds the data, and keeps it in AWS if it ever leaves
        the program; its settings (encryption, lifecycle, policy...) stay replaceable (`_settings_of`)."""
        args = self._args
        protect = pulumi.ResourceOptions(protect=True, retain_on_delete=True) if args.protect_bucket else None
        data = self._protected_bucket(
            self._names.bucket,
            kms_key_arn=args.kms_key_arn,
            policy_for=lambda bucket: bucket.arn.apply(lambda arn: json.dumps(iam.data_bucket_policy(arn))),
            bucket_opts=protect,
        )
        rules = self._lifecycle_rules()
        if args.enable_lifecycle and rules:
            data.settings.append(
                aws.s3.BucketLifecycleConfiguration(
                    f"{self._name}-bucket-lifecycle",
                    bucket=data.bucket.id,
                    rules=rules,
                    transition_default_minimum_object_size=TRANSITION_MINIMUM_OBJECT_SIZE,
                    opts=_settings_of(data.bucket),
                )
            )
        return data

    def _query_results_bucket(self) -> _ProtectedBucket:
        """Athena's results in a bucket of their own (readers of the data do not see other people's results), with
        every protection of the data bucket, and an expiry: results are re-created by running the query again.
        Emptied on `pulumi destroy` for the same reason."""
        args = self._args
        name = self._names.query_results_bucket
        results = self._protected_bucket(
            name,
            kms_key_arn=args.kms_key_arn,
            policy_for=lambda bucket: bucket.arn.apply(lambda arn: json.dumps(iam.data_bucket_policy(arn))),
            force_destroy=True,
        )
        results.settings.append(
            aws.s3.BucketLifecycleConfiguration(
                f"{name}-lifecycle",
                bucket=results.bucket.id,
                rules=[
                    {
                        "id": "expire-query-results",
                        "status": "Enabled",
                        "filter": {},
                        "expiration": {"days": args.athena_results_expiration_days},
                        "noncurrent_version_expiration": {"noncurrent_days": 1},
                        "abort_incomplete_multipart_upload": {"days_after_initiation": 1},
                    }
                ],
                opts=pulumi.ResourceOptions(parent=results.bucket),
            )
        )
        return results

    def _catalog(self, data_bucket: aws.s3.Bucket, results_bucket: aws.s3.Bucket) -> QueryCatalog:
        args = self._args
        names = self._catalog_names
        return QueryCatalog(
            self._names.catalog,
            QueryCatalogArgs(
                database_name=names.database,
                table_name=names.table,
                workgroup_name=names.workgroup,
                data_bucket=data_bucket.bucket,
                data_prefix=args.data_prefix,
                record_format=args.record_format,
                results_bucket=results_bucket.bucket,
                results_prefix=QUERY_RESULTS_PREFIX,
                bytes_scanned_cutoff_mb=args.athena_bytes_scanned_cutoff_mb,
                kms_key_arn=args.kms_key_arn,
                account_id=self._account_id,
                force_destroy=args.force_destroy,
                tags=self._tags,
            ),
            opts=self._child(),
        )

    def _lifecycle_rules(self) -> list[aws.s3.BucketLifecycleConfigurationRuleArgsDict]:
        args = self._args
        transitions: list[aws.s3.BucketLifecycleConfigurationRuleTransitionArgsDict] = [
            {"days": days, "storage_class": storage_class}
            for days, storage_class in (
                (args.lifecycle_ia_days, "STANDARD_IA"),
                (args.lifecycle_glacier_days, QUERYABLE_ARCHIVE_STORAGE_CLASS),
            )
            if days is not None
        ]
        rules: list[aws.s3.BucketLifecycleConfigurationRuleArgsDict] = [ABORT_INCOMPLETE_UPLOADS_RULE]
        if transitions:
            rules.append(
                {
                    "id": "tier-delivered-data",
                    "status": "Enabled",
                    "filter": {"prefix": args.data_prefix},
                    "transitions": transitions,
                }
            )
        if args.enable_versioning and args.lifecycle_noncurrent_expiration_days is not None:
            rules.append(
                {
                    "id": "expire-noncurrent-versions",
                    "status": "Enabled",
                    "filter": {},
                    "noncurrent_version_expiration": {"noncurrent_days": args.lifecycle_noncurrent_expiration_days},
                }
            )
        return rules

    def _delivery_logs(self) -> tuple[aws.cloudwatch.LogGroup, aws.cloudwatch.LogStream]:
        log_group = aws.cloudwatch.LogGroup(
            self._names.log_group,
            retention_in_days=self._args.log_retention_days,
            kms_key_id=self._args.kms_key_arn,
            tags=self._tags,
            opts=self._child(),
        )
        log_stream = aws.cloudwatch.LogStream(
            f"{self._name}-delivery-log-stream",
            name=DELIVERY_LOG_STREAM,
            log_group_name=log_group.name,
            opts=pulumi.ResourceOptions(parent=log_group),
        )
        return log_group, log_stream

    def _firehose_role(
        self, stream: aws.kinesis.Stream, bucket: aws.s3.Bucket, log_stream: aws.cloudwatch.LogStream
    ) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
        args = self._args
        role = aws.iam.Role(
            self._names.firehose_role,
            description="Assumed by Firehose to read the tracking stream and write the tracking bucket",
            assume_role_policy=self._account_id.apply(lambda account: json.dumps(iam.firehose_trust_policy(account))),
            tags=self._tags,
            opts=self._child(),
        )
        prefixes = [args.data_prefix, args.error_prefix]
        names = self._catalog_names
        converts = args.record_format == "parquet"
        policy = pulumi.Output.all(
            stream_arn=stream.arn,
            bucket_arn=bucket.arn,
            log_stream_arn=log_stream.arn,
            kms_key_arn=args.kms_key_arn,
            region=self._region,
            account_id=self._account_id,
        ).apply(
            lambda resolved: json.dumps(
                iam.firehose_delivery_policy(
                    stream_arn=resolved["stream_arn"],
                    bucket_arn=resolved["bucket_arn"],
                    object_prefixes=prefixes,
                    log_stream_arn=resolved["log_stream_arn"],
                    kms_key_arn=resolved["kms_key_arn"],
                    region=resolved["region"],
                    glue_table_arns=iam.glue_table_arns(
                        region=resolved["region"],
                        account_id=resolved["account_id"],
                        database=names.database,
                        table=names.table,
                    )
                    if converts
                    else None,
                )
            )
        )
        role_policy = aws.iam.RolePolicy(
            f"{self._name}-firehose-policy",
            role=role.id,
            policy=policy,
            opts=pulumi.ResourceOptions(parent=role),
        )
        return role, role_policy

    def _delivery_stream(
        self,
        stream: aws.kinesis.Stream,
        data: _ProtectedBucket,
        role: aws.iam.Role,
        role_policy: aws.iam.RolePolicy,
        log_group: aws.cloudwatch.LogGroup,
        log_stream: aws.cloudwatch.LogStream,
        catalog: QueryCatalog,
    ) -> aws.kinesis.FirehoseDeliveryStream:
        """With a Kinesis source, Firehose cannot encrypt the delivery stream itself: the stream's own KMS
        encryption covers the data at rest, and the bucket's default encryption covers the delivered objects."""
        args = self._args
        destination: aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgsDict = {
            "role_arn": role.arn,
            "bucket_arn": data.bucket.arn,
            "buffering_size": args.buffering_size_mb,
            "buffering_interval": args.buffering_interval_seconds,
            "compression_format": args.compression,
            "prefix": delivery_prefix(args.data_prefix),
            "error_output_prefix": error_output_prefix(args.error_prefix),
            "kms_key_arn": args.kms_key_arn,
            "cloudwatch_logging_options": {
                "enabled": True,
                "log_group_name": log_group.name,
                "log_stream_name": log_stream.name,
            },
        }
        if args.record_format == "parquet":
            destination["data_format_conversion_configuration"] = self._parquet_conversion(role, catalog)
            destination["file_extension"] = PARQUET_FILE_EXTENSION
        else:
            destination["processing_configuration"] = {
                "enabled": True,
                "processors": [{"type": APPEND_DELIMITER_PROCESSOR}],
            }
        return aws.kinesis.FirehoseDeliveryStream(
            self._names.delivery_stream,
            destination="extended_s3",
            kinesis_source_configuration={"kinesis_stream_arn": stream.arn, "role_arn": role.arn},
            extended_s3_configuration=destination,
            tags=self._tags,
            # Firehose checks the role's permissions when it is created: the policy must exist first; conversion
            # reads the table's definition.
            opts=self._child(depends_on=[role_policy, *data.settings, catalog.table]),
        )

    def _parquet_conversion(
        self, role: aws.iam.Role, catalog: QueryCatalog
    ) -> aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationDataFormatConversionConfigurationArgsDict:
        """JSON in, Parquet with Snappy out, with the Glue table's columns (record format conversion:
        https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html). There is no newline processor
        then: Parquet has no lines, and the OpenX deserializer reads each Firehose record as one JSON document,
        lowercasing its keys to match the table's columns (its default, spelled out here). Keys that are not
        columns are dropped, which is why the provenance `_ingest` is a column."""
        return {
            "enabled": True,
            "input_format_configuration": {"deserializer": {"open_x_json_ser_de": {"case_insensitive": True}}},
            "output_format_configuration": {
                "serializer": {
                    "parquet_ser_de": {
                        "compression": PARQUET_COMPRESSION,
                        "enable_dictionary_compression": PARQUET_DICTIONARY,
                    }
                }
            },
            "schema_configuration": {
                "database_name": catalog.database_name,
                "table_name": catalog.table_name,
                "role_arn": role.arn,
                "region": self._region,
                "version_id": "LATEST",
            },
        }

    def _producer_policy(self, stream: aws.kinesis.Stream) -> aws.iam.Policy:
        args = self._args
        return aws.iam.Policy(
            f"{self._name}-producer-policy",
            description="Write records to the tracking stream; attach to any producer's role",
            policy=pulumi.Output.all(stream_arn=stream.arn, kms_key_arn=args.kms_key_arn, region=self._region).apply(
                lambda resolved: json.dumps(iam.producer_policy(**resolved))
            ),
            tags=self._tags,
            opts=self._child(),
        )

    def _http_endpoint(self, stream: aws.kinesis.Stream) -> TrackingEndpoint:
        return TrackingEndpoint(
            f"{self._name}-endpoint",
            TrackingEndpointArgs(stream_name=stream.name, stream_arn=stream.arn, settings=self._args, tags=self._tags),
            opts=self._child(),
        )

    def _access_logging(self, *logged: _LoggedBucket) -> _ProtectedBucket:
        """S3 server access logs of the data bucket and of Athena's results bucket (which holds copies of the data),
        each under its own prefix. S3 server access logs can only be delivered to an
        SSE-S3 bucket, so the log bucket never uses the customer key; it gets every other protection of the data
        bucket, and an expiry (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html)."""
        args = self._args
        log_name = f"{self._name}-access-logs"

        def policy_for(log_bucket: aws.s3.Bucket) -> pulumi.Output[str]:
            return pulumi.Output.all(
                log_bucket_arn=log_bucket.arn,
                source_bucket_arns=pulumi.Output.all(*(source.bucket.arn for source in logged)),
                account_id=self._account_id,
            ).apply(lambda resolved: json.dumps(iam.access_log_bucket_policy(**resolved)))

        logs = self._protected_bucket(log_name, kms_key_arn=None, policy_for=policy_for)
        aws.s3.BucketLifecycleConfiguration(
            f"{log_name}-lifecycle",
            bucket=logs.bucket.id,
            rules=[
                {
                    "id": "expire-access-logs",
                    "status": "Enabled",
                    "filter": {},
                    "expiration": {"days": args.access_log_expiration_days},
                    "noncurrent_version_expiration": {"noncurrent_days": 1},
                },
                ABORT_INCOMPLETE_UPLOADS_RULE,
            ],
            opts=_settings_of(logs.bucket),
        )
        for source in logged:
            aws.s3.BucketLogging(
                source.resource_name,
                bucket=source.bucket.id,
                target_bucket=logs.bucket.id,
                target_prefix=source.target_prefix,
                opts=pulumi.ResourceOptions.merge(
                    _settings_of(source.bucket), pulumi.ResourceOptions(depends_on=logs.settings)
                ),
            )
        return logs

    def _alarms(
        self, stream: aws.kinesis.Stream, delivery: aws.kinesis.FirehoseDeliveryStream
    ) -> list[aws.cloudwatch.MetricAlarm]:
        """Each alarm answers one operator question: are producers throttled, is Firehose keeping up, is data
        landing. Thresholds follow from the buffering settings so a slow buffer does not page anyone. Every metric
        is one the stream or a Kinesis-sourced Firehose actually publishes."""
        args = self._args
        freshness = args.data_freshness_threshold_seconds
        stream_dims = {"StreamName": stream.name}
        delivery_dims = {"DeliveryStreamName": delivery.name}
        specs = [
            AlarmSpec(
                "iterator-age",
                "AWS/Kinesis",
                ("GetRecords.IteratorAgeMilliseconds",),
                stream_dims,
                "Maximum",
                "GreaterThanThreshold",
                freshness * 1000,
                1,
                "Firehose is falling behind the stream: records wait longer than the freshness target",
            ),
            AlarmSpec(
                "write-throttled",
                "AWS/Kinesis",
                ("WriteProvisionedThroughputExceeded",),
                stream_dims,
                "Sum",
                "GreaterThanThreshold",
                0,
                3,
                "Producers were throttled for 15 minutes: add shards or switch to ON_DEMAND",
            ),
            AlarmSpec(
                "read-throttled",
                "AWS/Kinesis",
                ("ReadProvisionedThroughputExceeded",),
                stream_dims,
                "Sum",
                "GreaterThanThreshold",
                0,
                3,
                "Stream reads were throttled for 15 minutes: too many consumers share the shards",
            ),
            AlarmSpec(
                "data-freshness",
                "AWS/Firehose",
                ("DeliveryToS3.DataFreshness",),
                delivery_dims,
                "Maximum",
                "GreaterThanThreshold",
                freshness,
                1,
                f"Oldest undelivered record is older than {freshness} s (2 x buffering interval + 300 s)",
            ),
            AlarmSpec(
                "delivery-success",
                "AWS/Firehose",
                ("DeliveryToS3.Success",),
                delivery_dims,
                "Minimum",
                "LessThanThreshold",
                1,
                1,
                "Some deliveries to S3 failed: see the delivery log group and the error prefix",
            ),
            AlarmSpec(
                "source-throttled",
                "AWS/Firehose",
                FIREHOSE_SOURCE_THROTTLE_METRICS,
                delivery_dims,
                "Sum",
                "GreaterThanThreshold",
                0,
                3,
                "Firehose's reads of the stream (GetRecords, GetShardIterator, DescribeStream) were throttled for "
                "15 minutes: other consumers share the shards' read limits",
            ),
        ]
        return [
            metric_alarm(self._name, spec, topic_arn=args.alarm_topic_arn, tags=self._tags, opts=self._child())
            for spec in specs
        ]


def _settings_of(bucket: aws.s3.Bucket) -> pulumi.ResourceOptions:
    """Options of a bucket's settings (public-access block, encryption, policy, lifecycle...): parented to the
    bucket, but never protected. A child inherits `protect` from its parent
    (https://www.pulumi.com/docs/iac/concepts/resources/options/protect/), and a protected setting could not be
    replaced or removed (a changed encryption rule, a lifecycle switched off) without unprotecting it by hand."""
    return pulumi.ResourceOptions(parent=bucket, protect=False)
