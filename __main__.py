"""The tracking-pipeline program: read this stack's config, build one TrackingPipeline (and, when the stack enables it,
the IngestJob that pulls the source into it), export their outputs."""

import pulumi
from pulumi.runtime import config as runtime_config

from components import TrackingPipeline
from components.core.stack_config import INGEST_JOB_NAME, PIPELINE_NAME, PROJECT, job_args_from_config, stack_args


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


config = read_pulumi_config()
args = stack_args(config, pulumi.get_stack())
job_args = job_args_from_config(config)
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
if job_args is not None:
    from components import IngestJob, IngestJobTarget

    job = IngestJob(INGEST_JOB_NAME, IngestJobTarget.of_pipeline(pipeline, args), job_args)
    pulumi.export("ingestQueueUrl", job.ingest_queue_url)
    pulumi.export("ingestDlqUrl", job.ingest_dlq_url)
    pulumi.export("ledgerTableName", job.ledger_table_name)
    pulumi.export("plannerFunctionName", job.planner_function_name)
    pulumi.export("workerFunctionName", job.worker_function_name)
    pulumi.export("ingestReportPrefix", job.report_prefix)
