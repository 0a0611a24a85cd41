"""`python -m ingest smoke`: the post-deploy smoke test. Publish through the real `publish` code path to the
stream a stack exports, then verify that every published record reached its bucket.

It passes (exit 0) only when something was published and every published record arrived: a smoke test that
published nothing proves nothing, and a publish failure fails it even if what was published arrived (exit
1). Stack outputs that cannot be read or lack a key, and the setup errors of `publish`/`verify`, exit 2.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest.commands.console import fail
from ingest.commands.publish import PublishOptions, publish
from ingest.errors import ConfigurationError, IngestError
from ingest.run.report import RunReport
from ingest.smoke import StackOutputs, pulumi_stack_outputs, read_outputs_file
from ingest.sources import DEFAULT_SOURCE
from ingest.verify import (
    DEFAULT_POLL_INTERVAL_SECONDS,
    PollProgress,
    VerifyOptions,
    VerifyResult,
    default_timeout_seconds,
    verify_delivery,
)

COMMAND = "smoke"
LISTED_MISSING = 5


@dataclass(frozen=True)
class SmokeOptions:
    outputs: StackOutputs
    report: Path
    dead_letter: Path
    source: str = DEFAULT_SOURCE
    no_sign_request: bool = False
    region: str | None = None
    """Overrides the stack's `region` output."""
    timeout_seconds: float | None = None
    """None: derived from the stack's buffering interval (2 x interval + 300 s)."""
    poll_interval_seconds: float = DEFAULT_POLL_INTERVAL_SECONDS


@dataclass(frozen=True)
class SmokeResult:
    status: int
    report: RunReport | None
    """None when the publish could not start (it printed why)."""
    verification: VerifyResult | None
    """None when the publish did not get far enough to verify anything."""


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
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=DEFAULT_POLL_INTERVAL_SECONDS,
        metavar="SECONDS",
        help=f"time between looks at the bucket (default {DEFAULT_POLL_INTERVAL_SECONDS:g})",
    )
    parser.add_argument("--report", type=Path, metavar="PATH", help="run report (default: in a new temp directory)")
    parser.add_argument("--dead-letter", type=Path, metavar="PATH", help="dead letters (default: next to the report)")
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
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
        result = run_smoke(options, progress=_print_progress)
    except ConfigurationError as exc:
        return fail(COMMAND, 2, str(exc))
    except IngestError as exc:
        return fail(COMMAND, 1, str(exc))
    except KeyboardInterrupt:
        return fail(COMMAND, 1, "interrupted")
    if result.verification is not None:
        print(smoke_summary(result, options))
    reason = failure_reason(result)
    return fail(COMMAND, result.status, reason) if reason else result.status


def _paths(report: Path | None, dead_letter: Path | None) -> tuple[Path, Path]:
    """Files a CI job can pick up afterwards: the given ones (dead letters next to a given report), or a fresh
    temp directory that the summary names."""
    if report is None:
        report = Path(tempfile.mkdtemp(prefix="ingest-smoke-")) / "report.json"
    return report, dead_letter or report.parent / "dead-letter.jsonl"


def _print_progress(progress: PollProgress) -> None:
    print(f"ingest {COMMAND}: {progress.line()}", file=sys.stderr, flush=True)


def run_smoke(
    options: SmokeOptions,
    *,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[PollProgress], None] | None = None,
) -> SmokeResult:
    """Raises ConfigurationError when the bucket cannot be read for a setup reason."""
    outputs = options.outputs
    region = options.region or outputs.region
    timeout = options.timeout_seconds
    if timeout is None:
        timeout = default_timeout_seconds(outputs.buffering_interval_seconds)
    published = publish(
        PublishOptions(
            stream=outputs.stream_name,
            source=options.source,
            no_sign_request=options.no_sign_request,
            region=region,
            report=options.report,
            dead_letter=options.dead_letter,
            quiet=True,
        )
    )
    if published.report is None or published.status == 2 or published.report.aborted:
        return SmokeResult(published.status, published.report, None)
    verification = verify_delivery(
        published.report,
        VerifyOptions(
            bucket=outputs.bucket_name,
            prefix=outputs.delivery_prefix,
            error_prefix=outputs.error_prefix,
            timeout_seconds=timeout,
            poll_interval_seconds=options.poll_interval_seconds,
            region=region,
        ),
        sleep=sleep,
        progress=progress,
    )
    passed = published.status == 0 and verification.ok and published.report.records_published > 0
    return SmokeResult(0 if passed else 1, published.report, verification)


def smoke_summary(result: SmokeResult, options: SmokeOptions) -> str:
    """One paragraph: verdict, what was published, what arrived and how fast, and where the files are."""
    report, verification = result.report, result.verification
    if report is None or verification is None:
        return f"Smoke test of {options.outputs.origin}: FAILED before anything could be verified."
    sentences = [
        f"Smoke test of {options.outputs.origin}: {'PASSED' if result.status == 0 else 'FAILED'}.",
        f"Run {report.run_id} published {report.records_published} of {report.records_read} records from "
        f"{report.source} to stream {report.stream} ({report.records_rejected} rejected, "
        f"{report.records_failed} failed).",
        f"{verification.delivered} of {verification.expected} arrived in s3://{verification.bucket}/"
        f"{verification.prefix} ({verification.missing} missing, {verification.duplicated} duplicated, "
        f"{verification.failed_delivery_count} under s3://{verification.bucket}/{verification.error_prefix}).",
    ]
    first, last = verification.first_arrival_seconds, verification.last_arrival_seconds
    if first is not None and last is not None:
        sentences.append(f"First arrival {first:+.1f} s, last {last:+.1f} s after the publish finished.")
    if verification.missing_records:
        named = ", ".join(f"{ref.uri} #{ref.index}" for ref in verification.missing_records[:LISTED_MISSING])
        sentences.append(f"First missing: {named}.")
    sentences.append(f"Report: {options.report}; dead letters: {report.dead_letter or 'none written'}.")
    return " ".join(sentences)


def failure_reason(result: SmokeResult) -> str | None:
    """The stderr line of a failed smoke test, unless `publish` already printed one."""
    report, verification = result.report, result.verification
    if result.status == 0 or report is None or verification is None:
        return None
    if report.records_published == 0:
        return "nothing was published, so nothing was proven"
    if not verification.ok:
        return verification.reason()
    return None
