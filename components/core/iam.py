"""Every IAM document the component creates, built in one place from plain (resolved) ARNs.

Keeping them as pure functions of strings lets the tests lint exactly what AWS will receive, and keeps the
least-privilege reasoning next to each statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PolicyDocument = dict[str, Any]

FIREHOSE_READ_STREAM_ACTIONS = [
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
]
FIREHOSE_BUCKET_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
FIREHOSE_OBJECT_ACTIONS = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"]
FIREHOSE_GLUE_ACTIONS = ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"]
"""What Firehose needs to read the table it converts records with ("Grant Firehose access to AWS Glue for data
format conversion": https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-glue)."""
PRODUCER_ACTIONS = ["kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:PutRecord", "kinesis:PutRecords"]
"""What `publish` calls: DescribeStreamSummary to check the stream, ListShards for the shard map the shard-aware
publisher routes by, PutRecords (PutRecord for single sends). ListShards takes the stream ARN as its resource
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesis.html)."""
ENDPOINT_STREAM_ACTIONS = ["kinesis:PutRecord", "kinesis:PutRecords"]
API_GATEWAY_LOGS_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
"""AWS's managed policy for API Gateway's account-wide logging role: that role writes the logs of every REST API
in the account and region, so it cannot be scoped to this pipeline's log group."""
XRAY_WRITE_POLICY_ARN = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
"""What a function with active tracing needs to send its traces ("add the AWSXRayDaemonWriteAccess policy to the
execution role", https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html). X-Ray's actions take no
resource ARN, so they can only be granted on "*": AWS's managed policy says so, not an inline document of ours."""


def _document(*statements: dict[str, Any]) -> PolicyDocument:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _via(service: str, region: str) -> str:
    """The kms:ViaService value of an AWS service calling KMS on a principal's behalf in `region`."""
    return f"{service}.{region}.amazonaws.com"


def _encrypt_with_customer_key(kms_key_arn: str | None, *, stream_arn: str, region: str) -> list[dict[str, Any]]:
    """Writers to a stream encrypted with a customer key need GenerateDataKey on it (the AWS-managed key needs no
    grant: https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html), and only as Kinesis
    calls KMS for them, for this stream: kms:ViaService and the encryption context Kinesis sends, the stream ARN
    ("Kinesis Data Streams encryption context", same page)."""
    if kms_key_arn is None:
        return []
    return [
        {
            "Sid": "EncryptWithCustomerKey",
            "Effect": "Allow",
            "Action": "kms:GenerateDataKey",
            "Resource": kms_key_arn,
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": _via("kinesis", region),
                    "kms:EncryptionContext:aws:kinesis:arn": stream_arn,
                }
            },
        }
    ]


def firehose_trust_policy(account_id: str) -> PolicyDocument:
    """Only Firehose, and only on behalf of this account: the ExternalId condition is AWS's documented guard
    against a confused deputy (another account's delivery stream being pointed at this role)."""
    return _document(
        {
            "Sid": "FirehoseAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "firehose.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": account_id}},
        }
    )


