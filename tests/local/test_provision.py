"""The local pipeline is the dev stack's: every setting read back from the emulator equals the stack's."""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import unquote

import pytest

from components.core.iam import firehose_delivery_policy, firehose_trust_policy, producer_policy
from components.core.layout import delivery_prefix, error_output_prefix
from components.core.naming import PipelineNames, pipeline_tags
from components.core.stack_config import PIPELINE_NAME, args_from_config
from components.core.stack_outputs import JOB_OUTPUTS, PIPELINE_OUTPUTS
from ingest.local.firehose_standin import MIB, DeliverySettings
from ingest.local.job_provision import LocalJob, LocalJobSettings
from ingest.local.provision import LocalPipeline, dev_stack_args, provision
from ingest.local.stack_file import read_stack_file

from .conftest import REGION

ARGS = dev_stack_args()
NAMES = PipelineNames.for_pipeline(PIPELINE_NAME)


@pytest.fixture
def pipeline(aws) -> LocalPipeline:
    return provision(aws.client, region=REGION)


def test_dev_stack_args_are_read_from_the_stack_file():
    assert args_from_config(read_stack_file("dev")) == ARGS
    assert ARGS.buffering_size_mb == read_stack_file("dev")["bufferingSizeMb"]


def test_names_are_the_components_names(pipeline):
    assert pipeline.names == NAMES
    assert pipeline.args == ARGS


def test_stream_matches_the_stack(aws, pipeline):
    summary = aws.kinesis.describe_stream_summary(StreamName=NAMES.stream)["StreamDescriptionSummary"]
    assert summary["StreamARN"] == pipeline.stream_arn
    assert summary["StreamModeDetails"]["StreamMode"] == ARGS.stream_mode
    assert summary["OpenShardCount"] == ARGS.shard_count
    assert summary["RetentionPeriodHours"] == ARGS.retention_hours
    assert summary["EncryptionType"] == "KMS"
    assert set(summary["EnhancedMonitoring"][0]["ShardLevelMetrics"]) == set(ARGS.shard_level_metrics)
    tags = aws.kinesis.list_tags_for_stream(StreamName=NAMES.stream)["Tags"]
    assert {tag["Key"]: tag["Value"] for tag in tags} == pipeline_tags(PIPELINE_NAME, ARGS.tags)


