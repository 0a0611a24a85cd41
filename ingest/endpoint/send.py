"""`send()`: post the records of one object (or standard input) to the tracking endpoint, as any producer should.

The object is found as `publish` finds its objects (`ingest.sources`): a local file, an S3 object or an HTTP(S)
URL; a source that holds more than one object is refused, since a send report describes one input.

Records are read and validated by the same step `publish` uses (`ingest.record_reading`): an invalid record is
reported and never sent. Valid ones go to `<endpoint>/v1/batch` in batches of at most 500, the endpoint's limit:

- entries the endpoint lists as failed are sent again, alone, when their Kinesis error code is a transient one
  (throttling, internal errors); whole requests answered 429, 500, 502 (with a transient code), 503 or 504, or
  lost to a connection error, are sent again; both with exponential backoff and full jitter;
- a refused API key or an unknown route (403) stops the send at once: resending will not fix it.

It never prints; it raises ConfigurationError when the send cannot start or the endpoint refuses the caller.
"""

from __future__ import annotations

import io
import itertools
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast
from urllib.parse import urlsplit

import requests

from ingest.endpoint.client import EndpointClient
from ingest.endpoint.contract import MAX_BATCH_RECORDS
from ingest.endpoint.report import AcceptedRequest, SendReport, write_send_report
from ingest.errors import ConfigurationError, FormatError
from ingest.formats import AUTO
from ingest.record_reading import RejectedRecord, read_records, resolve_format, validated
from ingest.retry import DEFAULT_RETRY_POLICY, RetryPolicy
from ingest.sources import SourceObject, SourceOptions, SourceUnavailableError, open_source
from ingest.stamps import new_run_id, utc_now
from ingest.wording import counted

STDIN = "-"
STDIN_URI = "stdin:"
LISTED_PROBLEMS = 5


@dataclass(frozen=True)
class SendOptions:
    endpoint: str
    """The stack's `trackingEndpointUrl` (or the local stand-in's URL)."""
    source: str
    """A file path, an s3:// or HTTP(S) address of one object, or `-` for standard input."""
    api_key: str | None = None
    format: str = AUTO
    batch_size: int = MAX_BATCH_RECORDS
    report: Path | None = None
    retry: RetryPolicy = DEFAULT_RETRY_POLICY
    no_sign_request: bool = False
    """Read an S3 object anonymously."""
    source_region: str | None = None
    """Region of an s3:// object; None: the standard AWS chain."""


@dataclass
class SendResult:
    status: int
    """0 when every valid record was accepted, 1 when some failed or the input could not be read to the end."""
    report: SendReport
    problems: list[str] = field(default_factory=list)
    """The first rejections and failures, one line each."""

    @property
    def accepted(self) -> int:
        return self.report.records_accepted

    def summary(self) -> str:
        report = self.report
        lines = [
            f"sent {report.records_read} records from {report.source} to {report.endpoint}: "
            f"{report.records_accepted} accepted, {report.records_rejected} rejected (invalid, not sent), "
            f"{report.records_failed} failed; {counted(report.requests, 'request')}, {report.retries} resent"
        ]
        lines += [f"  {problem}" for problem in self.problems[:LISTED_PROBLEMS]]
        if len(self.problems) > LISTED_PROBLEMS:
            lines.append(f"  ... and {len(self.problems) - LISTED_PROBLEMS} more")
        return "\n".join(lines)

    def reason(self) -> str:
        """One line for stderr when the status is not 0."""
        report = self.report
        if report.input_error is not None:
            return f"{report.source} could not be read to the end: {report.input_error}"
        return f"{report.records_failed} of {report.records_read} records failed"


@dataclass(frozen=True)
class _Entry:
    index: int
    """The record's index in the input."""
    data: dict[str, Any]