def apigateway_trust_policy() -> PolicyDocument:
    """API Gateway may assume the role, with no condition: the trust policy AWS documents for an integration's
    credentials role and for the account's CloudWatch Logs role ("Control access to a REST API with IAM
    permissions", https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html).

    No aws:SourceAccount or aws:SourceArn condition: API Gateway does not put these keys in the request context
    when it assumes an integration's credentials role, so such a condition never matches, the AssumeRole is denied
    and every call fails with 500 "API Gateway does not have permission to assume the provided role" (seen in
    aws-solutions-library-samples/accelerated-intelligent-document-processing-on-aws#479). What the role may do is
    confined by its permissions instead: the integration role can only put records into one stream."""
    return _document(
        {
            "Sid": "ApiGatewayAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )


def endpoint_stream_policy(*, stream_arn: str, kms_key_arn: str | None, region: str) -> PolicyDocument:
    """What the endpoint's integration may do: put records into this one stream, nothing else (not even
    describe it), and encrypt them with the customer key when there is one."""
    return _document(
        {"Sid": "PutTrackingRecords", "Effect": "Allow", "Action": ENDPOINT_STREAM_ACTIONS, "Resource": stream_arn},
        *_encrypt_with_customer_key(kms_key_arn, stream_arn=stream_arn, region=region),
    )


def glue_table_arns(*, region: str, account_id: str, database: str, table: str) -> list[str]:
    """A Glue table's ARN and the ARNs of the catalog and database that contain it: Glue authorizes a table
    action against all three (https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html)."""
    prefix = f"arn:aws:glue:{region}:{account_id}"
    return [f"{prefix}:catalog", f"{prefix}:database/{database}", f"{prefix}:table/{database}/{table}"]


def firehose_delivery_policy(
    *,
    stream_arn: str,
    bucket_arn: str,
    object_prefixes: list[str],
    log_stream_arn: str,
    kms_key_arn: str | None,
    region: str,
    glue_table_arns: list[str] | None = None,
) -> PolicyDocument:
    """What Firehose needs to read the stream and write the bucket, each statement scoped to one resource.

    Object writes are limited to the data and error prefixes, so the role cannot touch anything else that
    may later share the bucket. A customer key is usable only through the service that needs it, for this stream or
    bucket (kms:ViaService and the encryption context), as AWS's own Firehose role policy does ("Grant Firehose
    access to an Amazon S3 destination", https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html).
    `glue_table_arns` (`glue_table_arns()`), only when Firehose converts records to Parquet: read access to that
    one table's definition, nothing else in the catalog.
    """
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ReadSourceStream",
            "Effect": "Allow",
            "Action": FIREHOSE_READ_STREAM_ACTIONS,
            "Resource": stream_arn,
        },
        {
            "Sid": "LocateDestinationBucket",
            "Effect": "Allow",
            "Action": FIREHOSE_BUCKET_ACTIONS,
            "Resource": bucket_arn,
        },
        {
            "Sid": "WriteDeliveredObjects",
            "Effect": "Allow",
            "Action": FIREHOSE_OBJECT_ACTIONS,
            "Resource": [f"{bucket_arn}/{prefix}*" for prefix in object_prefixes],
        },
        {
            "Sid": "LogDeliveryErrors",
            "Effect": "Allow",
            "Action": "logs:PutLogEvents",
            "Resource": log_stream_arn,
        },
    ]
    if glue_table_arns:
        statements.append(
            {
                "Sid": "ReadConversionSchema",
                "Effect": "Allow",
                "Action": FIREHOSE_GLUE_ACTIONS,
                "Resource": glue_table_arns,
            }
        )
    if kms_key_arn is not None:
        statements += [
            {
                "Sid": "DecryptSourceStream",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": kms_key_arn,
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": _via("kinesis", region),
                        "kms:EncryptionContext:aws:kinesis:arn": stream_arn,
                    }
                },
            },
            {
                "Sid": "EncryptDeliveredObjects",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": kms_key_arn,
                "Condition": {
                    "StringEquals": {"kms:ViaService": _via("s3", region)},
                    "StringLike": {
                        "kms:EncryptionContext:aws:s3:arn": s3_encryption_contexts(bucket_arn, object_prefixes)
                    },
                },
            },
        ]
    return _document(*statements)


def s3_encryption_contexts(bucket_arn: str, object_prefixes: list[str]) -> list[str]:
    """The aws:s3:arn encryption context S3 sends KMS for objects Firehose writes: the bucket ARN when the bucket
    uses an S3 Bucket Key (the component always turns it on with a customer key: "S3 Bucket Keys use the bucket ARN
    as encryption context", https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html), the object ARN
    when a request asks for SSE-KMS without one. Both are allowed, objects only under the prefixes Firehose
    writes."""
    return [bucket_arn, *(f"{bucket_arn}/{prefix}*" for prefix in object_prefixes)]


def producer_policy(*, stream_arn: str, kms_key_arn: str | None, region: str) -> PolicyDocument:
    """Write-only access to this one stream, for any application (desktop, mobile backend, batch job)."""
    return _document(
        {"Sid": "WriteStream", "Effect": "Allow", "Action": PRODUCER_ACTIONS, "Resource": stream_arn},
        *_encrypt_with_customer_key(kms_key_arn, stream_arn=stream_arn, region=region),
    )


def tls_only_statement(bucket_arn: str) -> dict[str, Any]:
    """Deny every request made without TLS (AWS Foundational Security Best Practices S3.5)."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def data_bucket_policy(bucket_arn: str) -> PolicyDocument:
    return _document(tls_only_statement(bucket_arn))


def access_log_bucket_policy(
    *, log_bucket_arn: str, source_bucket_arns: Sequence[str], account_id: str
) -> PolicyDocument:
    """With ACLs disabled (BucketOwnerEnforced), S3's logging service is granted by policy, and only for logs of
    our own buckets (the data and query-results buckets) in our own account
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html)."""
    return _document(
        tls_only_statement(log_bucket_arn),
        {
            "Sid": "AllowServerAccessLogDelivery",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{log_bucket_arn}/*",
            "Condition": {
                "ArnLike": {"aws:SourceArn": list(source_bucket_arns)},
                "StringEquals": {"aws:SourceAccount": account_id},
            },
        },
    )


LAMBDA_TRUST_SERVICE = "lambda.amazonaws.com"
SCHEDULER_TRUST_SERVICE = "scheduler.amazonaws.com"
LEDGER_PLANNER_ACTIONS = [
    "dynamodb:BatchGetItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
]
"""Read versions in batches, claim (conditional PutItem), roll a claim back (PutItem/DeleteItem), note a sent claim
(UpdateItem), sweep the unsettled objects (Scan) and requeue or dead-letter them (UpdateItem)."""
LEDGER_WORKER_ACTIONS = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
WORKER_QUEUE_ACTIONS = [
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ReceiveMessage",
]
"""What the event source mapping does with the function's own role ("Execution role permissions",
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html#events-sqs-permissions)."""


