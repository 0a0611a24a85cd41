"""`python -m ingest send`: post records to the tracking endpoint, the reference producer for any platform.

Reads FILE (or `-` for standard input) in any format `publish` reads, validates every record against the data
dictionary as `publish` does (an invalid record is reported and never sent), and POSTs the records to
`<endpoint>/v1/batch` in batches of at most 500, the endpoint's limit. What it does is what a producer on any
platform should do:

- entries the endpoint lists as failed are sent again, alone, when their Kinesis error code is a transient one
  (throttling, internal errors); whole requests answered 429, 500, 502 (with a transient code), 503 or 504, or
  lost to a connection error, are sent again; both with exponential backoff and full jitter;
- a refused API key or an unknown route (403) stops the run at once: resending will not fix it.

`--report PATH` writes a run report that `ingest verify` reads. The endpoint stamps each record's provenance
itself (`_ingest.source` = `apigateway://<api>/<stage>/v1/batch`, `run_id` = the request id, `index` = the
position in the request), so the report holds one entry per accepted request, under the source and request id
the endpoint answered with, plus one entry for the input file with what was rejected or failed.

Exit status: 0 when every valid record was accepted, 1 when some failed, 2 for usage and configuration errors
(unreadable file, bad URL, refused API key).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast
from urllib.parse import urlsplit

import requests

from ingest.commands.console import fail
from ingest.errors import ConfigurationError, FormatError, IngestError, RecordValidationError
from ingest.formats import AUTO, MalformedRecord, detect_format, format_names, read_object
from ingest.publishing.retry import DEFAULT_RETRY_POLICY, RetryPolicy
from ingest.records import validate_record
from ingest.run.report import ObjectReport, ObjectStatus, RunReport, new_run_id, utc_now, write_report
from ingest.sources.base import SourceObject

COMMAND = "send"
STDIN = "-"
STDIN_URI = "stdin:"
BATCH_PATH = "/v1/batch"
MAX_BATCH_RECORDS = 500
API_KEY_ENVIRONMENT = "TRACKING_API_KEY"
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 35.0
"""Above API Gateway's 29 s integration timeout, so the endpoint answers before the client gives up."""
RETRYABLE_STATUSES = frozenset({429, 503, 504})
STREAM_SIDE_STATUSES = frozenset({500, 502})
"""Retried only when the endpoint names a transient Kinesis error code (or none at all)."""
REPORT_FORMAT = "endpoint"
LISTED_PROBLEMS = 5


@dataclass(frozen=True)
class SendOptions:
    endpoint: str
    """The stack's `trackingEndpointUrl` (or the local stand-in's URL)."""
    source: str
    """A file path, or `-` for standard input."""
    api_key: str | None = None
    format: str = AUTO
    batch_size: int = MAX_BATCH_RECORDS
    report: Path | None = None
    retry: RetryPolicy = DEFAULT_RETRY_POLICY


@dataclass
class SendResult:
    status: int
    report: RunReport
    input: ObjectReport
    """The report's entry for the input itself: records rejected or failed (accepted ones are under requests)."""
    requests: int = 0
    retries: int = 0
    problems: list[str] = field(default_factory=list)
    """The first rejections and failures, one line each."""

    @property
    def accepted(self) -> int:
        return self.report.records_published

    def summary(self) -> str:
        report = self.report
        lines = [
            f"sent {report.records_read} records from {report.source} to {report.stream}: "
            f"{report.records_published} accepted, {report.records_rejected} rejected (invalid, not sent), "
            f"{report.records_failed} failed; {self.requests} requests, {self.retries} resent"
        ]
        lines += [f"  {problem}" for problem in self.problems[:LISTED_PROBLEMS]]
        if len(self.problems) > LISTED_PROBLEMS:
            lines.append(f"  ... and {len(self.problems) - LISTED_PROBLEMS} more")
        return "\n".join(lines)


class EndpointRefusedError(ConfigurationError):
    """403 from the endpoint: a missing or unknown API key, or a URL that is not the endpoint's."""


@dataclass(frozen=True)
class _Entry:
    index: int
    """The record's index in the input file."""
    data: dict[str, Any]


@dataclass(frozen=True)
class _Reply:
    status: int | None
    """None when no response arrived (connection error, timeout)."""
    body: Any = None
    error: str = ""


