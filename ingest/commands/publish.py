"""`python -m ingest publish`: read, validate and publish every record of a source to a Kinesis stream.

The work is `ingest.run.publish.publish()`; this module parses the flags, shows progress, and prints the summary
and the one-line failure. Exit status: 0 when every valid record was published (rejections are reported, not
failures), 1 when a record failed to publish, an object could not be read, or the run aborted, 2 for usage and
configuration errors (bad flag, unknown stream, unreadable source, missing or refused credentials).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.commands.console import console_session, fail
from ingest.errors import ConfigurationError
from ingest.formats import AUTO, format_names
from ingest.run.partition import Partition
from ingest.run.summary import summarize
from ingest.sources import DEFAULT_SOURCE

if TYPE_CHECKING:
    from ingest.run.publish import PublishOptions, PublishResult

COMMAND = "publish"
FORMAT_HELP = (
    "record format; auto picks one per object from its extension or content type (text: JSON Lines in a .txt file)"
)


def _partition(text: str) -> Partition:
    try:
        return Partition.parse(text)
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "publish",
        help="read, validate and publish records to a Kinesis stream",
        description="Read every object of the source, validate its records and publish them to the stream.",
    )
    parser.add_argument("--stream", required=True, help="Kinesis data stream name")
    parser.add_argument("--source", default=DEFAULT_SOURCE, help="s3://bucket/prefix/, https URL or local path")
    parser.add_argument(
        "--format",
        default=AUTO,
        choices=[AUTO, *format_names()],
        help=FORMAT_HELP,
    )
    parser.add_argument(
        "--aggregate",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="pack many records into each Kinesis record (KPL aggregation format; default on)",
    )
    parser.add_argument("--no-sign-request", action="store_true", help="read an S3 source anonymously")
    parser.add_argument("--region", help="AWS region of the stream and of an s3:// source (default: AWS chain)")
    parser.add_argument("--report", type=Path, metavar="PATH", help="write the JSON run report here")
    parser.add_argument(
        "--dead-letter",
        type=Path,
        metavar="PATH",
        help="append rejected records here as JSON Lines (default: ./dead-letter-RUN_ID.jsonl, if any)",
    )
    parser.add_argument("--checkpoint", type=Path, metavar="PATH", help="skip objects published unchanged before")
    parser.add_argument(
        "--full", action="store_true", help="publish everything, ignoring (but updating) the checkpoint"
    )
    parser.add_argument(
        "--partition",
        type=_partition,
        metavar="I/N",
        help="publish only objects whose URI hashes to partition I of N (I from 0 to N-1)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars or log lines")

    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from ingest.run.publish import PublishOptions  # here, not at the top: boto3 only for a command that publishes

    options = PublishOptions(
        stream=args.stream,
        source=args.source,
        format=args.format,
        aggregate=args.aggregate,
        no_sign_request=args.no_sign_request,
        region=args.region,
        report=args.report,
        dead_letter=args.dead_letter,
        checkpoint=args.checkpoint,
        full=args.full,
        partition=args.partition,
    )
    return publish_and_print(options, quiet=args.quiet).status


def publish_and_print(options: PublishOptions, *, quiet: bool) -> PublishResult:
    """The whole command after parsing: `publish()` in a console session, then the summary (unless quiet) and,
    when the status is not 0, one line on stderr."""
    from ingest.run.publish import publish

    with console_session(quiet=quiet) as console:
        result = publish(options, stop=console.stop, progress=console.progress)
    if result.report is not None and not quiet:
        print(summarize(result.report, report_path=options.report))
    if result.problem is not None:
        fail(COMMAND, result.status, result.problem)
    return result
