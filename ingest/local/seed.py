"""The source bucket, recreated on the emulator as the seed's public bucket is laid out.

`publish` reads its default source, the public bucket's HTTPS URL, anonymously. The emulated bucket therefore
has the same name and folder (both parsed from that URL, so they cannot drift apart), a zero-byte folder
marker as the S3 console creates, and a public-read bucket policy: moto refuses anonymous reads without one,
as S3 does.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ingest.sample import SAMPLE_PREFIX, SAMPLE_ROOT, generate_records
from ingest.sample.dataset import RECORDS_PER_DAY
from ingest.sample.generator import DEFAULT_START
from ingest.sources import DEFAULT_SOURCE
from ingest.sources.s3 import S3Location, parse_s3_https_url


def _default_source_location() -> S3Location:
    location = parse_s3_https_url(DEFAULT_SOURCE)
    if location is None:  # a change to DEFAULT_SOURCE that the demo must follow
        raise RuntimeError(f"the default source is not an S3 URL: {DEFAULT_SOURCE}")
    return location


SOURCE_LOCATION = _default_source_location()
SOURCE_BUCKET = SOURCE_LOCATION.bucket
SOURCE_PREFIX = SOURCE_LOCATION.prefix
SOURCE_URL = DEFAULT_SOURCE
"""What the demo passes to `publish`: the same address `python -m ingest publish` reads by default."""


@dataclass(frozen=True)
class SeededSource:
    bucket: str
    prefix: str
    url: str
    keys: tuple[str, ...]
    """The data objects (the folder marker is not one)."""
    records: int


def seed_source(s3: Any, *, region: str, records: int | None = None) -> SeededSource:
    """Create the bucket and upload the committed sample dataset, or `records` generated records cut into
    one JSON array per UTC day (one day in memory at a time, however large `records` is)."""
    _create_public_bucket(s3, SOURCE_BUCKET, region)
    s3.put_object(Bucket=SOURCE_BUCKET, Key=SOURCE_PREFIX, Body=b"")
    files = _sample_files() if records is None else _generated_files(records)
    keys = []
    total = 0
    for name, content, count in files:
        key = f"{SOURCE_PREFIX}{name}"
        s3.put_object(Bucket=SOURCE_BUCKET, Key=key, Body=content, ContentType="application/json")
        keys.append(key)
        total += count
    return SeededSource(SOURCE_BUCKET, SOURCE_PREFIX, SOURCE_URL, tuple(keys), total)


def _create_public_bucket(s3: Any, bucket: str, region: str) -> None:
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **location)
    arn = f"arn:aws:s3:::{bucket}"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [arn, f"{arn}/*"],
            }
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


def _sample_files() -> Iterator[tuple[str, bytes, int]]:
    for path in sorted((SAMPLE_ROOT / SAMPLE_PREFIX).glob("*.json")):
        content = path.read_bytes()
        yield path.name, content, len(json.loads(content))


def _generated_files(count: int) -> Iterator[tuple[str, bytes, int]]:
    """Named and formatted like the sample files: `<yyyy-mm-dd>.json`, a pretty-printed array per day."""
    records = generate_records(count, start=DEFAULT_START)
    for day in itertools.count():
        batch = list(itertools.islice(records, RECORDS_PER_DAY))
        if not batch:
            return
        name = datetime.fromtimestamp(DEFAULT_START + day * 86_400, tz=UTC).strftime("%Y-%m-%d")
        yield f"{name}.json", (json.dumps(batch, indent=2) + "\n").encode("utf-8"), len(batch)
