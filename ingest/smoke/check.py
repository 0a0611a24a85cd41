"""`smoke()`: the post-deploy smoke test from a stack's outputs. Publish through `publish()` to the stream the
stack exports, then verify that every published record reached its bucket.

It passes (status 0) only when something was published and every published record arrived: a smoke test that
published nothing proves nothing, and a publish failure fails it even if what was published arrived (status 1).
The setup errors of `publish` give status 2; those of `verify` raise ConfigurationError. It never prints.
Its two steps are public too (`publish_options`, then `check_published`), so the command can run the publish step
in its console session (signals, logging) and nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest.run.publish import PublishOptions, PublishResult, publish
from ingest.run.report import RunReport
from ingest.run.stop import StopRequest
from ingest.smoke.outputs import StackOutputs
from ingest.sources import DEFAULT_SOURCE
from ingest.verify.options import DEFAULT_POLL_INTERVAL_SECONDS, VerifyOptions, default_timeout_seconds
from ingest.verify.polling import PollProgress, verify_delivery
from ingest.verify.result import VerifyResult

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
    published: PublishResult
    """The publish step; its `problem` says why it failed, when it did."""
    verification: VerifyResult | None
    """None when the publish did not get far enough to verify anything."""
    problem: str | None = None
    """Why the smoke test itself failed once the publish got through (nothing published, records missing)."""

    @property
    def report(self) -> RunReport | None:
        return self.published.report


def smoke(
    options: SmokeOptions,
    *,
    stop: StopRequest | None = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[PollProgress], None] | None = None,
) -> SmokeResult:
    """Publish, then check. Raises ConfigurationError when the bucket cannot be read for a setup reason."""
    published = publish(publish_options(options), stop=stop)
    return check_published(options, published, sleep=sleep, progress=progress)


def publish_options(options: SmokeOptions) -> PublishOptions:
    """The publish step's options: the stack's stream, in the stack's region unless `options` names another."""
    return PublishOptions(
        stream=options.outputs.stream_name,
        source=options.source,
        no_sign_request=options.no_sign_request,
        region=options.region or options.outputs.region,
        report=options.report,
        dead_letter=options.dead_letter,
    )


def check_published(
    options: SmokeOptions,
    published: PublishResult,
    *,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[PollProgress], None] | None = None,
) -> SmokeResult:
    """The verdict on a publish step: verified against the stack's bucket when the publish got far enough."""
    outputs = options.outputs
    region = options.region or outputs.region
    timeout = options.timeout_seconds
    if timeout is None:
        timeout = default_timeout_seconds(outputs.buffering_interval_seconds)
    if published.report is None or published.status == 2 or published.report.aborted:
        return SmokeResult(published.status, published, None)
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
    problem = None
    if published.report.records_published == 0:
        problem = "nothing was published, so nothing was proven"
    elif not verification.ok:
        problem = verification.reason()
    passed = published.status == 0 and problem is None
    return SmokeResult(0 if passed else 1, published, verification, problem)


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
    latency = verification.latency_sentence()
    if latency is not None:
        sentences.append(latency)
    if verification.missing_records:
        named = ", ".join(f"{ref.uri} #{ref.index}" for ref in verification.missing_records[:LISTED_MISSING])
        sentences.append(f"First missing: {named}.")
    sentences.append(f"Report: {options.report}; dead letters: {report.dead_letter or 'none written'}.")
    return " ".join(sentences)
