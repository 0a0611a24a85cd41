"""The dev stack's pipeline, created on the emulator through the AWS APIs Pulumi would call.

Everything comes from the dev stack's own settings (`args_from_config(read_stack_file("dev"))`) and from the
helpers the component itself uses (`PipelineNames`, `components.core.layout`, `components.core.iam`), so the
local pipeline has the stack's names, prefixes, buffering, compression, processor, shard count and retention.
Names are the component's logical names: Pulumi adds a random suffix in AWS, the emulator needs none.

What moto stores but does not enforce, so the demo cannot prove it:
- IAM: the Firehose role, its trust and delivery policies and the producer policy are created and can be read
  back, but moto evaluates no IAM policy, and nothing assumes the role (the relay uses the demo's credentials).
- Bucket protections: the public access block and BucketOwnerEnforced ownership are stored, not enforced.
  Default encryption and versioning do take effect: objects report SSE AES256, overwrites keep versions.
- The TLS-only bucket policy (`components.core.iam.data_bucket_policy`) is NOT applied: moto 5.2.5 cannot evaluate
  policy conditions and treats a statement whose condition it cannot check as a denial, so that Deny
  (condition aws:SecureTransport=false) would refuse every object request; the emulator speaks plain HTTP in
  any case.
- Stream encryption with alias/aws/kinesis and the enhanced shard-level metrics are recorded only.
- The delivery stream is stored, but moto never reads a Kinesis source: the relay (`ingest.local.firehose_standin`)
  stands in for Firehose (and, with `record_format: parquet`, for its format conversion, reading the Glue table).
- The Glue database and table (columns, partition keys, projection parameters) and the Athena workgroup and named
  queries are stored and can be read back; moto runs no Athena query, so `python -m ingest query` runs the same
  SQL with DuckDB over the delivered objects instead.
Not created at all: the lifecycle rules, the access-log bucket and the CloudWatch alarms (moto neither ages
objects nor evaluates alarms, so they would show nothing); nor the tracking endpoint: moto's API Gateway does not
run integrations, so the demo serves the stand-in (`ingest.local.gateway`) instead, and its URL becomes the
`trackingEndpointUrl` output once it is serving.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from components.core import stack_outputs
from components.core.catalog import (
    PARQUET_COMPRESSION,
    PARQUET_DICTIONARY,
    PARQUET_FILE_EXTENSION,
    QUERY_RESULTS_PREFIX,
    STORAGE_FORMATS,
    partition_keys,
    table_columns,
    table_parameters,
)
from components.core.data_dictionary import load_record_schema
from components.core.iam import firehose_delivery_policy, firehose_trust_policy, glue_table_arns, producer_policy
from components.core.layout import APPEND_DELIMITER_PROCESSOR, delivery_prefix, error_output_prefix
from components.core.named_queries import load_named_queries
from components.core.naming import (
    AWS_MANAGED_KINESIS_KEY,
    DELIVERY_LOG_STREAM,
    CatalogNames,
    PipelineNames,
    pipeline_tags,
)
from components.core.settings import TrackingPipelineArgs
from components.core.stack_config import PIPELINE_NAME, args_from_config
from ingest.local.emulator import DEMO_STACK
from ingest.local.gateway import LOCAL_API_ID, LOCAL_API_KEY_ID
from ingest.local.stack_file import read_stack_file

ClientFactory = Callable[[str], Any]
"""service name -> boto3 client (`Emulator.client`)."""

"""The one processor the component configures (components/tracking_pipeline.py, `_delivery_stream`)."""


def dev_stack_args() -> TrackingPipelineArgs:
    """The dev stack's arguments, read from Pulumi.dev.yaml exactly as the Pulumi program reads them."""
    return args_from_config(read_stack_file(DEMO_STACK))