def test_delivery_stream_matches_the_stack(aws, pipeline):
    description = aws.firehose.describe_delivery_stream(DeliveryStreamName=NAMES.delivery_stream)[
        "DeliveryStreamDescription"
    ]
    assert description["DeliveryStreamARN"] == pipeline.delivery_stream_arn
    assert description["DeliveryStreamType"] == "KinesisStreamAsSource"
    source = description["Source"]["KinesisStreamSourceDescription"]
    assert source == {"KinesisStreamARN": pipeline.stream_arn, "RoleARN": pipeline.firehose_role_arn}
    s3 = description["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert s3["BucketARN"] == pipeline.bucket_arn
    assert s3["Prefix"] == delivery_prefix(ARGS.data_prefix)
    assert s3["ErrorOutputPrefix"] == error_output_prefix(ARGS.error_prefix)
    assert s3["BufferingHints"] == {
        "SizeInMBs": ARGS.buffering_size_mb,
        "IntervalInSeconds": ARGS.buffering_interval_seconds,
    }
    assert s3["CompressionFormat"] == ARGS.compression
    assert s3["ProcessingConfiguration"] == {"Enabled": True, "Processors": [{"Type": "AppendDelimiterToRecord"}]}
    assert s3["CloudWatchLoggingOptions"]["LogGroupName"] == NAMES.log_group


def test_the_relay_reads_the_stacks_settings_back(aws, pipeline):
    description = aws.firehose.describe_delivery_stream(DeliveryStreamName=NAMES.delivery_stream)
    settings = DeliverySettings.from_description(description["DeliveryStreamDescription"])
    assert settings.bucket == NAMES.bucket
    assert settings.source_stream_arn == pipeline.stream_arn
    assert settings.buffering_bytes == ARGS.buffering_size_mb * MIB
    assert settings.buffering_seconds == ARGS.buffering_interval_seconds
    assert settings.compression == ARGS.compression
    assert settings.append_delimiter


def test_bucket_protections_moto_supports(aws, pipeline):
    s3 = aws.s3
    block = s3.get_public_access_block(Bucket=NAMES.bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    ownership = s3.get_bucket_ownership_controls(Bucket=NAMES.bucket)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    rule = s3.get_bucket_encryption(Bucket=NAMES.bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_bucket_versioning(Bucket=NAMES.bucket).get("Status") == (
        "Enabled" if ARGS.enable_versioning else None
    )
    s3.put_object(Bucket=NAMES.bucket, Key="crypto/probe", Body=b"x")  # writable: no policy moto misreads
    assert s3.head_object(Bucket=NAMES.bucket, Key="crypto/probe")["ServerSideEncryption"] == "AES256"


def test_versioning_follows_the_setting(aws):
    provision(aws.client, region=REGION, args=replace(ARGS, enable_versioning=False))
    assert aws.s3.get_bucket_versioning(Bucket=NAMES.bucket).get("Status") is None


def test_role_and_policies_are_the_components_documents(aws, pipeline):
    iam = aws.client("iam")
    account = aws.client("sts").get_caller_identity()["Account"]
    role = iam.get_role(RoleName=NAMES.firehose_role)["Role"]
    assert role["Arn"] == pipeline.firehose_role_arn
    assert _document(role["AssumeRolePolicyDocument"]) == firehose_trust_policy(account)
    [name] = iam.list_role_policies(RoleName=NAMES.firehose_role)["PolicyNames"]
    inline = iam.get_role_policy(RoleName=NAMES.firehose_role, PolicyName=name)["PolicyDocument"]
    log_stream = aws.client("logs").describe_log_streams(logGroupName=NAMES.log_group)["logStreams"][0]["arn"]
    assert _document(inline) == firehose_delivery_policy(
        stream_arn=pipeline.stream_arn,
        bucket_arn=pipeline.bucket_arn,
        object_prefixes=[ARGS.data_prefix, ARGS.error_prefix],
        log_stream_arn=log_stream,
        kms_key_arn=None,
        region=REGION,
    )
    version = iam.get_policy(PolicyArn=pipeline.producer_policy_arn)["Policy"]["DefaultVersionId"]
    producer = iam.get_policy_version(PolicyArn=pipeline.producer_policy_arn, VersionId=version)["PolicyVersion"]
    assert _document(producer["Document"]) == producer_policy(
        stream_arn=pipeline.stream_arn, kms_key_arn=None, region=REGION
    )


def _document(value: object) -> object:
    """IAM returns documents URL-encoded strings or already parsed, depending on the call."""
    return json.loads(unquote(value)) if isinstance(value, str) else value


def test_log_group_retention_is_the_stacks(aws, pipeline):
    [group] = aws.client("logs").describe_log_groups(logGroupNamePrefix=NAMES.log_group)["logGroups"]
    assert group["retentionInDays"] == ARGS.log_retention_days


def test_outputs_are_the_programs_exports(pipeline):
    exported = {output.key for output in (*PIPELINE_OUTPUTS, *JOB_OUTPUTS)}
    outputs = pipeline.outputs()
    # The ingest job's outputs come from its own local provisioning (ingest.local.job_provision).
    job = set(LocalJob("q", "a", "d", "t", "p", "w", LocalJobSettings()).outputs("b", REGION)) - set(outputs)
    assert set(outputs) | job == exported
    assert outputs["deliveryPrefix"] == ARGS.data_prefix
    assert outputs["errorPrefix"] == ARGS.error_prefix
    assert outputs["bufferingIntervalSeconds"] == ARGS.buffering_interval_seconds
    assert outputs["region"] == REGION
    assert outputs["bucketName"] == NAMES.bucket


def test_on_demand_streams_take_no_shard_count(aws):
    provision(aws.client, region=REGION, args=replace(ARGS, stream_mode="ON_DEMAND"))
    summary = aws.kinesis.describe_stream_summary(StreamName=NAMES.stream)["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"]["StreamMode"] == "ON_DEMAND"
