"""`python -m ingest verify`: check that the records of a publish run (or of a send) reached the destination bucket.

The work is `ingest.verify.polling.verify_delivery()`; this module parses the flags and prints. Exit status: 0
when every record the report lists as published was found, 1 when some are missing after the
timeout (or reading the bucket failed part-way), 2 for usage and configuration errors (unreadable report, no
such bucket, missing or refused credentials). Progress goes to stderr, the summary (or, with --json, one
JSON document) to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.commands.arguments import add_poll_interval
from ingest.commands.console import fail, fail_on_error
from ingest.errors import IngestError
from ingest.verify.options import (
    DEFAULT_CLOCK_SKEW_SECONDS,
    VerifyOptions,
    default_timeout_seconds,
)
from ingest.verify.result import VerifyResult

if TYPE_CHECKING:
    from ingest.verify.polling import PollProgress

COMMAND = "verify"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        COMMAND,
        help="check that the records of a publish run (or a send) reached the destination bucket",
        description="Read what Firehose delivered since the run started and match it against the run report; "
        "poll until nothing is missing or the timeout passes.",
    )
    parser.add_argument(
        "--report", type=Path, required=True, metavar="PATH", help="the JSON report of `publish` (or of `send`)"
    )
    parser.add_argument("--bucket", required=True, help="destination bucket (the stack's bucketName output)")
    parser.add_argument("--prefix", default="crypto/", help="delivery folder (deliveryPrefix output; default crypto/)")
    parser.add_argument("--error-prefix", default="errors/", help="Firehose error folder (default errors/)")
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="stop waiting after this long (default: 2 x buffering interval + 300 s, the freshness alarm threshold)",
    )
    parser.add_argument(
        "--buffering-interval",
        type=int,
        metavar="SECONDS",
        help="the stack's buffering interval, to derive the default timeout (default: the component's default)",
    )
    add_poll_interval(parser)
    parser.add_argument(
        "--clock-skew",
        type=float,
        default=DEFAULT_CLOCK_SKEW_SECONDS,
        metavar="SECONDS",
        help=f"also read objects written this long before the run started (default {DEFAULT_CLOCK_SKEW_SECONDS:g})",
    )
    parser.add_argument(
        "--since",
        metavar="TIME",
        help="read objects written since this ISO-8601 time instead (for reports listing earlier runs' records)",
    )
    parser.add_argument("--region", help="AWS region of the bucket (default: AWS chain)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON document, no progress")
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from ingest.verify.polling import verify_delivery  # boto3 only for a command that reads the bucket
    from ingest.verify.reports import load_published_records

    try:
        report = load_published_records(args.report)
        timeout = args.timeout if args.timeout is not None else default_timeout_seconds(args.buffering_interval)
        options = VerifyOptions(
            bucket=args.bucket,
            prefix=args.prefix,
            error_prefix=args.error_prefix,
            timeout_seconds=timeout,
            poll_interval_seconds=args.poll_interval,
            clock_skew_seconds=args.clock_skew,
            region=args.region,
            since=args.since,
        )
        result = verify_delivery(report, options, progress=None if args.json else print_progress)
    except IngestError as exc:
        return fail_on_error(COMMAND, exc)
    except KeyboardInterrupt:
        return fail(COMMAND, 1, "interrupted before every record was found")
    return show_result(result, as_json=args.json)


def print_progress(progress: PollProgress) -> None:
    print(f"ingest {COMMAND}: {progress.line()}", file=sys.stderr, flush=True)


def show_result(result: VerifyResult, *, as_json: bool) -> int:
    """Print the result; the exit status is 0 iff nothing is missing, with one stderr line when it is not."""
    if as_json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(result.summary())
    return 0 if result.ok else fail(COMMAND, 1, result.reason())
