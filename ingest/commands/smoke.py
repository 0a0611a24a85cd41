"""`python -m ingest smoke`: the post-deploy smoke test. Publish to the stream a stack exports, then verify that
every published record reached its bucket: `ingest.smoke.check.smoke()` does it; this module parses the flags and
prints.

Exit status: 0 when something was published and every published record arrived, 1 otherwise, 2 when the stack
outputs cannot be read or lack a key, and for the setup errors of `publish`/`verify`. A publish failure prints
`publish`'s own line (`ingest publish: <reason>`), a failed check `ingest smoke: <reason>`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.commands.arguments import add_poll_interval
from ingest.commands.console import console_session, fail, fail_on_error
from ingest.commands.publish import COMMAND as PUBLISH_COMMAND
from ingest.errors import IngestError
from ingest.smoke.outputs import pulumi_stack_outputs, read_outputs_file
from ingest.sources import DEFAULT_SOURCE

if TYPE_CHECKING:
    from ingest.verify.polling import PollProgress

COMMAND = "smoke"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        COMMAND,
        help="post-deploy smoke test: publish, then verify delivery, from a stack's outputs",
        description="Publish the crypto records to the stream a stack exports and check that every one of them "
        "reached the stack's bucket.",
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack", metavar="NAME", help="read the outputs with `pulumi stack output --json`")
    where.add_argument("--outputs", type=Path, metavar="FILE", help="a file holding `pulumi stack output --json`")
    parser.add_argument("--source", default=DEFAULT_SOURCE, help="what to publish (default: the seed bucket)")
    parser.add_argument("--no-sign-request", action="store_true", help="read an S3 source anonymously")
    parser.add_argument("--region", help="AWS region of the stream and bucket (default: the stack's region output)")
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="how long to wait for delivery (default: 2 x the stack's buffering interval + 300 s)",
    )
    add_poll_interval(parser)
    parser.add_argument("--report", type=Path, metavar="PATH", help="run report (default: in a new temp directory)")
    parser.add_argument("--dead-letter", type=Path, metavar="PATH", help="dead letters (default: next to the report)")
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    # boto3 only for a command that uses it
    from ingest.run.publish import publish
    from ingest.smoke.check import SmokeOptions, check_published, publish_options, smoke_summary

    try:
        outputs = read_outputs_file(args.outputs) if args.outputs else pulumi_stack_outputs(args.stack)
        report, dead_letter = _paths(args.report, args.dead_letter)
        options = SmokeOptions(
            outputs=outputs,
            report=report,
            dead_letter=dead_letter,
            source=args.source,
            no_sign_request=args.no_sign_request,
            region=args.region,
            timeout_seconds=args.timeout,
            poll_interval_seconds=args.poll_interval,
        )
        print(
            f"ingest {COMMAND}: publishing {options.source} to stream {outputs.stream_name} ({outputs.origin}), "
            f"then checking s3://{outputs.bucket_name}/{outputs.delivery_prefix}",
            file=sys.stderr,
            flush=True,
        )
        with console_session(quiet=True) as console:
            published = publish(publish_options(options), stop=console.stop, progress=console.progress)
        result = check_published(options, published, progress=_print_progress)
    except IngestError as exc:
        return fail_on_error(COMMAND, exc)
    except KeyboardInterrupt:
        return fail(COMMAND, 1, "interrupted")
    if result.published.problem is not None:
        fail(PUBLISH_COMMAND, result.status, result.published.problem)
    if result.verification is not None:
        print(smoke_summary(result, options))
    return fail(COMMAND, result.status, result.problem) if result.problem else result.status


def _paths(report: Path | None, dead_letter: Path | None) -> tuple[Path, Path]:
    """Files a CI job can pick up afterwards: the given ones (dead letters next to a given report), or a fresh
    temp directory that the summary names."""
    if report is None:
        report = Path(tempfile.mkdtemp(prefix="ingest-smoke-")) / "report.json"
    return report, dead_letter or report.parent / "dead-letter.jsonl"


def _print_progress(progress: PollProgress) -> None:
    print(f"ingest {COMMAND}: {progress.line()}", file=sys.stderr, flush=True)
