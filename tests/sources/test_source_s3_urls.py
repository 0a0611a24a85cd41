"""Recognising S3 addresses: `s3://` URIs and the HTTPS URLs of S3 endpoints."""

from __future__ import annotations

import pytest

from ingest.errors import ConfigurationError
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
