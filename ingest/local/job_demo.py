"""`python -m ingest demo --job`: the cloud job's path on this machine, in seconds, with the real handlers.

Emulator and dev pipeline as in the plain demo -> the job's queue, dead-letter queue and ledger, as the IngestJob
component declares them -> the planner (the real handler) claims and enqueues every sample object -> N workers
(the real handler, invoked by the STAND-IN for Lambda's SQS poller, `ingest.local.lambda_standin`) publish them
-> the Firehose stand-in delivers -> the run's per-object reports merged as `job report` does -> the real
`verify` -> a second planner run, which must enqueue nothing -> the ledger's counts, as `job status` prints them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.core.job import ObjectStatus
from components.core.stack_config import PIPELINE_NAME
from ingest.errors import ConfigurationError
from ingest.job import operations
from ingest.job.clients import JobClients
from ingest.json_files import write_json_atomically
from ingest.local.demo import VERIFY_POLL_SECONDS, VERIFY_TIMEOUT_SECONDS, Progress, StepLines, make_out_dir
from ingest.local.job_provision import LocalJob, LocalJobSettings, provision_job
from ingest.local.lambda_standin import PollerStats, SqsPollerStandIn, function_environment, invoke_planner
from ingest.local.provision import DEMO_STACK
from ingest.local.stack import LocalStack, running_local_stack
from ingest.run.report import RunReport
from ingest.verify import VerifyOptions, VerifyResult
from ingest.verify.polling import verify_delivery

JOB_NAME = f"{PIPELINE_NAME}-ingest"
REPORT_FILE = "job-run-report.json"
OUTPUTS_FILE = "job-outputs.json"
STAND_IN_NOTE = (
    "Lambda is replaced by a local stand-in (ingest/local/lambda_standin.py): it polls the queue and invokes the "
    "real worker handler with SQS's event shape, and follows the planner's continuation; it does not enforce "
    "timeouts or memory."
)


@dataclass(frozen=True)
class JobDemoOptions:
    workers: int = LocalJobSettings.workers
    records: int | None = None
    out: Path | None = None


@dataclass
class JobDemoResult:
    status: int
    out: Path
    seconds: float = 0.0
    plans: list[dict[str, Any]] = field(default_factory=list)
    poller: PollerStats | None = None
    report: RunReport | None = None
    verification: VerifyResult | None = None
    second_plan: list[dict[str, Any]] = field(default_factory=list)
    job_status: operations.JobStatus | None = None
    problem: str | None = None

    def summary(self) -> str:
        return _summary(self)


def run_job_demo(options: JobDemoOptions, *, progress: Progress | None = None) -> JobDemoResult:
    if options.workers < 1:
        raise ConfigurationError(f"--workers must be at least 1, got {options.workers}")
    out = make_out_dir(options.out)
    started = time.monotonic()
    progress = progress or StepLines()
    progress("starting the AWS emulator (moto), the dev pipeline and the ingest job's queue and ledger")
    settings = LocalJobSettings.of_stack(DEMO_STACK, workers=options.workers)
    with running_local_stack(records=options.records) as stack:
        job = provision_job(stack.emulator.client, name=JOB_NAME, settings=settings)
        outputs = job.outputs(stack.pipeline.names.bucket, stack.emulator.region)
        write_json_atomically(out / OUTPUTS_FILE, outputs, indent=2)
        target = operations.JobTarget.from_outputs(outputs, "the local job")
        result = JobDemoResult(status=1, out=out)
        with function_environment(_environment(stack, job)):
            _run(stack, job, target, result, progress, out)
    result.seconds = time.monotonic() - started
    return result


def _environment(stack: LocalStack, job: LocalJob) -> dict[str, str]:
    return dict(
        job.environment(
            source_uri=f"s3://{stack.source.bucket}/{stack.source.prefix}",
            source_region=stack.emulator.region,
            stream=stack.pipeline.names.stream,
            bucket=stack.pipeline.names.bucket,
        )
    )


def _run(
    stack: LocalStack,
    job: LocalJob,
    target: operations.JobTarget,
    result: JobDemoResult,
    progress: Progress,
    out: Path,
) -> None:
    settings = job.settings
    source = f"s3://{stack.source.bucket}/{stack.source.prefix}"
    progress(f"planner (real handler): listing {source}, claiming objects in {job.ledger_table}")
    result.plans = invoke_planner(job.planner_function, timeout_seconds=settings.worker_timeout_seconds)
    run_id = result.plans[0]["run_id"]
    enqueued = sum(plan["enqueued"] for plan in result.plans)
    progress(f"{enqueued} objects enqueued; {settings.workers} workers (stand-in poller, real handler) publishing")
    poller = SqsPollerStandIn(
        stack.emulator.client("sqs"),
        queue_url=job.queue_url,
        queue_arn=job.queue_arn,
        region=stack.emulator.region,
        function_name=job.worker_function,
        workers=settings.workers,
        batch_size=settings.batch_size,
        timeout_seconds=settings.worker_timeout_seconds,
    )
    result.poller = poller.drain()
    stack.firehose.flush()
    clients = JobClients(stack.emulator.region)
    result.report = operations.report(target, clients, run_id, out / REPORT_FILE)
    progress(f"verify: every record of run {run_id} in s3://{stack.pipeline.names.bucket}/")
    args = stack.pipeline.args
    result.verification = verify_delivery(
        result.report,
        VerifyOptions(
            bucket=stack.pipeline.names.bucket,
            prefix=args.data_prefix,
            error_prefix=args.error_prefix,
            timeout_seconds=VERIFY_TIMEOUT_SECONDS,
            poll_interval_seconds=VERIFY_POLL_SECONDS,
            region=stack.emulator.region,
        ),
    )
    progress("planner again: nothing changed, so nothing may be enqueued")
    result.second_plan = invoke_planner(job.planner_function, timeout_seconds=settings.worker_timeout_seconds)
    result.job_status = operations.status(target, clients)
    again = sum(plan["enqueued"] for plan in result.second_plan)
    if not result.verification.ok:
        result.problem = "verify found records missing"
    elif again:
        result.problem = f"the second planner run enqueued {again} unchanged objects"
    elif result.job_status.problems:
        result.problem = f"{len(result.job_status.problems)} objects failed"
    elif result.job_status.objects[ObjectStatus.REJECTED]:
        result.problem = f"{result.job_status.objects[ObjectStatus.REJECTED]} sample objects were rejected"
    result.status = 0 if result.problem is None else 1


def _summary(result: JobDemoResult) -> str:
    verdict = "every object published once, every record delivered" if result.status == 0 else "FAILED"
    lines = [f"Local cloud-job demo: {verdict} ({result.seconds:.1f} s)."]
    if result.plans:
        listed = sum(plan["listed"] for plan in result.plans)
        enqueued = sum(plan["enqueued"] for plan in result.plans)
        lines.append(
            f"  plan      {listed} objects listed, {enqueued} claimed in the ledger and enqueued "
            f"({len(result.plans)} invocation(s), run {result.plans[0]['run_id']})"
        )
    if result.poller is not None:
        stats = result.poller
        lines.append(
            f"  work      {stats.invocations} worker invocations, {stats.deleted} messages done, "
            f"{stats.failed} returned to the queue"
        )
    if result.report is not None:
        report = result.report
        lines.append(
            f"  publish   {report.records_published} of {report.records_read} records from {report.source}, "
            f"{report.records_rejected} rejected, {report.records_failed} failed"
        )
    if result.verification is not None:
        lines.append("  verify    " + result.verification.summary().replace("\n", "\n            "))
    if result.second_plan:
        again = sum(plan["enqueued"] for plan in result.second_plan)
        unchanged = sum(plan["unchanged"] for plan in result.second_plan)
        lines.append(f"  re-plan   {again} enqueued, {unchanged} unchanged (the ledger already has their versions)")
    if result.job_status is not None:
        counts = ", ".join(f"{name.lower()} {count}" for name, count in result.job_status.objects.items())
        lines.append(f"  ledger    {counts}; DLQ {result.job_status.dead_letter_messages} messages")
    lines.append(f"  note      {STAND_IN_NOTE}")
    lines.append(f"Run report and outputs in {result.out}")
    if result.problem:
        lines.append(f"Problem: {result.problem}")
    return "\n".join(lines)
