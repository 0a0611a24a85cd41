"""The tracking-pipeline program: read this stack's config, build one TrackingPipeline, export its outputs."""

import pulumi
from pulumi.runtime import config as runtime_config

from components import TrackingPipeline
from components.core.stack_config import PIPELINE_NAME, PROJECT, stack_args


def read_pulumi_config() -> dict[str, object]:
    """The raw values of the current stack, as the Pulumi engine hands them to the program.

    Every key under the project namespace is read, not only the known ones, so that a misspelt key in a
    stack file fails the preview instead of being silently ignored.
    """
    prefix = f"{PROJECT}:"
    present = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env() or {})
    config = pulumi.Config(PROJECT)
    raw = {key[len(prefix) :]: config.get(key[len(prefix) :]) for key in present if key.startswith(prefix)}
    return {key: value for key, value in raw.items() if value is not None}


args = stack_args(read_pulumi_config(), pulumi.get_stack())
pipeline = TrackingPipeline(PIPELINE_NAME, args=args)

pulumi.export("streamName", pipeline.stream_name)
pulumi.export("streamArn", pipeline.stream_arn)
pulumi.export("deliveryStreamName", pipeline.delivery_stream_name)
pulumi.export("deliveryStreamArn", pipeline.delivery_stream_arn)
pulumi.export("bucketName", pipeline.bucket_name)
pulumi.export("bucketArn", pipeline.bucket_arn)
pulumi.export("deliveryPrefix", pipeline.delivery_prefix)
pulumi.export("errorPrefix", pipeline.error_prefix)
pulumi.export("firehoseRoleArn", pipeline.firehose_role_arn)
pulumi.export("producerPolicyArn", pipeline.producer_policy_arn)
pulumi.export("logGroupName", pipeline.log_group_name)
pulumi.export("region", pipeline.region)
pulumi.export("bufferingIntervalSeconds", pipeline.buffering_interval_seconds)
pulumi.export("glueDatabaseName", pipeline.glue_database_name)
pulumi.export("glueTableName", pipeline.glue_table_name)
pulumi.export("athenaWorkgroupName", pipeline.athena_workgroup_name)
if pipeline.tracking_endpoint_url is not None:
    pulumi.export("trackingEndpointUrl", pipeline.tracking_endpoint_url)
if pipeline.tracking_api_id is not None:
    pulumi.export("trackingApiId", pipeline.tracking_api_id)
if pipeline.api_key_id is not None:
    pulumi.export("apiKeyId", pipeline.api_key_id)