@dataclass(frozen=True)
class LocalPipeline:
    """The provisioned pipeline: its settings, names and ARNs."""

    args: TrackingPipelineArgs
    names: PipelineNames
    region: str
    stream_arn: str
    bucket_arn: str
    delivery_stream_arn: str
    firehose_role_arn: str
    producer_policy_arn: str
    catalog: CatalogNames
    endpoint_url: str | None = None
    """Where the endpoint stand-in serves, once it does (`serving(url)`)."""

    def serving(self, endpoint_url: str) -> LocalPipeline:
        return replace(self, endpoint_url=endpoint_url)

    def outputs(self) -> dict[str, object]:
        """The stack outputs, as `pulumi stack output --json` prints them for a deployed stack. With the endpoint
        enabled, `trackingEndpointUrl` is None until the stand-in serves it."""
        return {**self._pipeline_outputs(), **self._endpoint_outputs()}

    def _endpoint_outputs(self) -> dict[str, object]:
        if not self.args.enable_http_endpoint:
            return {}
        outputs: dict[str, object] = {
            stack_outputs.TRACKING_ENDPOINT_URL.key: self.endpoint_url,
            stack_outputs.TRACKING_API_ID.key: LOCAL_API_ID,
        }
        if self.args.uses_api_keys:
            outputs[stack_outputs.API_KEY_ID.key] = LOCAL_API_KEY_ID
        return outputs

    def _pipeline_outputs(self) -> dict[str, object]:
        return {
            stack_outputs.STREAM_NAME.key: self.names.stream,
            stack_outputs.STREAM_ARN.key: self.stream_arn,
            stack_outputs.DELIVERY_STREAM_NAME.key: self.names.delivery_stream,
            stack_outputs.DELIVERY_STREAM_ARN.key: self.delivery_stream_arn,
            stack_outputs.BUCKET_NAME.key: self.names.bucket,
            stack_outputs.BUCKET_ARN.key: self.bucket_arn,
            stack_outputs.DELIVERY_PREFIX.key: self.args.data_prefix,
            stack_outputs.ERROR_PREFIX.key: self.args.error_prefix,
            stack_outputs.FIREHOSE_ROLE_ARN.key: self.firehose_role_arn,
            stack_outputs.PRODUCER_POLICY_ARN.key: self.producer_policy_arn,
            stack_outputs.LOG_GROUP_NAME.key: self.names.log_group,
            stack_outputs.REGION.key: self.region,
            stack_outputs.BUFFERING_INTERVAL_SECONDS.key: self.args.buffering_interval_seconds,
            stack_outputs.GLUE_DATABASE_NAME.key: self.catalog.database,
            stack_outputs.GLUE_TABLE_NAME.key: self.catalog.table,
            stack_outputs.ATHENA_WORKGROUP_NAME.key: self.catalog.workgroup,
        }


def provision(
    clients: ClientFactory,
    *,
    region: str,
    args: TrackingPipelineArgs | None = None,
    pipeline_name: str = PIPELINE_NAME,
) -> LocalPipeline:
    """Create stream, bucket, log group, role, producer policy and delivery stream, in the order Pulumi
    resolves their dependencies. `args` defaults to the dev stack's."""
    args = args if args is not None else dev_stack_args()
    # Resources carry the component's tags (the stack's plus the pipeline name), as Pulumi would apply them.
    tagged = replace(args, tags=pipeline_tags(pipeline_name, _tags(args)))
    names = PipelineNames.for_pipeline(pipeline_name)
    catalog = CatalogNames.for_pipeline(pipeline_name, DEMO_STACK)
    account = clients("sts").get_caller_identity()["Account"]
    stream_arn = _stream(clients("kinesis"), names, tagged)
    bucket_arn = _bucket(clients("s3"), names.bucket, region, tagged)
    results_bucket = _bucket(clients("s3"), names.query_results_bucket, region, tagged)
    _catalog(clients("glue"), clients("athena"), catalog, tagged, names.bucket, results_bucket, account)
    log_stream_arn = _delivery_logs(clients("logs"), names, tagged)
    iam = clients("iam")
    glue_arns = (
        glue_table_arns(region=region, account_id=account, database=catalog.database, table=catalog.table)
        if args.record_format == "parquet"
        else None
    )
    role_arn = _firehose_role(
        iam, pipeline_name, names, tagged, account, region, stream_arn, bucket_arn, log_stream_arn, glue_arns
    )
    producer_arn = iam.create_policy(
        PolicyName=f"{pipeline_name}-producer-policy",
        Description="Write records to the tracking stream; attach to any producer's role",
        PolicyDocument=json.dumps(producer_policy(stream_arn=stream_arn, kms_key_arn=_kms_key(args), region=region)),
    )["Policy"]["Arn"]
    delivery_arn = _delivery_stream(clients("firehose"), names, catalog, tagged, stream_arn, bucket_arn, role_arn)
    return LocalPipeline(
        args=args,
        names=names,
        region=region,
        stream_arn=stream_arn,
        bucket_arn=bucket_arn,
        delivery_stream_arn=delivery_arn,
        firehose_role_arn=role_arn,
        producer_policy_arn=producer_arn,
        catalog=catalog,
    )


