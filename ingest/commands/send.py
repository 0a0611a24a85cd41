"""`python -m ingest send`: post records to the tracking endpoint, the reference producer for any platform.

The work is `ingest.endpoint.send.send()`; this module parses the flags and prints the summary. `--report PATH`
writes `send`'s report, which `ingest verify --report PATH` reads.

Exit status: 0 when every valid record was accepted, 1 when some failed, 2 for usage and configuration errors
(unreadable file, bad URL, refused API key).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ingest.commands.arguments import whole_number
from ingest.commands.console import fail, fail_on_error
from ingest.endpoint.contract import API_KEY_ENVIRONMENT, MAX_BATCH_RECORDS
from ingest.errors import IngestError
from ingest.formats import AUTO, format_names

COMMAND = "send"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        COMMAND,
        help="post records to the HTTPS tracking endpoint (the reference producer for any platform)",
        description=(
            "Validate the records of FILE (a local file, an s3:// object or an HTTP(S) URL, read as `publish` reads "
            "them; or - for standard input) and POST them to the tracking endpoint in batches of up to 500, "
            "resending the entries it reports as failed with backoff."
        ),
    )
    parser.add_argument(
        "file",
        metavar="FILE",
        help="records to send (JSON array, JSON Lines, CSV, XML): a path, s3://bucket/key, https URL, or - for stdin",
    )
    parser.add_argument("--endpoint", required=True, metavar="URL", help="the stack's trackingEndpointUrl")
    parser.add_argument(
        "--api-key",
        default=os.environ.get(API_KEY_ENVIRONMENT),
        metavar="KEY",
        help=f"the endpoint's API key (default: ${API_KEY_ENVIRONMENT}); not needed with httpAuth none",
    )
    parser.add_argument(
        "--format", default=AUTO, choices=[AUTO, *format_names()], help="record format (auto: from the extension)"
    )
    parser.add_argument(
        "--batch-size",
        type=whole_number(1, MAX_BATCH_RECORDS),
        default=MAX_BATCH_RECORDS,
        metavar="N",
        help="records per request (1-500)",
    )
    parser.add_argument("--no-sign-request", action="store_true", help="read an S3 object anonymously")
    parser.add_argument("--region", help="AWS region of an s3:// object (default: AWS chain)")
    parser.add_argument("--report", type=Path, metavar="PATH", help="write a report that `ingest verify` reads")
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from ingest.endpoint.send import SendOptions, send  # requests only for a command that sends

    options = SendOptions(
        endpoint=args.endpoint,
        source=args.file,
        api_key=args.api_key,
        format=args.format,
        batch_size=args.batch_size,
        report=args.report,
        no_sign_request=args.no_sign_request,
        source_region=args.region,
    )
    try:
        result = send(options)
    except IngestError as exc:
        return fail_on_error(COMMAND, exc)
    print(result.summary())
    if options.report is not None:
        print(f"report: {options.report} (check delivery with: python -m ingest verify --report {options.report} ...)")
    return fail(COMMAND, result.status, result.reason()) if result.status != 0 else 0
