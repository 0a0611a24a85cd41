"""Builders for delivery tests: run reports, encoded records, objects as Firehose writes them, error documents."""

from __future__ import annotations

import base64
import gzip
import io
import json
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ingest.index_ranges import IndexRanges
from ingest.records import Provenance, encode_record, validate_record
from ingest.run.report import ObjectOutcome, ObjectReport, RunReport
from ingest.sample import generate_records
from ingest.verify.listing import partition_folder

RUN = "run-now"
EARLIER_RUN = "run-earlier"
OTHER_RUN = "run-other"
BUCKET = "delivery-bucket"
PREFIX = "crypto/"
ERROR_PREFIX = "errors/"
A = "s3://seed/crypto/a.json"
B = "s3://seed/crypto/b.json"

_SAMPLE = list(generate_records(64))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_report(
    published: dict[str, Sequence[int]],
    *,
    run_id: str = RUN,
    started_at: datetime,
    finished_at: datetime | None,
    unchanged: dict[str, tuple[str, Sequence[int]]] | None = None,
) -> RunReport:
    """A final report: `published` maps URI -> indices this run published; `unchanged` maps URI ->
    (earlier run id, its indices), as the pipeline writes for objects skipped by the checkpoint."""
    objects = [
        ObjectReport(
            uri=uri,
            run_id=run_id,
            status=ObjectOutcome.PUBLISHED,
            records_read=len(indices),
            published=len(indices),
            published_indices=_ranges(indices),
        )
        for uri, indices in published.items()
    ]
    for uri, (earlier, indices) in (unchanged or {}).items():
        objects.append(
            ObjectReport(uri=uri, run_id=earlier, status=ObjectOutcome.UNCHANGED, published_indices=_ranges(indices))
        )
    return RunReport(
        run_id=run_id,
        source="s3://seed/crypto/",
        stream="prices",
        aggregate=True,
        format="auto",
        started_at=iso(started_at),
        finished_at=iso(finished_at) if finished_at else None,
        objects=objects,
    )


def _ranges(indices: Iterable[int]) -> IndexRanges:
    ranges = IndexRanges()
    for index in indices:
        ranges.add(index)
    return ranges


def record(uri: str, index: int, run_id: str = RUN) -> bytes:
    """The exact bytes the publisher sends for record `index` of `uri`."""
    return encode_record(validate_record(_SAMPLE[index % len(_SAMPLE)]), Provenance(uri, run_id, index))


def records(uri: str, indices: Iterable[int], run_id: str = RUN) -> list[bytes]:
    return [record(uri, index, run_id) for index in indices]


def newline_delimited(items: Iterable[bytes]) -> bytes:
    """What the stack's AppendDelimiterToRecord processor makes of a buffer."""
    return b"".join(item + b"\n" for item in items)


def concatenated(items: Iterable[bytes]) -> bytes:
    """A delivery stream without the delimiter processor: records back to back."""
    return b"".join(items)


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)


def zipped(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("records", data)
    return buffer.getvalue()


def delivery_key(moment: datetime | None = None, *, prefix: str = PREFIX, suffix: str = ".gz") -> str:
    """A key as Firehose names it: hour partition, then `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>`."""
    moment = moment or datetime.now(UTC)
    name = f"tracking-delivery-1-{moment:%Y-%m-%d-%H-%M-%S}-{uuid.uuid4()}{suffix}"
    return partition_folder(prefix, moment) + name


def error_key(moment: datetime | None = None, error_type: str = "processing-failed") -> str:
    moment = moment or datetime.now(UTC)
    return partition_folder(f"{ERROR_PREFIX}{error_type}/", moment) + f"tracking-delivery-1-{uuid.uuid4()}"


def firehose_error(raw: bytes, *, code: str = "Lambda.FunctionError", message: str | None = None) -> dict[str, Any]:
    """One line of a Firehose error object (processing-failed), as documented by AWS."""
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    return {
        "attemptsMade": 4,
        "arrivalTimestamp": now_ms - 60_000,
        "errorCode": code,
        "errorMessage": message or "The Lambda function was successfully invoked but it returned an error result.",
        "attemptEndingTimestamp": now_ms,
        "rawData": base64.b64encode(raw).decode("ascii"),
        "lambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:processor:$LATEST",
    }


def error_document(lines: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


def put(s3: Any, key: str, body: bytes, bucket: str = BUCKET) -> str:
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    return key


def backdate(key: str, moment: datetime, bucket: str = BUCKET) -> None:
    """Set an object's LastModified in moto's in-process backend: S3 has no API for it, and sleeping past a
    window in a test is not an option."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    stored = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets[bucket].keys[key]
    stored.last_modified = moment.astimezone(UTC).replace(tzinfo=None)


def minutes(count: float) -> timedelta:
    return timedelta(minutes=count)