def _kms_key(args: TrackingPipelineArgs) -> str | None:
    """A stack file holds plain strings, never Pulumi outputs."""
    return str(args.kms_key_arn) if args.kms_key_arn is not None else None


def _tags(args: TrackingPipelineArgs) -> dict[str, str]:
    return dict(args.tags) if isinstance(args.tags, Mapping) else {}


def _stream(kinesis: Any, names: PipelineNames, args: TrackingPipelineArgs) -> str:
    capacity = {"ShardCount": args.shard_count} if args.stream_mode == "PROVISIONED" else {}
    kinesis.create_stream(StreamName=names.stream, StreamModeDetails={"StreamMode": args.stream_mode}, **capacity)
    kinesis.get_waiter("stream_exists").wait(StreamName=names.stream, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    if args.retention_hours > 24:
        kinesis.increase_stream_retention_period(StreamName=names.stream, RetentionPeriodHours=args.retention_hours)
    kinesis.start_stream_encryption(
        StreamName=names.stream, EncryptionType="KMS", KeyId=_kms_key(args) or AWS_MANAGED_KINESIS_KEY
    )
    kinesis.enable_enhanced_monitoring(StreamName=names.stream, ShardLevelMetrics=list(args.shard_level_metrics))
    if tags := _tags(args):
        kinesis.add_tags_to_stream(StreamName=names.stream, Tags=tags)
    return str(kinesis.describe_stream_summary(StreamName=names.stream)["StreamDescriptionSummary"]["StreamARN"])


def _bucket(s3: Any, bucket: str, region: str, args: TrackingPipelineArgs) -> str:
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **location)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    kms_key = _kms_key(args)
    default: dict[str, str] = {"SSEAlgorithm": "AES256"}
    if kms_key is not None:
        default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": kms_key}
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": kms_key is not None}]
        },
    )
    if args.enable_versioning:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    if tags := _tags(args):
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})
    return f"arn:aws:s3:::{bucket}"


def _delivery_logs(logs: Any, names: PipelineNames, args: TrackingPipelineArgs) -> str:
    logs.create_log_group(logGroupName=names.log_group, tags=_tags(args))
    logs.put_retention_policy(logGroupName=names.log_group, retentionInDays=args.log_retention_days)
    logs.create_log_stream(logGroupName=names.log_group, logStreamName=DELIVERY_LOG_STREAM)
    streams = logs.describe_log_streams(logGroupName=names.log_group, logStreamNamePrefix=DELIVERY_LOG_STREAM)
    return str(streams["logStreams"][0]["arn"])


def _firehose_role(
    iam: Any,
    pipeline_name: str,
    names: PipelineNames,
    args: TrackingPipelineArgs,
    account: str,
    region: str,
    stream_arn: str,
    bucket_arn: str,
    log_stream_arn: str,
    glue_arns: list[str] | None,
) -> str:
    role = iam.create_role(
        RoleName=names.firehose_role,
        Description="Assumed by Firehose to read the tracking stream and write the tracking bucket",
        AssumeRolePolicyDocument=json.dumps(firehose_trust_policy(account)),
        Tags=[{"Key": k, "Value": v} for k, v in _tags(args).items()],
    )["Role"]
    policy = firehose_delivery_policy(
        stream_arn=stream_arn,
        bucket_arn=bucket_arn,
        object_prefixes=[args.data_prefix, args.error_prefix],
        log_stream_arn=log_stream_arn,
        kms_key_arn=_kms_key(args),
        region=region,
        glue_table_arns=glue_arns,
    )
    iam.put_role_policy(
        RoleName=names.firehose_role, PolicyName=f"{pipeline_name}-firehose-policy", PolicyDocument=json.dumps(policy)
    )
    return str(role["Arn"])


