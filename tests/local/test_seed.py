"""The emulated source bucket is laid out like the seed's public bucket and readable the way publish reads it."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from ingest.local.seed import SOURCE_BUCKET, SOURCE_PREFIX, SOURCE_URL, seed_source
from ingest.sample import SAMPLE_PREFIX, SAMPLE_ROOT, generate_records
from ingest.sample.dataset import RECORDS_PER_DAY
from ingest.sources import DEFAULT_SOURCE, SourceOptions, open_source

from .conftest import REGION


def test_the_source_is_publishs_default_source():
    assert SOURCE_URL == DEFAULT_SOURCE
    assert (SOURCE_BUCKET, SOURCE_PREFIX) == ("tgr-hire-devops-test", "crypto/01-data-ingestion/")
    assert SOURCE_PREFIX == SAMPLE_PREFIX


def test_sample_dataset_with_a_folder_marker(aws):
    seeded = seed_source(aws.s3, region=REGION)

    listing = aws.s3.list_objects_v2(Bucket=SOURCE_BUCKET)["Contents"]
    sizes = {item["Key"]: item["Size"] for item in listing}
    assert sizes.pop(SOURCE_PREFIX) == 0
    sample = {f"{SAMPLE_PREFIX}{path.name}": path for path in (SAMPLE_ROOT / SAMPLE_PREFIX).glob("*.json")}
    assert set(sizes) == set(sample) == set(seeded.keys)
    for key, path in sample.items():
        assert aws.s3.get_object(Bucket=SOURCE_BUCKET, Key=key)["Body"].read() == path.read_bytes()
    assert seeded.records == sum(len(json.loads(path.read_bytes())) for path in sample.values())


def test_generated_records_are_cut_into_days(aws):
    count = 2 * RECORDS_PER_DAY + 5
    seeded = seed_source(aws.s3, region=REGION, records=count)

    assert seeded.records == count
    assert [key.rsplit("/", 1)[1] for key in seeded.keys] == ["2018-01-01.json", "2018-01-02.json", "2018-01-03.json"]
    stored = [json.loads(aws.s3.get_object(Bucket=SOURCE_BUCKET, Key=key)["Body"].read()) for key in seeded.keys]
    assert [len(day) for day in stored] == [RECORDS_PER_DAY, RECORDS_PER_DAY, 5]
    assert [record for day in stored for record in day] == list(generate_records(count))


def test_readable_anonymously_as_publish_reads_the_public_bucket(aws):
    """moto refuses anonymous reads unless a bucket policy allows them, as S3 does."""
    seed_source(aws.s3, region=REGION)
    anonymous = boto3.client("s3", region_name=REGION, config=Config(signature_version=UNSIGNED))
    key = f"{SOURCE_PREFIX}2018-01-01.json"
    assert anonymous.get_object(Bucket=SOURCE_BUCKET, Key=key)["Body"].read().startswith(b"[")

    source = open_source(SOURCE_URL, SourceOptions())
    assert [obj.key for obj in source.list_objects()] == ["2018-01-01.json", "2018-01-02.json", "2018-01-03.json"]


@pytest.mark.parametrize("region", ["us-east-1", "ap-southeast-1"])
def test_bucket_is_created_in_the_region(aws, region):
    seed_source(aws.s3, region=region)
    location = aws.s3.get_bucket_location(Bucket=SOURCE_BUCKET)["LocationConstraint"]
    assert location == (None if region == "us-east-1" else region)
