"""IngestJob: the pull in the users' account, on AWS's own services. An EventBridge Scheduler schedule (or an
operator) starts the planner function; it claims new and changed source objects in a DynamoDB ledger and sends one
SQS message each; an event source mapping fans the messages out to worker functions, as many at once as the stream
can take; failed messages end in a dead-letter queue, and alarms watch it.

The handlers (`ingest.job.handlers`) and this component agree through `components.core.job`: handler paths,
environment variable names, the ledger's key. The functions' code is the archive `make lambda` builds.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_aws as aws

from .alarms import AlarmSpec, metric_alarm
from .component_outputs import publish_outputs
from .core import iam
from .core.job import (
    ARCHIVE_ENVIRONMENT,
    JOB_ENVIRONMENT,
    LAMBDA_ARCHITECTURE,
    LAMBDA_ARCHIVE,
    LAMBDA_RUNTIME,
    LEDGER,
    PLANNER_HANDLER,
    WORKER_HANDLER,
    min_visibility_timeout,
    worker_bytes_per_second,
    worker_max_concurrency,
)
from .core.job_settings import IngestJobArgs, check_report_prefix
from .core.limits import MIB
from .core.settings import TrackingPipelineArgs

TYPE_TOKEN = "tracking:index:IngestJob"
QUEUE_RETENTION_SECONDS = 4 * 24 * 3600
"""SQS's default: a message not worked on within four days means the job is broken; the alarm fires long before."""
DLQ_RETENTION_SECONDS = 14 * 24 * 3600
"""The most SQS keeps a message (14 days), so a dead letter outlives a long weekend of nobody looking."""
PROJECT_ROOT = Path(__file__).resolve().parents[1]


class LambdaArchiveMissingError(FileNotFoundError):
    """The functions' archive has not been built: `make lambda` builds it."""


def lambda_archive_path(environ: Mapping[str, str] = os.environ) -> Path:
    """The archive `make lambda` wrote, or the one ARCHIVE_ENVIRONMENT names (a CI job that built it elsewhere)."""
    path = Path(environ.get(ARCHIVE_ENVIRONMENT) or PROJECT_ROOT / LAMBDA_ARCHIVE)
    if not path.is_file():
        raise LambdaArchiveMissingError(
            f"the ingest job's Lambda archive {path} does not exist: run `make lambda` first "
            f"(or point {ARCHIVE_ENVIRONMENT} at a built archive)"
        )
    return path


@dataclass(frozen=True)
class IngestJobTarget:
    """Where the job publishes and reports: a pipeline's stream and bucket, and what the concurrency and the
    encryption follow from."""

    stream_name: pulumi.Input[str]
    stream_arn: pulumi.Input[str]
    bucket_name: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    stream_mode: str = "PROVISIONED"
    shard_count: int = 1
    data_prefix: str = "crypto/"
    error_prefix: str = "errors/"
    kms_key_arn: pulumi.Input[str] | None = None
    alarm_topic_arn: pulumi.Input[str] | None = None
    log_retention_days: int = TrackingPipelineArgs().log_retention_days
    """The pipeline's log retention, which the job's log groups keep too unless its arguments say otherwise."""
    tags: pulumi.Input[Mapping[str, str]] = field(default_factory=dict)
    """The tags of every job resource: a pipeline's own (its name added), so both are told apart the same way."""

    @classmethod
    def of_pipeline(cls, pipeline: object, args: TrackingPipelineArgs) -> IngestJobTarget:
        """The target a TrackingPipeline makes, built with `args`: one line in a program."""
        return cls(
            stream_name=pipeline.stream_name,  # type: ignore[attr-defined]
            stream_arn=pipeline.stream_arn,  # type: ignore[attr-defined]
            bucket_name=pipeline.bucket_name,  # type: ignore[attr-defined]
            bucket_arn=pipeline.bucket_arn,  # type: ignore[attr-defined]
            stream_mode=args.stream_mode,
            shard_count=args.shard_count,
            data_prefix=args.data_prefix,
            error_prefix=args.error_prefix,
            kms_key_arn=args.kms_key_arn,
            alarm_topic_arn=args.alarm_topic_arn,
            log_retention_days=args.log_retention_days,
            tags=pipeline.tags,  # type: ignore[attr-defined]
        )


