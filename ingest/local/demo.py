"""`python -m ingest demo`: the whole path on this machine, no AWS account, no Pulumi.

Emulator -> source bucket seeded with the sample (or `--records N` generated) data -> the dev stack's pipeline
provisioned -> the real `publish` -> the Firehose stand-in delivers -> the real `verify` -> the named queries
(the SQL the Athena workgroup runs) with DuckDB over what was delivered, and a chart of it. The emulator lives
only as long as the run, so what is worth looking at afterwards is written to the output directory: the run
report, the verification result, the stack outputs, a copy of every object the bucket received, the query
results and the chart.

With `endpoint_records` (by default one more day, 288 records, after the dataset), part of the data takes the
other way in: the demo serves the tracking endpoint on a loopback port with the local stand-in for API Gateway
(`ingest.local.gateway`), sends those records through it with the real `send`, and checks them with `verify`
against `send`'s report, which names each record by the request id the endpoint stamped on it.

It runs the library functions (`publish()`, `send()`, `verify_delivery()`) and never prints itself: `progress`
gets one line per step, and the result says what happened (`summary()`) and why it failed (`problem`).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from components.core.settings import TrackingPipelineArgs
from components.core.stack_outputs import BUCKET_NAME
from ingest.endpoint.send import SendOptions, SendResult, send
from ingest.errors import ConfigurationError
from ingest.json_files import write_json_atomically
from ingest.local.firehose_standin import DeliveredObject
from ingest.local.gateway_server import LocalEndpoint, SignedKinesis, local_gateway, serving_endpoint
from ingest.local.stack import LocalStack, running_local_stack
from ingest.query import QueryResult, find_delivered, run_named_queries
from ingest.query.chart import draw_daily_candles
from ingest.query.sources import DEMO_COPIES_FOLDER, DEMO_OUTPUTS_FILE, demo_data_folder
from ingest.query.table import result_table
from ingest.run.publish import PublishOptions, publish
from ingest.run.report import RunReport
from ingest.sample import generate_records
from ingest.sample.generator import DEFAULT_START, INTERVAL_SECONDS
from ingest.verify import VerifyOptions, VerifyResult
from ingest.verify.polling import verify_delivery
from ingest.verify.reports import PublishedRecords
from ingest.wording import counted

DEFAULT_OUT_ROOT = Path("out")
VERIFY_TIMEOUT_SECONDS = 30.0
"""The relay is flushed before `verify` starts, so everything should be there at the first look; the timeout
only covers a slow machine."""
VERIFY_POLL_SECONDS = 0.5
COPIES_FOLDER = DEMO_COPIES_FOLDER
QUERIES_FILE = "queries.txt"
CHART_FILE = "daily-candles.png"
SUMMARY_QUERY = "daily_ohlc"
"""The result the summary prints in full (one row per day); the others are summed up in a line each."""
ENDPOINT_RECORDS = 288
"""What the demo sends through the endpoint by default: one more day of 5-minute intervals."""
ENDPOINT_SEED = 9
DEPLOYED_ENDPOINT_LINES = (
    "URL=$(pulumi stack output trackingEndpointUrl --stack dev)",
    'KEY=$(aws apigateway get-api-key --api-key "$(pulumi stack output apiKeyId --stack dev)" --include-value '
    "--query value --output text)",
)
"""The two shell lines of docs/endpoint.md ("Try it") that `curl_example` reads its URL and key from."""

Progress = Callable[[str], None]


class StepLines:
    """The default progress: one stderr line per step, with the seconds since the demo started."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._started = clock()

    def __call__(self, message: str) -> None:
        print(f"demo: [{self._clock() - self._started:5.1f} s] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class DemoOptions:
    records: int | None = None
    """Generate this many records instead of uploading the committed sample dataset."""
    aggregate: bool = True
    out: Path | None = None
    """Where the artifacts go; default: a new `out/demo-<UTC time>/` under the working directory."""
    verify_timeout_seconds: float = VERIFY_TIMEOUT_SECONDS
    endpoint_records: int = ENDPOINT_RECORDS
    """Also send this many generated records through the local tracking endpoint (0: do not serve it)."""


@dataclass
class DemoResult:
    status: int
    out: Path
    seconds: float = 0.0
    report: RunReport | None = None
    verification: VerifyResult | None = None
    delivered: list[DeliveredObject] = field(default_factory=list)
    """Every object the relay wrote: by buffer size or interval while publishing, then the final flush."""
    flushed: int = 0
    """How many of them the final flush wrote."""
    copies: list[Path] = field(default_factory=list)
    stack: dict[str, Any] = field(default_factory=dict)
    """The local stack's outputs (what `pulumi stack output --json` prints for a deployed stack)."""
    endpoint: SendResult | None = None
    """What `send` did through the local endpoint (None when the demo did not serve it)."""
    endpoint_verification: VerifyResult | None = None
    curl: str | None = None
    """A curl command that posts one record to a deployed stack's endpoint (the local one is gone by the end)."""
    problem: str | None = None
    """Why the status is not 0, in one line."""
    queries: list[QueryResult] = field(default_factory=list)
    """The named queries over the delivered copies (DuckDB, the SQL Athena runs)."""
    chart: Path | None = None
    chart_note: str | None = None
    """Why there is no chart, when there is none."""

    def summary(self) -> str:
        return _summary(self)


def default_out_dir(root: Path = DEFAULT_OUT_ROOT, now: datetime | None = None) -> Path:
    """`out/demo-<yyyymmddThhmmssZ>/`, with `-2`, `-3`... when two runs start in the same second."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    candidate = root / f"demo-{stamp}"
    attempt = 1
    while candidate.exists():
        attempt += 1
        candidate = root / f"demo-{stamp}-{attempt}"
    return candidate


def make_out_dir(out: Path | None) -> Path:
    """The artifacts' folder, created now: an unwritable one is a usage error before anything starts."""
    folder = out or default_out_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(f"cannot create {folder}: {exc.strerror or exc}") from None
    return folder


def run_demo(
    options: DemoOptions, *, args: TrackingPipelineArgs | None = None, progress: Progress | None = None
) -> DemoResult:
    """Run everything; status 0 only when every record was published and `verify` finds none missing.
    `args` replaces the dev stack's settings (tests use it to try other compressions)."""
    if options.records is not None and options.records < 1:
        raise ConfigurationError(f"--records must be at least 1, got {options.records}")
    if options.endpoint_records < 0:
        raise ConfigurationError(f"--endpoint-records must be at least 0, got {options.endpoint_records}")
    out = make_out_dir(options.out)
    started = time.monotonic()
    progress = progress or StepLines()
    progress("starting the AWS emulator (moto) and the local pipeline")
    with running_local_stack(args=args, records=options.records) as stack:
        result = DemoResult(status=1, out=out, stack=stack.pipeline.outputs())
        _describe_stack(stack, progress)
        if options.endpoint_records:
            with _serving_local_endpoint(stack) as endpoint:
                result.stack = stack.pipeline.serving(endpoint.url).outputs()
                _publish_and_verify(stack, options, result, progress, endpoint)
        else:
            _publish_and_verify(stack, options, result, progress, None)
        result.copies = _copy_bucket(stack, out / COPIES_FOLDER)
    write_json_atomically(out / DEMO_OUTPUTS_FILE, result.stack, indent=2)
    if result.copies:
        _query_delivered(result, progress)
    result.seconds = time.monotonic() - started
    return result


def _query_delivered(result: DemoResult, progress: Progress) -> None:
    """The workgroup's named queries, run with DuckDB over the copies of what was delivered; the daily candles."""
    folder = demo_data_folder(result.out)
    progress(f"running the named queries (Athena's SQL) with DuckDB over {folder}")
    objects = find_delivered(folder)
    result.queries = run_named_queries(objects)
    text = "\n\n".join(f"## {query.name}\n{result_table(query)}" for query in result.queries)
    (result.out / QUERIES_FILE).write_text(text + "\n", encoding="utf-8")
    daily = next(query for query in result.queries if query.name == SUMMARY_QUERY)
    try:
        result.chart = draw_daily_candles(daily, result.out / CHART_FILE, caption=f"local demo, {objects.format}")
    except ConfigurationError as exc:
        result.chart_note = str(exc)


def _describe_stack(stack: LocalStack, progress: Progress) -> None:
    settings = stack.firehose.settings
    progress(f"emulator at {stack.emulator.endpoint_url}, region {stack.emulator.region}")
    progress(
        f"source {stack.source.url}: {len(stack.source.keys)} objects, {stack.source.records} records "
        f"(bucket {stack.source.bucket} on the emulator)"
    )
    args = stack.pipeline.args
    progress(
        f"dev stack provisioned: stream {stack.pipeline.names.stream} ({args.stream_mode}, "
        f"{counted(args.shard_count, 'shard')}), delivery stream {settings.delivery_stream_name} -> s3://{settings.bucket}/{args.data_prefix}"
        f"year=/month=/day=/hour=/ ({settings.compression}, buffering {args.buffering_size_mb} MiB / "
        f"{args.buffering_interval_seconds} s)"
    )


def _serving_local_endpoint(stack: LocalStack) -> AbstractContextManager[LocalEndpoint]:
    """The stand-in for the dev stack's endpoint, forwarding to the emulator's stream."""
    kinesis = SignedKinesis(
        stack.emulator.endpoint_url, region=stack.emulator.region, credentials=stack.emulator.session.get_credentials()
    )
    try:
        gateway = local_gateway(stack.pipeline.args, stream_name=stack.pipeline.names.stream, kinesis=kinesis)
    except ValueError as exc:
        raise ConfigurationError(f"the dev stack's endpoint: {exc}") from None
    return serving_endpoint(gateway)


def _publish_and_verify(
    stack: LocalStack, options: DemoOptions, result: DemoResult, progress: Progress, endpoint: LocalEndpoint | None
) -> None:
    pipeline = stack.pipeline
    progress(f"publishing with `publish` to {pipeline.names.stream}")
    published = publish(
        PublishOptions(
            stream=pipeline.names.stream,
            source=stack.source.url,
            aggregate=options.aggregate,
            region=pipeline.region,
            report=result.out / "report.json",
            dead_letter=result.out / "dead-letter.jsonl",
        )
    )
    result.report = published.report
    if published.report is None or published.report.aborted:  # could not start, or stopped
        result.status, result.problem = published.status, f"publish: {published.problem}"
        return
    report = published.report
    progress(
        f"published {report.records_published} of {report.records_read} records in "
        f"{counted(report.kinesis_records, 'Kinesis record')} ({report.records_rejected} rejected, "
        f"{report.records_failed} failed)"
    )
    if endpoint is not None:
        _send_through_endpoint(stack, options, result, progress, endpoint)
    progress("flushing the Firehose stand-in (AWS would deliver within the buffering interval)")
    result.flushed = len(stack.firehose.flush())
    result.delivered = stack.firehose.delivered
    progress(f"verifying with `verify` against s3://{pipeline.names.bucket}/{pipeline.args.data_prefix}")
    result.verification = _verify(stack, options, published.report)
    write_json_atomically(result.out / "verify.json", result.verification.to_dict(), indent=2)
    problems = [f"publish: {published.problem}"] if published.problem else []
    if not result.verification.ok:
        problems.append(f"verify: {result.verification.reason()}")
    if result.endpoint is not None:
        progress("verifying the records sent through the endpoint with `verify` and `send`'s report")
        result.endpoint_verification = _verify(stack, options, result.endpoint.report)
        write_json_atomically(result.out / "endpoint-verify.json", result.endpoint_verification.to_dict(), indent=2)
        if result.endpoint.status != 0:
            problems.append(f"send: {result.endpoint.reason()}")
        if not result.endpoint_verification.ok:
            problems.append(f"verify (endpoint): {result.endpoint_verification.reason()}")
    result.status = 1 if problems else 0
    result.problem = "; ".join(problems) or None


def _verify(stack: LocalStack, options: DemoOptions, report: PublishedRecords) -> VerifyResult:
    pipeline = stack.pipeline
    return verify_delivery(
        report,
        VerifyOptions(
            bucket=pipeline.names.bucket,
            prefix=pipeline.args.data_prefix,
            error_prefix=pipeline.args.error_prefix,
            timeout_seconds=options.verify_timeout_seconds,
            poll_interval_seconds=VERIFY_POLL_SECONDS,
            region=pipeline.region,
        ),
    )


def _send_through_endpoint(
    stack: LocalStack, options: DemoOptions, result: DemoResult, progress: Progress, endpoint: LocalEndpoint
) -> None:
    """The records that follow the dataset in time, written to a file and sent with the real `send`."""
    start = DEFAULT_START + stack.source.records * INTERVAL_SECONDS
    records = list(generate_records(options.endpoint_records, start=start, seed=ENDPOINT_SEED))
    path = result.out / "endpoint-records.json"
    write_json_atomically(path, records, indent=2)
    api_key = endpoint.gateway.api_keys[0] if endpoint.gateway.api_keys else None
    result.curl = curl_example(records[0])
    progress(f"serving the tracking endpoint at {endpoint.url} for the demo (a local stand-in for API Gateway)")
    progress(f"sending {len(records)} more records through it with `send`")
    result.endpoint = send(
        SendOptions(
            endpoint=endpoint.url, source=str(path), api_key=api_key, report=result.out / "endpoint-report.json"
        )
    )
    progress(f"the endpoint accepted {result.endpoint.accepted} of {len(records)} records")


def curl_example(record: dict[str, Any]) -> str:
    """One record posted to a deployed stack's `POST <trackingEndpointUrl>/v1/records`, as a shell command that
    reads the URL and the API key from the environment (docs/endpoint.md says how to get them)."""
    body = json.dumps({"data": record}, separators=(",", ":"))
    return (
        f"curl -sS -X POST \"$URL/v1/records\" -H 'Content-Type: application/json' -H \"x-api-key: $KEY\" -d '{body}'"
    )


def _copy_bucket(stack: LocalStack, root: Path) -> list[Path]:
    """Every object of the destination bucket, saved under `root/<bucket>/<key>` before the emulator goes."""
    s3 = stack.emulator.client("s3")
    bucket = stack.pipeline.names.bucket
    copies = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", ()):
            path = root / bucket / entry["Key"]
            path.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, entry["Key"], str(path))
            copies.append(path)
    return copies