def service_trust_policy(service: str, *, account_id: str) -> PolicyDocument:
    """A role only `service` assumes, and only on behalf of this account (EventBridge Scheduler sends
    aws:SourceAccount: https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role;
    Lambda assumes function roles without such keys, so Lambda's trust has none:
    https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html)."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if service == SCHEDULER_TRUST_SERVICE:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": account_id}}
    return _document(statement)


def _function_logs(log_group_arn: str) -> dict[str, Any]:
    """Lambda writes a function's logs with its role: streams in its own log group only."""
    return {
        "Sid": "WriteOwnLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"{log_group_arn}:*",
    }


def _list_source(source_bucket: str, source_prefix: str) -> dict[str, Any]:
    """ListObjectsV2 needs s3:ListBucket, with or without StartAfter (how the planner resumes a listing); the
    request's Prefix is still the source prefix, so the `s3:prefix` condition holds for a resumed listing too:
    https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html"""
    return {
        "Sid": "ListSourcePrefix",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": f"arn:aws:s3:::{source_bucket}",
        "Condition": {"StringLike": {"s3:prefix": [f"{source_prefix}*"]}},
    }


def _job_key(kms_key_arn: str | None, services: list[str], region: str) -> list[dict[str, Any]]:
    """With a customer key, the queue, the ledger, the stream and the report objects are encrypted with it: the
    functions may use it only through those services (kms:ViaService,
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service)."""
    if kms_key_arn is None:
        return []
    return [
        {
            "Sid": "UseCustomerKeyThroughJobServices",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": kms_key_arn,
            "Condition": {"StringEquals": {"kms:ViaService": [_via(service, region) for service in services]}},
        }
    ]


def planner_policy(
    *,
    source_bucket: str,
    source_prefix: str,
    table_arn: str,
    queue_arn: str,
    planner_arn: str,
    failed_runs_queue_arn: str,
    log_group_arn: str,
    kms_key_arn: str | None,
    region: str,
) -> PolicyDocument:
    """List the source (ETag and size come with the listing), claim in the ledger, send to the queue, and invoke
    itself to continue a long listing. Lambda sends the record of an asynchronous run that failed every retry to
    the on-failure destination with the function's own role
    (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html)."""
    return _document(
        _list_source(source_bucket, source_prefix),
        {"Sid": "Ledger", "Effect": "Allow", "Action": LEDGER_PLANNER_ACTIONS, "Resource": table_arn},
        {"Sid": "Enqueue", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn},
        {"Sid": "RecordFailedRuns", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": failed_runs_queue_arn},
        {"Sid": "ContinueListing", "Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": planner_arn},
        _function_logs(log_group_arn),
        *_job_key(kms_key_arn, ["sqs", "dynamodb"], region),
    )


def worker_policy(
    *,
    source_bucket: str,
    source_prefix: str,
    table_arn: str,
    queue_arn: str,
    stream_arn: str,
    report_bucket_arn: str,
    report_prefix: str,
    log_group_arn: str,
    kms_key_arn: str | None,
    region: str,
) -> PolicyDocument:
    """Read one source object (the source lists its exact key first), publish it to this stream, write its report
    and dead letters under the report prefix only, and take messages off this queue."""
    return _document(
        _list_source(source_bucket, source_prefix),
        {
            "Sid": "ReadSourceObjects",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{source_bucket}/{source_prefix}*",
        },
        {"Sid": "Ledger", "Effect": "Allow", "Action": LEDGER_WORKER_ACTIONS, "Resource": table_arn},
        {"Sid": "ConsumeQueue", "Effect": "Allow", "Action": WORKER_QUEUE_ACTIONS, "Resource": queue_arn},
        {"Sid": "WriteStream", "Effect": "Allow", "Action": PRODUCER_ACTIONS, "Resource": stream_arn},
        {
            "Sid": "WriteReports",
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": f"{report_bucket_arn}/{report_prefix}*",
        },
        _function_logs(log_group_arn),
        *_job_key(kms_key_arn, ["sqs", "dynamodb", "kinesis", "s3"], region),
    )


def scheduler_policy(planner_arn: str) -> PolicyDocument:
    """The schedule's role may start the planner and nothing else."""
    return _document(
        {"Sid": "StartPlanner", "Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": planner_arn}
    )
