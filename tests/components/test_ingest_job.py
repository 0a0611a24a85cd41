"""IngestJob under Pulumi mocks: every resource, its wiring, the concurrency from the stream, its IAM."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components import TrackingPipeline, TrackingPipelineArgs
from components.core.job import (
    JOB_ENVIRONMENT,
    LAMBDA_RUNTIME,
    LEDGER,
    PLANNER_HANDLER,
    WORKER_BYTES_PER_VCPU,
    WORKER_HANDLER,
    worker_max_concurrency,
)
from components.core.job_settings import IngestJobArgs, IngestJobArgsError, check_report_prefix
from components.ingest_job import IngestJob, IngestJobTarget, LambdaArchiveMissingError, lambda_archive_path
from tests.components.test_iam_lint import CUSTOMER_KEY, _documents, _findings

TOPIC = "arn:aws:sns:ap-southeast-1:123456789012:alarms"


def _job(build: Any, pipeline_args: TrackingPipelineArgs | None = None, args: IngestJobArgs | None = None):
    pipeline_args = pipeline_args or TrackingPipelineArgs()

    def make() -> IngestJob:
        pipeline = TrackingPipeline("tp", args=pipeline_args)
        return IngestJob("tp-ingest", IngestJobTarget.of_pipeline(pipeline, pipeline_args), args)

    return build(make)


def _function(graph: Any, role: str) -> Any:
    return graph.named(f"tp-ingest-{role}-test")


def test_the_queue_redrives_to_the_dlq_and_waits_six_worker_timeouts(build):
    graph, job = _job(build, args=IngestJobArgs(worker_timeout_seconds=120, max_receive_count=4))
    queue, dlq = graph.named("tp-ingest-queue"), graph.named("tp-ingest-dlq")
    assert json.loads(queue.inputs["redrivePolicy"]) == {
        "deadLetterTargetArn": dlq.outputs["arn"],
        "maxReceiveCount": 4,
    }
    assert queue.inputs["visibilityTimeoutSeconds"] == 6 * 120
    assert queue.inputs["sqsManagedSseEnabled"] is True and dlq.inputs["sqsManagedSseEnabled"] is True
    allow = json.loads(graph.one("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy").inputs["redriveAllowPolicy"])
    assert allow == {"redrivePermission": "byQueue", "sourceQueueArns": [queue.outputs["arn"]]}


@pytest.mark.parametrize("key", [None, CUSTOMER_KEY], ids=["sqs-managed-sse", "customer-key"])
def test_every_queue_sends_one_encryption_setting_never_both(build, key):
    """The provider declares sqs_managed_sse_enabled ConflictsWith kms_master_key_id, and an explicit false counts
    as set: with a customer key, only the key is sent."""
    graph, _ = _job(build, TrackingPipelineArgs(kms_key_arn=key))
    queues = graph.of_type("aws:sqs/queue:Queue")
    assert len(queues) == 3
    for queue in queues:
        sent = {name: queue.inputs[name] for name in ("sqsManagedSseEnabled", "kmsMasterKeyId") if name in queue.inputs}
        assert sent == ({"kmsMasterKeyId": key} if key else {"sqsManagedSseEnabled": True}), queue.name


def test_the_ledger_is_keyed_by_object_uri_recoverable_and_encrypted(build):
    graph, _ = _job(build)
    table = graph.one("aws:dynamodb/table:Table").inputs
    assert (table["hashKey"], table["attributes"]) == (LEDGER.key, [{"name": LEDGER.key, "type": "S"}])
    assert table["billingMode"] == "PAY_PER_REQUEST"
    assert table["pointInTimeRecovery"] == {"enabled": True}
    assert table["serverSideEncryption"] == {"enabled": True}, "without a key: the AWS managed key aws/dynamodb"


def test_the_functions_run_the_contract_handlers_with_the_contract_environment(build):
    graph, _ = _job(build)
    planner, worker = _function(graph, "planner"), _function(graph, "worker")
    assert (planner.inputs["handler"], worker.inputs["handler"]) == (PLANNER_HANDLER, WORKER_HANDLER)
    assert planner.inputs["runtime"] == LAMBDA_RUNTIME
    variables = worker.inputs["environment"]["variables"]
    assert set(variables) == set(vars(JOB_ENVIRONMENT).values())
    assert variables[JOB_ENVIRONMENT.planner_function] == "tp-ingest-planner-test" == planner.inputs["name"]
    assert variables[JOB_ENVIRONMENT.queue_url] == graph.named("tp-ingest-queue").outputs["url"]
    assert variables[JOB_ENVIRONMENT.stream_name] == graph.one("aws:kinesis/stream:Stream").outputs["name"]
    assert variables[JOB_ENVIRONMENT.source_uri] == "s3://tgr-hire-devops-test/crypto/01-data-ingestion/"
    assert not graph.of_type("aws:lambda/functionUrl:FunctionUrl")


def test_the_queue_feeds_the_worker_with_partial_batch_responses(build):
    graph, _ = _job(build)
    mapping = graph.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs
    assert mapping["eventSourceArn"] == graph.named("tp-ingest-queue").outputs["arn"]
    assert mapping["functionName"] == _function(graph, "worker").outputs["arn"]
    assert mapping["functionResponseTypes"] == ["ReportBatchItemFailures"]


@pytest.mark.parametrize(("shards", "memory", "expected"), [(1, 1769, 2), (4, 1769, 2), (64, 1769, 3), (64, 885, 6)])
def test_a_provisioned_streams_shards_set_the_workers_concurrency(build, shards, memory, expected):
    graph, job = _job(
        build, TrackingPipelineArgs(shard_count=shards), IngestJobArgs(worker_memory_mb=memory, worker_mib_per_vcpu=22)
    )
    mapping = graph.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs
    assert mapping["scalingConfig"] == {"maximumConcurrency": expected} and job.worker_max_concurrency == expected


def test_an_on_demand_stream_takes_the_concurrency_argument(build):
    graph, job = _job(build, TrackingPipelineArgs(stream_mode="ON_DEMAND"), IngestJobArgs(on_demand_concurrency=25))
    mapping = graph.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs
    assert mapping["scalingConfig"] == {"maximumConcurrency": 25} and job.worker_max_concurrency == 25


def test_the_concurrency_stays_within_what_the_event_source_mapping_accepts():
    assert worker_max_concurrency(shard_count=5000, worker_bytes_per_second=WORKER_BYTES_PER_VCPU / 10) == 1000
    assert worker_max_concurrency(shard_count=1, worker_bytes_per_second=WORKER_BYTES_PER_VCPU) == 2
    with pytest.raises(ValueError, match="on_demand_concurrency"):
        worker_max_concurrency(shard_count=None, worker_bytes_per_second=1)


def test_the_schedule_starts_the_planner_only_when_asked(build):
    graph, _ = _job(build)
    assert not graph.of_type("aws:scheduler/schedule:Schedule")
    graph, _ = _job(build, args=IngestJobArgs(schedule_expression="rate(1 hour)"))
    schedule = graph.one("aws:scheduler/schedule:Schedule").inputs
    planner = _function(graph, "planner")
    assert schedule["scheduleExpression"] == "rate(1 hour)"
    assert schedule["target"]["arn"] == planner.outputs["arn"]
    role = graph.named("tp-ingest-schedule-role")
    assert schedule["target"]["roleArn"] == role.outputs["arn"]
    assert graph.policy(graph.named("tp-ingest-schedule-policy"))["Statement"] == [
        {
            "Sid": "StartPlanner",
            "Effect": "Allow",
            "Action": "lambda:InvokeFunction",
            "Resource": planner.outputs["arn"],
        }
    ]


def test_the_roles_grant_exact_arns(build):
    graph, _ = _job(build)
    stream = graph.one("aws:kinesis/stream:Stream").outputs["arn"]
    table = graph.one("aws:dynamodb/table:Table").outputs["arn"]
    queue = graph.named("tp-ingest-queue").outputs["arn"]
    bucket = graph.named("tp-bucket").outputs["arn"]
    planner = {s["Sid"]: s for s in graph.policy(graph.named("tp-ingest-planner-policy"))["Statement"]}
    worker = {s["Sid"]: s for s in graph.policy(graph.named("tp-ingest-worker-policy"))["Statement"]}
    assert planner["Ledger"]["Resource"] == table == worker["Ledger"]["Resource"]
    assert planner["Enqueue"] == {"Sid": "Enqueue", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue}
    assert planner["ContinueListing"]["Resource"] == _function(graph, "planner").outputs["arn"]
    assert planner["RecordFailedRuns"]["Resource"] == graph.named("tp-ingest-planner-failures").outputs["arn"]
    assert worker["ConsumeQueue"]["Resource"] == queue and worker["WriteStream"]["Resource"] == stream
    assert worker["WriteReports"]["Resource"] == f"{bucket}/ingest-runs/*"
    assert worker["ReadSourceObjects"]["Resource"] == "arn:aws:s3:::tgr-hire-devops-test/crypto/01-data-ingestion/*"
    assert planner["ListSourcePrefix"]["Condition"] == {"StringLike": {"s3:prefix": ["crypto/01-data-ingestion/*"]}}
    assert "sqs:SendMessage" not in json.dumps(worker) and "kinesis:" not in json.dumps(planner)


@pytest.mark.parametrize("key", [None, CUSTOMER_KEY], ids=["aws-managed-keys", "customer-key"])
def test_the_jobs_iam_documents_are_lint_clean(build, key):
    graph, _ = _job(build, TrackingPipelineArgs(kms_key_arn=key))
    documents = {name: doc for name, doc in _documents(graph).items() if name.startswith("tp-ingest")}
    assert len(documents) == 4
    for name, document in documents.items():
        assert _findings(document, trust=name.endswith("assumeRolePolicy")) == [], name


def test_alarms_watch_the_dlq_and_the_oldest_message_and_page_the_pipelines_topic(build):
    graph, _ = _job(build, TrackingPipelineArgs(alarm_topic_arn=TOPIC))
    dlq = graph.named("tp-ingest-dlq-not-empty").inputs
    stuck = graph.named("tp-ingest-queue-stuck").inputs
    assert (dlq["metricName"], dlq["threshold"], dlq["dimensions"]) == (
        "ApproximateNumberOfMessagesVisible",
        0,
        {"QueueName": graph.named("tp-ingest-dlq").outputs["name"]},
    )
    assert stuck["metricName"] == "ApproximateAgeOfOldestMessage"
    assert dlq["alarmActions"] == [TOPIC] == stuck["alarmActions"]


@pytest.mark.parametrize(
    ("changes", "argument"),
    [
        ({"schedule_expression": "every hour"}, "schedule_expression"),
        ({"worker_memory_mb": 64}, "worker_memory_mb"),
        ({"worker_timeout_seconds": 901}, "worker_timeout_seconds"),
        ({"max_receive_count": 0}, "max_receive_count"),
        ({"batch_size": 11}, "batch_size"),
        ({"on_demand_concurrency": 1}, "on_demand_concurrency"),
        ({"source_uri": "https://example.com/x/"}, "source_uri"),
        ({"report_prefix": "/runs"}, "report_prefix"),
        ({"worker_mib_per_vcpu": 0}, "worker_mib_per_vcpu"),
    ],
)
def test_bad_arguments_are_refused_naming_the_argument(changes, argument):
    with pytest.raises(IngestJobArgsError) as caught:
        IngestJobArgs(**changes)
    assert caught.value.argument == argument and str(caught.value).startswith(f"{argument}=")


def test_reports_never_land_under_the_data_or_error_prefix():
    with pytest.raises(IngestJobArgsError, match="data_prefix"):
        check_report_prefix("crypto/runs/", data_prefix="crypto/", error_prefix="errors/")
    with pytest.raises(IngestJobArgsError, match="error_prefix"):
        check_report_prefix("errors/", data_prefix="crypto/", error_prefix="errors/")
    check_report_prefix("ingest-runs/", data_prefix="crypto/", error_prefix="errors/")


def test_a_missing_archive_says_to_run_make_lambda(tmp_path):
    with pytest.raises(LambdaArchiveMissingError, match="run `make lambda`"):
        lambda_archive_path({"INGEST_JOB_ARCHIVE": str(tmp_path / "none.zip")})


def test_the_planner_reserves_concurrency_only_when_asked(build):
    graph, _ = _job(build)
    assert "reservedConcurrentExecutions" not in _function(graph, "planner").inputs
    graph, _ = _job(build, args=IngestJobArgs(reserve_planner_concurrency=True))
    assert _function(graph, "planner").inputs["reservedConcurrentExecutions"] == 1
    assert "reservedConcurrentExecutions" not in _function(graph, "worker").inputs


def test_a_planner_run_that_fails_every_retry_lands_in_an_encrypted_queue_that_pages(build):
    graph, _ = _job(build, TrackingPipelineArgs(alarm_topic_arn=TOPIC, kms_key_arn=CUSTOMER_KEY))
    failures = graph.named("tp-ingest-planner-failures")
    config = graph.one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")
    assert config.inputs["functionName"] == _function(graph, "planner").outputs["name"]
    assert config.inputs["destinationConfig"] == {"onFailure": {"destination": failures.outputs["arn"]}}
    assert failures.inputs["kmsMasterKeyId"] == CUSTOMER_KEY
    assert "tp-ingest-planner-role" in graph.dependencies_by_name["tp-ingest-planner-invoke-config"]
    alarm = graph.named("tp-ingest-planner-failed").inputs
    assert alarm["dimensions"] == {"QueueName": failures.outputs["name"]} and alarm["alarmActions"] == [TOPIC]


def test_both_functions_are_traced_with_xray_and_may_send_traces(build):
    graph, _ = _job(build)
    for role in ("planner", "worker"):
        assert _function(graph, role).inputs["tracingConfig"] == {"mode": "Active"}
        attachment = graph.named(f"tp-ingest-{role}-managed-1").inputs
        assert attachment["policyArn"] == "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
        assert attachment["role"] == graph.named(f"tp-ingest-{role}-role").outputs["name"]
    graph, _ = _job(build, args=IngestJobArgs(enable_tracing=False))
    assert _function(graph, "worker").inputs["tracingConfig"] == {"mode": "PassThrough"}
    assert not graph.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")


def test_the_job_logs_keep_the_pipelines_retention_unless_told_otherwise(build):
    graph, _ = _job(build, TrackingPipelineArgs(log_retention_days=365))
    job_logs = [g for g in graph.of_type("aws:cloudwatch/logGroup:LogGroup") if g.name.startswith("tp-ingest")]
    assert len(job_logs) == 2 and {g.inputs["retentionInDays"] for g in job_logs} == {365}
    graph, _ = _job(build, TrackingPipelineArgs(log_retention_days=365), IngestJobArgs(log_retention_days=90))
    job_logs = [g for g in graph.of_type("aws:cloudwatch/logGroup:LogGroup") if g.name.startswith("tp-ingest")]
    assert {g.inputs["retentionInDays"] for g in job_logs} == {90}
    with pytest.raises(IngestJobArgsError, match="log_retention_days"):
        IngestJobArgs(log_retention_days=10)


def test_the_job_is_tagged_like_its_pipeline(build):
    graph, _ = _job(build, TrackingPipelineArgs(tags={"team": "data"}))
    untaggable = (
        "tracking:index:IngestJob",
        "aws:scheduler/schedule:Schedule",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    )
    job = [r for r in graph.resources if r.name.startswith("tp-ingest") and r.type not in untaggable]
    assert len(job) >= 12
    for resource in job:
        assert resource.inputs.get("tags") == {"tracking-pipeline": "tp", "team": "data"}, resource.name