class _Run:
    """What every request of one send shares: the options, the HTTP session, the clock and the dice."""

    def __init__(
        self, options: SendOptions, session: requests.Session, sleep: Callable[[float], None], rng: random.Random
    ):
        self.options = options
        self.session = session
        self.sleep = sleep
        self.rng = rng
        self.url = options.endpoint.rstrip("/") + BATCH_PATH

    def post(self, entries: list[_Entry]) -> _Reply:
        headers = {"Content-Type": "application/json", "User-Agent": "ingest-send"}
        if self.options.api_key:
            headers["x-api-key"] = self.options.api_key
        body = json.dumps({"records": [{"data": entry.data} for entry in entries]}, allow_nan=False)
        try:
            response = self.session.post(
                self.url,
                data=body.encode("utf-8"),
                headers=headers,
                timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
            )
        except requests.RequestException as exc:
            return _Reply(None, error=f"{type(exc).__name__}: {exc}")
        try:
            parsed = response.json()
        except ValueError:
            parsed = None
        return _Reply(response.status_code, parsed, response.text[:200])

    def retryable(self, reply: _Reply) -> bool:
        if reply.status is None or reply.status in RETRYABLE_STATUSES:
            return True
        if reply.status in STREAM_SIDE_STATUSES:
            code = reply.body.get("errorCode") if isinstance(reply.body, dict) else None
            return not code or self.options.retry.is_retryable(code)
        return False