def _summary(result: DemoResult) -> str:
    return "\n".join([*_what_happened(result), *_where_to_look(result)])


def _what_happened(result: DemoResult) -> list[str]:
    lines = []
    verdict = {0: "every published record reached the bucket", 2: "could not start"}.get(
        result.status, "NOT every published record reached the bucket"
    )
    lines.append(f"Local demo: {verdict} ({result.seconds:.1f} s).")
    report = result.report
    if report is not None:
        aggregation = "aggregated" if report.aggregate else "one per Kinesis record"
        lines.append(
            f"  publish   {report.records_published} of {report.records_read} records from {report.source} (on the "
            "emulator) "
            f"to stream {report.stream} in {counted(report.kinesis_records, 'Kinesis record')} ({aggregation}); "
            f"{report.records_rejected} rejected, {report.records_failed} failed"
        )
    if result.delivered:
        records = sum(item.records for item in result.delivered)
        by_buffer = len(result.delivered) - result.flushed
        lines.append(
            f"  deliver   {counted(len(result.delivered), 'object')}, {records} records, by the local stand-in for "
            f"Firehose ({by_buffer} by buffer size or interval, {result.flushed} flushed at the end instead of "
            "waiting for the interval)"
        )
    if result.verification is not None:
        lines.append("  verify    " + result.verification.summary().replace("\n", "\n            "))
    if result.endpoint is not None:
        lines.append("  endpoint  " + result.endpoint.summary().replace("\n", "\n            "))
        lines.append("            through the local stand-in for API Gateway (same models and mapping templates)")
    if result.endpoint_verification is not None:
        lines.append("  verify    " + result.endpoint_verification.summary().replace("\n", "\n            "))
    if result.queries:
        lines.append(f"  query     {_query_summary(result.queries)}")
        daily = next(query for query in result.queries if query.name == SUMMARY_QUERY)
        lines.append("            " + result_table(daily, max_rows=10).replace("\n", "\n            "))
    if result.chart_note is not None:
        lines.append(f"            (no chart: {result.chart_note})")
    if result.curl is not None:
        lines.append("Post one record to a deployed stack's endpoint yourself (docs/endpoint.md):")
        lines.extend(f"  {line}" for line in DEPLOYED_ENDPOINT_LINES)
        lines.append(f"  {result.curl}")
    return lines


