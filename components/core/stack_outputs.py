"""The program's stack outputs: the one table of their names, next to the config keys (`stack_config`).

Users' stacks and scripts read these names (`pulumi stack output streamName`, `StackReference.require_output`),
so each `key` is a public contract and never changes. The program exports from this table, the ingest tool
(smoke test, `job` operations, local emulator) reads by it, and the docs' Outputs table is checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StackOutput:
    key: str
    """camelCase name of the export, as `pulumi stack output` prints it."""
    attribute: str
    """The component's output attribute it exports (None on the component: not exported)."""


STREAM_NAME = StackOutput("streamName", "stream_name")
STREAM_ARN = StackOutput("streamArn", "stream_arn")
DELIVERY_STREAM_NAME = StackOutput("deliveryStreamName", "delivery_stream_name")
DELIVERY_STREAM_ARN = StackOutput("deliveryStreamArn", "delivery_stream_arn")
BUCKET_NAME = StackOutput("bucketName", "bucket_name")
BUCKET_ARN = StackOutput("bucketArn", "bucket_arn")
DELIVERY_PREFIX = StackOutput("deliveryPrefix", "delivery_prefix")
ERROR_PREFIX = StackOutput("errorPrefix", "error_prefix")
FIREHOSE_ROLE_ARN = StackOutput("firehoseRoleArn", "firehose_role_arn")
PRODUCER_POLICY_ARN = StackOutput("producerPolicyArn", "producer_policy_arn")
LOG_GROUP_NAME = StackOutput("logGroupName", "log_group_name")
REGION = StackOutput("region", "region")
BUFFERING_INTERVAL_SECONDS = StackOutput("bufferingIntervalSeconds", "buffering_interval_seconds")
GLUE_DATABASE_NAME = StackOutput("glueDatabaseName", "glue_database_name")
GLUE_TABLE_NAME = StackOutput("glueTableName", "glue_table_name")
ATHENA_WORKGROUP_NAME = StackOutput("athenaWorkgroupName", "athena_workgroup_name")
TRACKING_ENDPOINT_URL = StackOutput("trackingEndpointUrl", "tracking_endpoint_url")
TRACKING_API_ID = StackOutput("trackingApiId", "tracking_api_id")
API_KEY_ID = StackOutput("apiKeyId", "api_key_id")

INGEST_QUEUE_URL = StackOutput("ingestQueueUrl", "ingest_queue_url")
INGEST_DLQ_URL = StackOutput("ingestDlqUrl", "ingest_dlq_url")
LEDGER_TABLE_NAME = StackOutput("ledgerTableName", "ledger_table_name")
PLANNER_FUNCTION_NAME = StackOutput("plannerFunctionName", "planner_function_name")
WORKER_FUNCTION_NAME = StackOutput("workerFunctionName", "worker_function_name")
INGEST_REPORT_PREFIX = StackOutput("ingestReportPrefix", "report_prefix")

PIPELINE_OUTPUTS: tuple[StackOutput, ...] = (
    STREAM_NAME,
    STREAM_ARN,
    DELIVERY_STREAM_NAME,
    DELIVERY_STREAM_ARN,
    BUCKET_NAME,
    BUCKET_ARN,
    DELIVERY_PREFIX,
    ERROR_PREFIX,
    FIREHOSE_ROLE_ARN,
    PRODUCER_POLICY_ARN,
    LOG_GROUP_NAME,
    REGION,
    BUFFERING_INTERVAL_SECONDS,
    GLUE_DATABASE_NAME,
    GLUE_TABLE_NAME,
    ATHENA_WORKGROUP_NAME,
    TRACKING_ENDPOINT_URL,
    TRACKING_API_ID,
    API_KEY_ID,
)
"""What the TrackingPipeline exports, in export order; the last three only with the endpoint (and its API key)."""
ENDPOINT_OUTPUTS: tuple[StackOutput, ...] = (TRACKING_ENDPOINT_URL, TRACKING_API_ID, API_KEY_ID)
JOB_OUTPUTS: tuple[StackOutput, ...] = (
    INGEST_QUEUE_URL,
    INGEST_DLQ_URL,
    LEDGER_TABLE_NAME,
    PLANNER_FUNCTION_NAME,
    WORKER_FUNCTION_NAME,
    INGEST_REPORT_PREFIX,
)
"""What the IngestJob exports, when the stack enables it."""
