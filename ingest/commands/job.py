"""`python -m ingest job start|status|retry|report`: operate the cloud job a stack deployed (IngestJob).

Exit status: 0 on success (`status`: no failed or dead-lettered object), 1 when `status` shows failed objects or
`retry` could not send everything, 2 when the stack outputs cannot be read or lack the job's outputs, and for AWS
errors. See docs/job.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ingest.commands.console import fail, fail_on_error
from ingest.errors import ConfigurationError

COMMAND = "job"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        COMMAND,
        help="operate the cloud job (planner, queue, workers, ledger) a stack deployed",
        description="Start a run of the deployed ingest job, show the ledger, retry failed objects, or merge a "
        "run's reports into the one `verify --report` reads.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, text in (
        ("start", "invoke the planner now (as its schedule does)"),
        ("status", "objects per status, the latest runs, queue and DLQ depth, the failed objects' reasons"),
        ("retry", "re-enqueue every failed and dead-lettered object as a new run"),
        ("report", "merge a run's per-object reports from S3 into one run report for `verify --report`"),
    ):
        action = actions.add_parser(name, help=text, description=text)
        where = action.add_mutually_exclusive_group(required=True)
        where.add_argument("--stack", metavar="NAME", help="read the outputs with `pulumi stack output --json`")
        where.add_argument("--outputs", type=Path, metavar="FILE", help="a file holding `pulumi stack output --json`")
        action.add_argument("--region", help="AWS region of the job (default: the stack's region output)")
        if name == "retry":
            action.add_argument(
                "--stuck-after",
                type=float,
                metavar="MINUTES",
                help="also re-enqueue objects QUEUED longer ago than this (a planner ended between claim and send)",
            )
        if name == "report":
            action.add_argument("--run", required=True, metavar="RUN_ID", help="the run id (job start, job status)")
            action.add_argument("--out", type=Path, required=True, metavar="PATH", help="where to write the report")
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from ingest.job import operations
    from ingest.job.clients import JobClients
    from ingest.smoke.outputs import outputs_file_document, stack_output_document

    try:
        if args.outputs:
            target = operations.JobTarget.from_outputs(outputs_file_document(args.outputs), str(args.outputs))
        else:
            target = operations.JobTarget.from_outputs(stack_output_document(args.stack), f"stack {args.stack}")
        clients = JobClients(args.region or target.region)
        return _ACTIONS[args.action](args, target, clients)
    except ConfigurationError as exc:
        return fail_on_error(COMMAND, exc)
    except (BotoCoreError, ClientError) as exc:
        return fail(COMMAND, 2, f"{args.action}: {exc}")


def _start(args: argparse.Namespace, target: Any, clients: Any) -> int:
    from ingest.job import operations

    run_id = operations.start(target, clients)
    print(f"planner {target.planner_function} invoked ({target.origin}): run {run_id}")
    print(f"follow it with: python -m ingest job status {_where(args)}")
    return 0


def _status(args: argparse.Namespace, target: Any, clients: Any) -> int:
    from ingest.job import operations

    state = operations.status(target, clients)
    print(f"Ingest job of {target.origin} (ledger {target.ledger_table}):")
    print("  objects   " + ", ".join(f"{name.lower()} {count}" for name, count in state.objects.items()))
    print(
        f"  queue     {state.queued_messages} waiting, {state.in_flight_messages} in flight; "
        f"DLQ {state.dead_letter_messages} messages"
    )
    for run in state.runs:
        statuses = ", ".join(f"{name.lower()} {count}" for name, count in sorted(run.statuses.items()))
        print(
            f"  run {run.run_id}  last update {run.last_update}: {statuses}; "
            f"{run.records_published} records published, {run.records_rejected} rejected"
        )
    for entry in state.problems:
        print(f"  {entry.status.lower():<13} {entry.object_uri} (attempts {entry.attempts}): {entry.reason}")
    if state.problems:
        print(f"retry them with: python -m ingest job retry {_where(args)}")
        return 1
    return 0


def _retry(args: argparse.Namespace, target: Any, clients: Any) -> int:
    from ingest.job import operations

    stuck = args.stuck_after * 60 if args.stuck_after is not None else None
    result = operations.retry(target, clients, stuck_after_seconds=stuck)
    print(f"run {result.run_id}: {len(result.requeued)} objects re-enqueued, {result.skipped} changed meanwhile")
    for uri in result.requeued:
        print(f"  {uri}")
    if result.unsent:
        return fail(COMMAND, 1, f"{len(result.unsent)} could not be sent (try again): {', '.join(result.unsent)}")
    return 0


def _report(args: argparse.Namespace, target: Any, clients: Any) -> int:
    from ingest.job import operations

    merged = operations.report(target, clients, args.run, args.out)
    print(
        f"{args.out}: run {merged.run_id}, {len(merged.objects)} objects, {merged.records_published} records "
        f"published; check delivery with: python -m ingest verify --report {args.out} --bucket {target.bucket}"
    )
    return 0


def _where(args: argparse.Namespace) -> str:
    return f"--stack {args.stack}" if args.stack else f"--outputs {args.outputs}"


_ACTIONS = {"start": _start, "status": _status, "retry": _retry, "report": _report}
