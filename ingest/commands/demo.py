"""`python -m ingest demo`: publish, deliver and verify on an embedded AWS emulator, in seconds.

Exit status: 0 when every record was published and `verify` found every one delivered, 1 when something is
missing or the run broke, 2 for usage errors (bad flag, unwritable --out). See `ingest.local.demo`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ingest.commands.arguments import whole_number
from ingest.commands.console import fail, fail_on_error
from ingest.errors import IngestError

COMMAND = "demo"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        COMMAND,
        help="the whole path on an embedded local AWS emulator: publish, deliver, verify",
        description=(
            "Start moto's AWS emulator, recreate the source bucket, provision the dev stack's pipeline, publish "
            "with `publish`, deliver with a local stand-in for Firehose, check with `verify`. No AWS account."
        ),
    )
    parser.add_argument(
        "--records", type=whole_number(1), metavar="N", help="publish N generated records instead of the sample dataset"
    )
    parser.add_argument(
        "--aggregate",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="pack many records into each Kinesis record (KPL aggregation format; default on)",
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="where to write the artifacts (default: a new ./out/demo-<time>/)"
    )
    parser.add_argument(
        "--job",
        action="store_true",
        help="run the cloud job's path instead: planner, SQS queue, N workers (a local stand-in for Lambda), ledger",
    )
    parser.add_argument(
        "--workers", type=whole_number(1, 64), default=4, metavar="N", help="with --job: concurrent workers (default 4)"
    )
    parser.set_defaults(handler=_handle)


CHECKOUT_ONLY_MODULES = frozenset({"moto", "yaml", "jsonschema", "airspeed"})
"""What the demo needs beyond the [ingest] extra: the emulator (moto), the stack files' parser, and the endpoint
stand-in's validator and template engine (requirements-dev.txt)."""


def _handle(args: argparse.Namespace) -> int:
    # Imported here, not at the top: moto's server is for this command only, not for every `python -m ingest` run.
    try:
        from ingest.local.demo import DemoOptions, DemoResult, run_demo
        from ingest.local.job_demo import JobDemoOptions, JobDemoResult, run_job_demo
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.partition(".")[0] not in CHECKOUT_ONLY_MODULES:
            raise
        return fail(
            COMMAND,
            2,
            f"the demo runs from a checkout of tracking-pipeline with its dev requirements ({exc.name} is missing): "
            "pip install -r requirements-dev.txt",
        )

    from botocore.exceptions import BotoCoreError, ClientError

    result: DemoResult | JobDemoResult
    try:
        if args.job:
            result = run_job_demo(JobDemoOptions(workers=args.workers, records=args.records, out=args.out))
        else:
            result = run_demo(DemoOptions(records=args.records, aggregate=args.aggregate, out=args.out))
    except IngestError as exc:
        return fail_on_error(COMMAND, exc)
    except (BotoCoreError, ClientError) as exc:
        return fail(COMMAND, 1, f"the local emulator: {exc}")
    except KeyboardInterrupt:
        return fail(COMMAND, 1, "interrupted (the emulator was stopped)")
    print(result.summary())
    return fail(COMMAND, result.status, result.problem) if result.problem else result.status