def _where_to_look(result: DemoResult) -> list[str]:
    lines = [f"Where to look (the emulator has stopped; these are copies), in {result.out}:"]
    lines.append(f"  {'report.json':<20} the publish run report")
    if result.verification is not None:
        lines.append(f"  {'verify.json':<20} the verification result (`verify --json`)")
    if result.endpoint is not None:
        lines.append(
            f"  {'endpoint-*.json':<20} the records sent through the endpoint, `send`'s report, its verification"
        )
    lines.append(f"  {'stack-outputs.json':<20} the local stack's outputs: names, ARNs, prefixes")
    if result.queries:
        lines.append(f"  {QUERIES_FILE:<20} every named query's result (`python -m ingest query` runs them again)")
    if result.chart is not None:
        lines.append(f"  {CHART_FILE:<20} the daily candles of the delivered series")
    bucket = result.stack.get(BUCKET_NAME.key, "")
    for path in result.copies[:3]:
        lines.append(f"  {str(path.relative_to(result.out)):<20}")
    if len(result.copies) > 3:
        lines.append(f"  ... and {len(result.copies) - 3} more under {COPIES_FOLDER}/{bucket}/")
    compressed = [path for path in result.copies if path.suffix == ".gz"]
    if compressed:
        lines.append(f"  (read one with: zcat {compressed[0]} | head -3)")
    if result.queries:
        lines.append(f"  (query them again with: python -m ingest query {result.out})")
    return lines


def _query_summary(results: list[QueryResult]) -> str:
    counts = {query.name: len(query.rows) for query in results}
    return (
        f"named queries with DuckDB over the delivered copies: {counted(counts.get('latest_24_hours', 0), 'row')} in "
        f"the latest 24 hours, {counted(counts.get('data_quality', 0), 'data quality finding')}, daily OHLC:"
    )