def send(
    options: SendOptions,
    *,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> SendResult:
    """Send every valid record of `options.source`; raises ConfigurationError when the run cannot start or the
    endpoint refuses the caller."""
    _check_options(options)
    obj, opened = _open_source(options.source)
    run = _Run(options, session or requests.Session(), sleep, rng or random.Random())
    with opened as raw:
        format_name, stream = _resolve_format(raw, obj, options.format)
        report = RunReport(
            run_id=new_run_id(), source=obj.uri, stream=options.endpoint, aggregate=False, format=options.format
        )
        result = SendResult(
            status=1, report=report, input=ObjectReport(uri=obj.uri, run_id=report.run_id, format=format_name)
        )
        report.objects.append(result.input)
        batch: list[_Entry] = []
        try:
            for entry in _entries(stream, obj, format_name, result):
                batch.append(entry)
                if len(batch) == options.batch_size:
                    _deliver(run, batch, result)
                    batch = []
        except FormatError as exc:
            result.input.reason = str(exc)
            result.problems.append(f"{obj.uri}: {exc}")
        if batch:
            _deliver(run, batch, result)
    failed = result.input.failed or result.input.reason
    result.input.status = ObjectStatus.FAILED if failed else ObjectStatus.PUBLISHED
    report.finished_at = utc_now()
    if options.report is not None:
        write_report(report, options.report)
    result.status = 0 if report.succeeded else 1
    return result


def _check_options(options: SendOptions) -> None:
    parts = urlsplit(options.endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"--endpoint {options.endpoint!r} is not an http(s) URL (the stack's trackingEndpointUrl)"
        )
    if not 1 <= options.batch_size <= MAX_BATCH_RECORDS:
        raise ConfigurationError(f"--batch-size must be between 1 and {MAX_BATCH_RECORDS}, got {options.batch_size}")


class _Opened:
    """A context manager over the input stream that leaves standard input open."""

    def __init__(self, stream: BinaryIO, owned: bool) -> None:
        self._stream, self._owned = stream, owned

    def __enter__(self) -> BinaryIO:
        return self._stream

    def __exit__(self, *exc: object) -> None:
        if self._owned:
            self._stream.close()


def _open_source(source: str) -> tuple[SourceObject, _Opened]:
    if source == STDIN:
        return SourceObject(uri=STDIN_URI, key="stdin"), _Opened(sys.stdin.buffer, owned=False)
    path = Path(source).expanduser()
    try:
        stream = path.resolve().open("rb")
    except OSError as exc:
        raise ConfigurationError(f"cannot read {source}: {exc.strerror or exc}") from None
    return SourceObject(uri=path.resolve().as_uri(), key=path.name), _Opened(stream, owned=True)


def _resolve_format(stream: BinaryIO, obj: SourceObject, format_name: str) -> tuple[str, BinaryIO]:
    """The format to read with. A file is told by its extension, as `publish` does; standard input has no name,
    so its first byte decides: '[' starts a JSON array, anything else is read as JSON Lines."""
    if format_name != AUTO:
        return format_name, stream
    if obj.uri != STDIN_URI:
        return detect_format(obj), stream
    buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(cast(Any, stream))
    head = buffered.peek(4096).lstrip()[:1]
    return ("json" if head == b"[" else "jsonl"), cast(BinaryIO, buffered)


def _entries(stream: BinaryIO, obj: SourceObject, format_name: str, result: SendResult) -> Iterator[_Entry]:
    for item in read_object(stream, obj, format_name=format_name):
        if isinstance(item, MalformedRecord):
            _reject(result, f"{item.position}: {item.reason}")
            continue
        try:
            record = validate_record(item.value)
        except RecordValidationError as exc:
            _reject(result, f"{item.position}: {exc}")
            continue
        yield _Entry(item.index, record.as_dict())


def _reject(result: SendResult, problem: str) -> None:
    result.input.records_read += 1
    result.input.rejected += 1
    result.problems.append(f"rejected {problem}")


def _deliver(run: _Run, batch: list[_Entry], result: SendResult) -> None:
    """Send `batch` until every entry is accepted, fails for good, or the attempts run out."""
    pending = batch
    attempt = 0
    while pending:
        attempt += 1
        reply = run.post(pending)
        result.requests += 1
        if reply.status == 200 and isinstance(reply.body, dict):
            pending = _settle(run, pending, reply.body, result)
        elif reply.status == 403:
            raise EndpointRefusedError(
                f"{run.url} refused the request (403 {_message(reply)}): check --api-key (or {API_KEY_ENVIRONMENT}) "
                "and that --endpoint is the stack's trackingEndpointUrl"
            )
        elif not run.retryable(reply):
            _fail(pending, result, _describe(reply))
            return
        if pending and attempt >= run.options.retry.max_attempts:
            _fail(pending, result, f"still failing after {attempt} attempts ({_describe(reply)})")
            return
        if pending:
            result.retries += len(pending)
            run.sleep(run.options.retry.backoff(attempt, run.rng))


def _settle(run: _Run, pending: list[_Entry], body: dict[str, Any], result: SendResult) -> list[_Entry]:
    """Record the accepted entries under the request id and source the endpoint stamped; return those to resend."""
    failed = {entry["index"]: entry for entry in body.get("failed", []) if isinstance(entry, dict) and "index" in entry}
    accepted = [position for position in range(len(pending)) if position not in failed]
    if accepted:
        request = ObjectReport(
            uri=str(body.get("source") or run.url),
            run_id=str(body.get("requestId") or ""),
            format=REPORT_FORMAT,
            status=ObjectStatus.PUBLISHED,
            records_read=len(accepted),
            published=len(accepted),
        )
        for position in accepted:
            request.published_indices.add(position)
        result.report.objects.append(request)
    resend = []
    for position, failure in sorted(failed.items()):
        code = str(failure.get("errorCode") or "")
        if run.options.retry.is_retryable(code):
            resend.append(pending[position])
        else:
            _fail([pending[position]], result, f"{code}: {failure.get('errorMessage', '')}")
    return resend


def _fail(entries: list[_Entry], result: SendResult, reason: str) -> None:
    result.input.records_read += len(entries)
    result.input.failed += len(entries)
    result.problems.append(f"failed records {', '.join(str(e.index) for e in entries[:10])}: {reason}")


def _message(reply: _Reply) -> str:
    if isinstance(reply.body, dict) and reply.body.get("message"):
        return str(reply.body["message"])
    return reply.error or "no message"


def _describe(reply: _Reply) -> str:
    if reply.status is None:
        return reply.error
    details = reply.body.get("details") if isinstance(reply.body, dict) else None
    described = f"HTTP {reply.status}: {_message(reply)}"
    return f"{described} {details}" if details else described


def _batch_size(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= MAX_BATCH_RECORDS:
        raise argparse.ArgumentTypeError(f"expected 1 to {MAX_BATCH_RECORDS}, got {value}")
    return value


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        COMMAND,
        help="post records to the HTTPS tracking endpoint (the reference producer for any platform)",
        description=(
            "Validate the records of FILE (or - for standard input) and POST them to the tracking endpoint in "
            "batches of up to 500, resending the entries it reports as failed with backoff."
        ),
    )
    parser.add_argument(
        "file", metavar="FILE", help="records to send (JSON array, JSON Lines, CSV, XML), or - for stdin"
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
        "--batch-size", type=_batch_size, default=MAX_BATCH_RECORDS, metavar="N", help="records per request (1-500)"
    )
    parser.add_argument("--report", type=Path, metavar="PATH", help="write a run report that `ingest verify` reads")
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    options = SendOptions(
        endpoint=args.endpoint,
        source=args.file,
        api_key=args.api_key,
        format=args.format,
        batch_size=args.batch_size,
        report=args.report,
    )
    try:
        result = send(options)
    except ConfigurationError as exc:
        return fail(COMMAND, 2, str(exc))
    except IngestError as exc:
        return fail(COMMAND, 1, str(exc))
    print(result.summary())
    if options.report is not None:
        print(f"report: {options.report} (check delivery with: python -m ingest verify --report {options.report} ...)")
    if result.status != 0:
        fail(COMMAND, result.status, f"{result.report.records_failed} of {result.report.records_read} records failed")
    return result.status