def _catalog(
    glue: Any,
    athena: Any,
    names: CatalogNames,
    args: TrackingPipelineArgs,
    bucket: str,
    results_bucket_arn: str,
    account: str,
) -> None:
    """The Glue database and table and the Athena workgroup and named queries, as `components.catalog` declares
    them (moto stores them; it runs no query)."""
    storage = STORAGE_FORMATS[args.record_format]
    location = f"s3://{bucket}/{args.data_prefix}"
    glue.create_database(DatabaseInput={"Name": names.database}, Tags=_tags(args))
    glue.create_table(
        DatabaseName=names.database,
        TableInput={
            "Name": names.table,
            "TableType": "EXTERNAL_TABLE",
            "Parameters": table_parameters(args.record_format, location),
            "PartitionKeys": [{"Name": k.name, "Type": k.type, "Comment": k.comment} for k in partition_keys()],
            "StorageDescriptor": {
                "Location": location,
                "InputFormat": storage.input_format,
                "OutputFormat": storage.output_format,
                "SerdeInfo": {
                    "Name": storage.classification,
                    "SerializationLibrary": storage.serialization_library,
                    "Parameters": dict(storage.serde_parameters),
                },
                "Columns": [
                    {"Name": c.name, "Type": c.type, "Comment": c.comment} for c in table_columns(load_record_schema())
                ],
            },
        },
    )
    results_bucket = results_bucket_arn.split(":::", 1)[-1]
    athena.create_work_group(
        Name=names.workgroup,
        Configuration={
            "EnforceWorkGroupConfiguration": True,
            "PublishCloudWatchMetricsEnabled": True,
            "BytesScannedCutoffPerQuery": args.athena_bytes_scanned_cutoff_mb * 1_000_000,
            "ResultConfiguration": {
                "OutputLocation": f"s3://{results_bucket}/{QUERY_RESULTS_PREFIX}",
                "EncryptionConfiguration": {"EncryptionOption": "SSE_S3"}
                if _kms_key(args) is None
                else {"EncryptionOption": "SSE_KMS", "KmsKey": _kms_key(args)},
                "ExpectedBucketOwner": account,
            },
        },
        Tags=[{"Key": k, "Value": v} for k, v in _tags(args).items()],
    )
    for query in load_named_queries():
        athena.create_named_query(
            Name=query.name,
            Description=query.description,
            Database=names.database,
            QueryString=query.render(names.qualified_table()),
            WorkGroup=names.workgroup,
        )


def _delivery_stream(
    firehose: Any,
    names: PipelineNames,
    catalog: CatalogNames,
    args: TrackingPipelineArgs,
    stream_arn: str,
    bucket_arn: str,
    role_arn: str,
) -> str:
    destination: dict[str, Any] = {
        "RoleARN": role_arn,
        "BucketARN": bucket_arn,
        "Prefix": delivery_prefix(args.data_prefix),
        "ErrorOutputPrefix": error_output_prefix(args.error_prefix),
        "BufferingHints": {"SizeInMBs": args.buffering_size_mb, "IntervalInSeconds": args.buffering_interval_seconds},
        "CompressionFormat": args.compression,
        "CloudWatchLoggingOptions": {
            "Enabled": True,
            "LogGroupName": names.log_group,
            "LogStreamName": DELIVERY_LOG_STREAM,
        },
    }
    if args.record_format == "parquet":
        # As components/tracking_pipeline.py `_parquet_conversion` configures it.
        destination["DataFormatConversionConfiguration"] = {
            "Enabled": True,
            "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {"CaseInsensitive": True}}},
            "OutputFormatConfiguration": {
                "Serializer": {
                    "ParquetSerDe": {
                        "Compression": PARQUET_COMPRESSION,
                        "EnableDictionaryCompression": PARQUET_DICTIONARY,
                    }
                }
            },
            "SchemaConfiguration": {
                "DatabaseName": catalog.database,
                "TableName": catalog.table,
                "RoleARN": role_arn,
                "VersionId": "LATEST",
            },
        }
        destination["FileExtension"] = PARQUET_FILE_EXTENSION
    else:
        destination["ProcessingConfiguration"] = {
            "Enabled": True,
            "Processors": [{"Type": APPEND_DELIMITER_PROCESSOR}],
        }
    if (kms_key := _kms_key(args)) is not None:
        destination["EncryptionConfiguration"] = {"KMSEncryptionConfig": {"AWSKMSKeyARN": kms_key}}
    tags = [{"Key": k, "Value": v} for k, v in _tags(args).items()]
    return str(
        firehose.create_delivery_stream(
            DeliveryStreamName=names.delivery_stream,
            DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={"KinesisStreamARN": stream_arn, "RoleARN": role_arn},
            ExtendedS3DestinationConfiguration=destination,
            **({"Tags": tags} if tags else {}),
        )["DeliveryStreamARN"]
    )
