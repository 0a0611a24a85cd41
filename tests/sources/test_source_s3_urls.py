"""Recognising S3 addresses: `s3://` URIs and the HTTPS URLs of S3 endpoints."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from ingest.errors import ConfigurationError
from ingest.sources import open_source
from ingest.sources.s3 import S3Location, parse_s3_https_url, parse_s3_uri


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://s3-ap-southeast-1.amazonaws.com/tgr-hire-devops-test/crypto/01-data-ingestion/",
            S3Location("tgr-hire-devops-test", "crypto/01-data-ingestion/", "ap-southeast-1"),
        ),
        (
            "https://s3.eu-west-2.amazonaws.com/bucket/a/b.json",
            S3Location("bucket", "a/b.json", "eu-west-2"),
        ),
        ("https://s3.amazonaws.com/bucket", S3Location("bucket", "", None)),
        ("https://S3.US-GOV-WEST-1.amazonaws.com/bucket/x/", S3Location("bucket", "x/", "us-gov-west-1")),
        (
            "https://my.bucket.s3.ap-southeast-1.amazonaws.com/crypto/",
            S3Location("my.bucket", "crypto/", "ap-southeast-1"),
        ),
        ("https://bucket.s3.amazonaws.com/a%20b/", S3Location("bucket", "a b/", None)),
    ],
)
def test_s3_endpoint_urls_name_bucket_prefix_and_region(url: str, expected: S3Location) -> None:
    assert parse_s3_https_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/bucket/records.json",
        "https://s3.example.com/bucket/records.json",
        "https://s3.amazonaws.com.example.com/bucket/",
        "https://amazonaws.com/bucket/",
        "https://s3.dualstack.us-east-1.amazonaws.com.evil/bucket/",
    ],
)
def test_other_urls_are_not_s3(url: str) -> None:
    assert parse_s3_https_url(url) is None


def test_an_s3_endpoint_url_without_a_bucket_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="names no bucket"):
        parse_s3_https_url("https://s3.amazonaws.com/")


def test_s3_uris() -> None:
    assert parse_s3_uri("s3://bucket/crypto/01/") == S3Location("bucket", "crypto/01/")
    assert parse_s3_uri("s3://bucket") == S3Location("bucket", "")
    with pytest.raises(ConfigurationError, match="expected s3://bucket/prefix"):
        parse_s3_uri("s3:///prefix/")


@pytest.mark.parametrize(
    ("uri", "key"),
    [
        ("s3://bucket/p/a#1.json", "p/a#1.json"),
        ("s3://bucket/p/b?v=2.json", "p/b?v=2.json"),
        ("s3://bucket/p/c%20d.json", "p/c%20d.json"),
        ("s3://bucket/p/ä ö;x=1/#?.json", "p/ä ö;x=1/#?.json"),
    ],
)
def test_an_s3_uris_key_is_everything_after_the_bucket(uri: str, key: str) -> None:
    """S3 keys may hold any UTF-8 character: nothing in them is a URL's query, fragment or escape."""
    assert parse_s3_uri(uri) == S3Location("bucket", key)


@pytest.fixture
def bucket_with_odd_keys(aws_env: None) -> Iterator[str]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="odd-keys")
        for key in ("p/a#1.json", "p/a", "p/b?v=2.json", "p/b"):
            client.put_object(Bucket="odd-keys", Key=key, Body=b"[]")
        yield "odd-keys"


@pytest.mark.parametrize("key", ["p/a#1.json", "p/b?v=2.json"])
def test_publish_source_with_a_hash_or_question_mark_lists_exactly_that_key(
    bucket_with_odd_keys: str, key: str
) -> None:
    objects = list(open_source(f"s3://{bucket_with_odd_keys}/{key}").list_objects())
    assert [obj.uri for obj in objects] == [f"s3://{bucket_with_odd_keys}/{key}"]
