"""The tracking-pipeline program: read this stack's config, build one TrackingPipeline, export its outputs."""

import pulumi

from components import TrackingPipeline
from pipeline_config import PIPELINE_NAME, args_from_config, read_pulumi_config

args = args_from_config(read_pulumi_config())
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
if pipeline.tracking_endpoint_url is not None:
    pulumi.export("trackingEndpointUrl", pipeline.tracking_endpoint_url)
if pipeline.tracking_api_id is not None:
    pulumi.export("trackingApiId", pipeline.tracking_api_id)
if pipeline.api_key_id is not None:
    pulumi.export("apiKeyId", pipeline.api_key_id)