class IngestJob(pulumi.ComponentResource):
    """Planner and worker functions, their queue, dead-letter queue, ledger, schedule, roles, logs and alarms."""

    ingest_queue_url: pulumi.Output[str]
    ingest_dlq_url: pulumi.Output[str]
    ledger_table_name: pulumi.Output[str]
    planner_function_name: pulumi.Output[str]
    worker_function_name: pulumi.Output[str]
    report_prefix: pulumi.Output[str]
    worker_max_concurrency: int
    """The event source mapping's maximum concurrency, as computed (a plain number, for tests and docs)."""

    def __init__(
        self,
        name: str,
        target: IngestJobTarget,
        args: IngestJobArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        archive: Path | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name = name
        self._target = target
        self._args = args = args if args is not None else IngestJobArgs()
        check_report_prefix(args.report_prefix, data_prefix=target.data_prefix, error_prefix=target.error_prefix)
        self._code = pulumi.FileArchive(str(archive or lambda_archive_path()))
        invoke_opts = pulumi.InvokeOptions(parent=self)
        self._account_id = aws.get_caller_identity_output(opts=invoke_opts).account_id
        self._region = aws.get_region_output(opts=invoke_opts).region
        stack = pulumi.get_stack()
        self._planner_name = f"{name}-planner-{stack}"
        self._worker_name = f"{name}-worker-{stack}"
        self.worker_max_concurrency = worker_max_concurrency(
            shard_count=target.shard_count if target.stream_mode == "PROVISIONED" else None,
            worker_bytes_per_second=worker_bytes_per_second(
                args.worker_memory_mb, per_vcpu_bytes_per_second=args.worker_mib_per_vcpu * MIB
            ),
            on_demand_concurrency=args.on_demand_concurrency,
        )

        dlq, queue = self._queues()
        failed_runs = self._queue(f"{name}-planner-failures", message_retention_seconds=DLQ_RETENTION_SECONDS)
        ledger = self._ledger()
        planner = self._planner(queue, ledger, failed_runs)
        worker = self._worker(queue, ledger)
        self._mapping(queue, worker)
        if args.schedule_expression is not None:
            self._schedule(planner)
        self._alarms(queue, dlq, failed_runs)

        publish_outputs(
            self,
            {
                "ingest_queue_url": queue.url,
                "ingest_dlq_url": dlq.url,
                "ledger_table_name": ledger.name,
                "planner_function_name": planner.name,
                "worker_function_name": worker.name,
                "report_prefix": pulumi.Output.from_input(args.report_prefix),
            },
        )

    def _child(self, **extra: object) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **extra)  # type: ignore[arg-type]

    def _queue(self, resource_name: str, **settings: object) -> aws.sqs.Queue:
        """Every queue of the job, encrypted: SQS-managed SSE by default, the pipeline's customer key when it has one
        (SQS takes one or the other:
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html).
        With a key, `sqs_managed_sse_enabled` is not sent at all: the provider declares it ConflictsWith
        `kms_master_key_id` (hashicorp/terraform-provider-aws, internal/service/sqs/queue.go), and an explicit false
        counts as set, so sending both fails the deploy."""
        key = self._target.kms_key_arn
        encryption: dict[str, object] = (
            {"kms_master_key_id": key} if key is not None else {"sqs_managed_sse_enabled": True}
        )
        return aws.sqs.Queue(  # type: ignore[call-overload]
            resource_name, tags=self._target.tags, opts=self._child(), **encryption, **settings
        )

    def _queues(self) -> tuple[aws.sqs.Queue, aws.sqs.Queue]:
        args = self._args
        dlq = self._queue(f"{self._name}-dlq", message_retention_seconds=DLQ_RETENTION_SECONDS)
        queue = self._queue(
            f"{self._name}-queue",
            # AWS: at least six times the function's timeout, so a batch is not redelivered while a worker runs.
            visibility_timeout_seconds=min_visibility_timeout(args.worker_timeout_seconds),
            message_retention_seconds=QUEUE_RETENTION_SECONDS,
            redrive_policy=dlq.arn.apply(
                lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": args.max_receive_count})
            ),
        )
        aws.sqs.RedriveAllowPolicy(
            f"{self._name}-dlq-redrive-allow",
            queue_url=dlq.url,
            redrive_allow_policy=queue.arn.apply(
                lambda arn: json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [arn]})
            ),
            opts=pulumi.ResourceOptions(parent=dlq),
        )
        return dlq, queue

    def _ledger(self) -> aws.dynamodb.Table:
        """On-demand capacity (a run's writes come in bursts), point-in-time recovery, encrypted at rest with the
        customer key when there is one, else with the AWS managed key `aws/dynamodb`: `enabled` true without a key
        ARN selects the AWS managed key, false would select an AWS owned one (the provider's
        `server_side_encryption`; https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html).
        The managed key is chosen on purpose: its use shows in the account's CloudTrail."""
        key = self._target.kms_key_arn
        return aws.dynamodb.Table(
            f"{self._name}-ledger",
            billing_mode="PAY_PER_REQUEST",
            hash_key=LEDGER.key,
            attributes=[{"name": LEDGER.key, "type": "S"}],
            point_in_time_recovery={"enabled": True},
            server_side_encryption={"enabled": True, "kms_key_arn": key} if key is not None else {"enabled": True},
            tags=self._target.tags,
            opts=self._child(),
        )

    def _log_group(self, function_name: str) -> aws.cloudwatch.LogGroup:
        """Created before the function, under the name Lambda writes to, so it has a retention and the key."""
        return aws.cloudwatch.LogGroup(
            f"{function_name}-logs",
            name=f"/aws/lambda/{function_name}",
            retention_in_days=(
                self._args.log_retention_days
                if self._args.log_retention_days is not None
                else self._target.log_retention_days
            ),
            kms_key_id=self._target.kms_key_arn,
            tags=self._target.tags,
            opts=self._child(),
        )

    def _role(
        self, suffix: str, service: str, policy: pulumi.Input[str], *, managed_policy_arns: tuple[str, ...] = ()
    ) -> aws.iam.Role:
        role = aws.iam.Role(
            f"{self._name}-{suffix}-role",
            assume_role_policy=self._account_id.apply(
                lambda account: json.dumps(iam.service_trust_policy(service, account_id=account))
            ),
            tags=self._target.tags,
            opts=self._child(),
        )
        aws.iam.RolePolicy(
            f"{self._name}-{suffix}-policy", role=role.id, policy=policy, opts=pulumi.ResourceOptions(parent=role)
        )
        for position, policy_arn in enumerate(managed_policy_arns, start=1):
            aws.iam.RolePolicyAttachment(
                f"{self._name}-{suffix}-managed-{position}",
                role=role.name,
                policy_arn=policy_arn,
                opts=pulumi.ResourceOptions(parent=role),
            )
        return role

    def _function_role(self, suffix: str, policy: pulumi.Input[str]) -> aws.iam.Role:
        """A function's role: its own inline policy, plus X-Ray's managed one when the function is traced."""
        tracing = (iam.XRAY_WRITE_POLICY_ARN,) if self._args.enable_tracing else ()
        return self._role(suffix, iam.LAMBDA_TRUST_SERVICE, policy, managed_policy_arns=tracing)

    def _function_arn(self, function_name: str) -> pulumi.Output[str]:
        return pulumi.Output.format(
            "arn:aws:lambda:{0}:{1}:function:{2}", self._region, self._account_id, function_name
        )

    def _environment(self, queue: aws.sqs.Queue, ledger: aws.dynamodb.Table) -> dict[str, pulumi.Input[str]]:
        names = JOB_ENVIRONMENT
        return {
            names.source_uri: self._args.source_uri,
            names.source_region: self._args.source_region,
            names.queue_url: queue.url,
            names.ledger_table: ledger.name,
            names.stream_name: self._target.stream_name,
            names.report_bucket: self._target.bucket_name,
            names.report_prefix: self._args.report_prefix,
            names.max_receive_count: str(self._args.max_receive_count),
            names.planner_function: self._planner_name,
        }

    def _function(
        self,
        function_name: str,
        handler: str,
        role: aws.iam.Role,
        log_group: aws.cloudwatch.LogGroup,
        environment: dict[str, pulumi.Input[str]],
        *,
        memory_mb: int,
        timeout_seconds: int,
        reserved_concurrency: int | None = None,
    ) -> aws.lambda_.Function:
        return aws.lambda_.Function(
            function_name,
            name=function_name,
            role=role.arn,
            runtime=LAMBDA_RUNTIME,
            architectures=[LAMBDA_ARCHITECTURE],
            handler=handler,
            code=self._code,
            memory_size=memory_mb,
            timeout=timeout_seconds,
            reserved_concurrent_executions=reserved_concurrency,
            # Active: Lambda samples invocations and sends their traces to X-Ray
            # (https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html).
            tracing_config={"mode": "Active" if self._args.enable_tracing else "PassThrough"},
            environment={"variables": environment},
            logging_config={"log_format": "Text", "log_group": log_group.name},
            kms_key_arn=self._target.kms_key_arn,
            tags=self._target.tags,
            opts=self._child(depends_on=[log_group, role]),
        )

    def _planner(
        self, queue: aws.sqs.Queue, ledger: aws.dynamodb.Table, failed_runs: aws.sqs.Queue
    ) -> aws.lambda_.Function:
        args = self._args
        log_group = self._log_group(self._planner_name)
        policy = pulumi.Output.all(
            table_arn=ledger.arn,
            queue_arn=queue.arn,
            planner_arn=self._function_arn(self._planner_name),
            failed_runs_queue_arn=failed_runs.arn,
            log_group_arn=log_group.arn,
            kms_key_arn=self._target.kms_key_arn,
            region=self._region,
        ).apply(
            lambda resolved: json.dumps(
                iam.planner_policy(source_bucket=args.source_bucket, source_prefix=args.source_prefix, **resolved)
            )
        )
        role = self._function_role("planner", policy)
        # No reservation by default: Lambda refuses one that leaves the account fewer than 100 unreserved executions
        # (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html), which new accounts with a
        # quota of 10 or 50 always do. Overlapping runs are safe: the ledger's conditional claims let one enqueue.
        planner = self._function(
            self._planner_name,
            PLANNER_HANDLER,
            role,
            log_group,
            self._environment(queue, ledger),
            memory_mb=512,
            timeout_seconds=args.planner_timeout_seconds,
            reserved_concurrency=1 if args.reserve_planner_concurrency else None,
        )
        self._failed_runs_destination(planner, failed_runs, role)
        return planner

    def _failed_runs_destination(
        self, planner: aws.lambda_.Function, failed_runs: aws.sqs.Queue, role: aws.iam.Role
    ) -> aws.lambda_.FunctionEventInvokeConfig:
        """The schedule and the planner's own continuation invoke it asynchronously: a run that fails Lambda's two
        retries would vanish. Its invocation record (event, error) goes to a queue instead, which an alarm watches
        (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html). The role must already
        allow the send when the destination is set, so the config waits for the role's policy."""
        return aws.lambda_.FunctionEventInvokeConfig(
            f"{self._name}-planner-invoke-config",
            function_name=planner.name,
            maximum_retry_attempts=2,
            destination_config={"on_failure": {"destination": failed_runs.arn}},
            opts=pulumi.ResourceOptions(parent=planner, depends_on=[role]),
        )

    def _worker(self, queue: aws.sqs.Queue, ledger: aws.dynamodb.Table) -> aws.lambda_.Function:
        args = self._args
        target = self._target
        log_group = self._log_group(self._worker_name)
        policy = pulumi.Output.all(
            table_arn=ledger.arn,
            queue_arn=queue.arn,
            stream_arn=target.stream_arn,
            report_bucket_arn=target.bucket_arn,
            log_group_arn=log_group.arn,
            kms_key_arn=target.kms_key_arn,
            region=self._region,
        ).apply(
            lambda resolved: json.dumps(
                iam.worker_policy(
                    source_bucket=args.source_bucket,
                    source_prefix=args.source_prefix,
                    report_prefix=args.report_prefix,
                    **resolved,
                )
            )
        )
        role = self._function_role("worker", policy)
        return self._function(
            self._worker_name,
            WORKER_HANDLER,
            role,
            log_group,
            self._environment(queue, ledger),
            memory_mb=args.worker_memory_mb,
            timeout_seconds=args.worker_timeout_seconds,
        )

    def _mapping(self, queue: aws.sqs.Queue, worker: aws.lambda_.Function) -> aws.lambda_.EventSourceMapping:
        """Partial batch responses on, so one failed object does not return its batch-mates; the concurrency cap
        from the stream's capacity (ScalingConfig.MaximumConcurrency, 2-1000:
        https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html)."""
        return aws.lambda_.EventSourceMapping(
            f"{self._name}-worker-mapping",
            event_source_arn=queue.arn,
            function_name=worker.arn,
            batch_size=self._args.batch_size,
            function_response_types=["ReportBatchItemFailures"],
            scaling_config={"maximum_concurrency": self.worker_max_concurrency},
            tags=self._target.tags,
            opts=pulumi.ResourceOptions(parent=worker),
        )

    def _schedule(self, planner: aws.lambda_.Function) -> aws.scheduler.Schedule:
        policy = planner.arn.apply(lambda arn: json.dumps(iam.scheduler_policy(arn)))
        role = self._role("schedule", iam.SCHEDULER_TRUST_SERVICE, policy)
        return aws.scheduler.Schedule(
            f"{self._name}-schedule",
            schedule_expression=self._args.schedule_expression,
            flexible_time_window={"mode": "OFF"},
            target={"arn": planner.arn, "role_arn": role.arn, "input": "{}"},
            opts=self._child(),
        )

    def _alarms(
        self, queue: aws.sqs.Queue, dlq: aws.sqs.Queue, failed_runs: aws.sqs.Queue
    ) -> list[aws.cloudwatch.MetricAlarm]:
        """A message in the DLQ is an object that failed maxReceiveCount times; an old message in the queue means
        the workers are stuck. SQS metrics: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html"""
        target = self._target
        specs = (
            AlarmSpec(
                "dlq-not-empty",
                "AWS/SQS",
                ("ApproximateNumberOfMessagesVisible",),
                {"QueueName": dlq.name},
                "Maximum",
                "GreaterThanThreshold",
                0,
                1,
                "an object failed every attempt: see `python -m ingest job status`",
            ),
            AlarmSpec(
                "queue-stuck",
                "AWS/SQS",
                ("ApproximateAgeOfOldestMessage",),
                {"QueueName": queue.name},
                "Maximum",
                "GreaterThanThreshold",
                self._args.oldest_message_alarm_seconds,
                1,
                "the oldest message has waited too long: workers failing or throttled",
            ),
            AlarmSpec(
                "planner-failed",
                "AWS/SQS",
                ("ApproximateNumberOfMessagesVisible",),
                {"QueueName": failed_runs.name},
                "Maximum",
                "GreaterThanThreshold",
                0,
                1,
                "a planner run failed every retry: its record (event and error) is in the planner-failures queue",
            ),
        )
        return [
            metric_alarm(self._name, spec, topic_arn=target.alarm_topic_arn, tags=target.tags, opts=self._child())
            for spec in specs
        ]