def send(
    options: SendOptions,
    *,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> SendResult:
    """Send every valid record of `options.source`; the report is written to `options.report` when given."""
    _check_options(options)
    obj, opened = _open_input(options)
    client = EndpointClient(
        options.endpoint, api_key=options.api_key, retry=options.retry, session=session or requests.Session()
    )
    delivery = _Delivery(client, options.retry, sleep, rng or random.Random())
    report = SendReport(run_id=new_run_id(), source=obj.uri, endpoint=options.endpoint, format=options.format)
    result = SendResult(status=1, report=report)
    with opened as raw:
        report.input_format, stream = _input_format(raw, obj, options.format)
        batch: list[_Entry] = []
        try:
            for entry in _entries(stream, obj, report.input_format, result):
                batch.append(entry)
                if len(batch) == options.batch_size:
                    delivery.deliver(batch, result)
                    batch = []
        except FormatError as exc:
            report.input_error = str(exc)
            result.problems.append(f"{obj.uri}: {exc}")
        if batch:
            delivery.deliver(batch, result)
    report.finished_at = utc_now()
    if options.report is not None:
        write_send_report(report, options.report)
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


def _open_input(options: SendOptions) -> tuple[SourceObject, AbstractContextManager[BinaryIO]]:
    """The input as a stored object and its bytes; standard input is left open afterwards."""
    if options.source == STDIN:
        return SourceObject(uri=STDIN_URI, key="stdin"), nullcontext(sys.stdin.buffer)
    reach = SourceOptions(no_sign_request=options.no_sign_request, region=options.source_region)
    try:
        source = open_source(options.source, reach)
        objects = list(itertools.islice(source.list_objects(), 2))
    except SourceUnavailableError as exc:
        raise ConfigurationError(f"cannot read {options.source}: {exc}") from None
    if len(objects) != 1:
        holds = "no object" if not objects else "more than one object"
        raise ConfigurationError(f"cannot read {options.source}: it holds {holds}; send reads one file or object")
    return objects[0], source.open(objects[0])


def _input_format(stream: BinaryIO, obj: SourceObject, format_name: str) -> tuple[str, BinaryIO]:
    """The format to read with. A file is told by its extension, as `publish` does; standard input has no name,
    so its first byte decides: '[' starts a JSON array, anything else is read as JSON Lines."""
    if format_name != AUTO or obj.uri != STDIN_URI:
        return resolve_format(obj, format_name), stream
    buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(cast(Any, stream))
    head = buffered.peek(4096).lstrip()[:1]
    return ("json" if head == b"[" else "jsonl"), cast(BinaryIO, buffered)


def _entries(stream: BinaryIO, obj: SourceObject, format_name: str, result: SendResult) -> Iterator[_Entry]:
    for item in read_records(stream, obj, format_name=format_name, judge=validated):
        if isinstance(item, RejectedRecord):
            result.report.records_rejected += 1
            result.problems.append(f"rejected {item.position}: {item.reason}")
            continue
        yield _Entry(item.index, item.value.as_dict())


class _Delivery:
    """Sends batches until every entry is accepted, fails for good, or the attempts run out."""

    def __init__(
        self, client: EndpointClient, retry: RetryPolicy, sleep: Callable[[float], None], rng: random.Random
    ) -> None:
        self._client = client
        self._retry = retry
        self._sleep = sleep
        self._rng = rng

    def deliver(self, batch: list[_Entry], result: SendResult) -> None:
        pending = batch
        attempt = 0
        while pending:
            attempt += 1
            reply = self._client.post([entry.data for entry in pending])
            result.report.requests += 1
            if reply.status == 200 and isinstance(reply.body, dict):
                pending = self._settle(pending, reply.body, result)
            elif not self._client.retryable(reply):
                _fail(pending, result, reply.describe())
                return
            if pending and attempt >= self._retry.max_attempts:
                _fail(pending, result, f"still failing after {attempt} attempts ({reply.describe()})")
                return
            if pending:
                result.report.retries += len(pending)
                self._sleep(self._retry.backoff(attempt, self._rng))

    def _settle(self, pending: list[_Entry], body: dict[str, Any], result: SendResult) -> list[_Entry]:
        """Record the accepted entries under the request id and source the endpoint stamped; return those to resend."""
        failed = {item["index"]: item for item in body.get("failed", []) if isinstance(item, dict) and "index" in item}
        accepted = [position for position in range(len(pending)) if position not in failed]
        if accepted:
            request = AcceptedRequest(
                request_id=str(body.get("requestId") or ""), source=str(body.get("source") or self._client.url)
            )
            for position in accepted:
                request.indices.add(position)
            result.report.accepted.append(request)
        resend = []
        for position, failure in sorted(failed.items()):
            code = str(failure.get("errorCode") or "")
            if self._retry.is_retryable(code):
                resend.append(pending[position])
            else:
                _fail([pending[position]], result, f"{code}: {failure.get('errorMessage', '')}")
        return resend


def _fail(entries: list[_Entry], result: SendResult, reason: str) -> None:
    result.report.records_failed += len(entries)
    result.problems.append(f"failed records {', '.join(str(e.index) for e in entries[:10])}: {reason}")
