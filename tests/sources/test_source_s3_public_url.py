"""The default source, a path-style S3 HTTPS URL, read anonymously from a moto server standing in for AWS.

`AWS_ENDPOINT_URL` points boto3 at the local server; the environment holds no credentials at all, so the
listing and reads below can only succeed unsigned, and a signed `s3://` client fails for lack of them.
"""

from __future__ import annotations

import boto3
import pytest

from ingest.sources import DEFAULT_SOURCE, SourceUnavailableError, open_source
from ingest.sources.s3 import parse_s3_https_url

SEED = parse_s3_https_url(DEFAULT_SOURCE)
assert SEED is not None
FILES = {f"{SEED.prefix}2018-0{month}.json": f'[{{"month": {month}}}]'.encode() for month in range(1, 4)}


@pytest.fixture(scope="module")
def moto_endpoint(moto_server: str) -> str:
    """moto's server with the seed bucket, public like the real one (moto enforces object ACLs on anonymous
    reads), a folder marker and a private key outside the prefix."""
    admin = boto3.client(
        "s3",
        endpoint_url=moto_server,
        region_name=SEED.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    admin.create_bucket(
        Bucket=SEED.bucket, ACL="public-read", CreateBucketConfiguration={"LocationConstraint": SEED.region}
    )
    admin.put_object(Bucket=SEED.bucket, Key=SEED.prefix, Body=b"", ACL="public-read")
    admin.put_object(Bucket=SEED.bucket, Key="crypto/02-other/secret.json", Body=b"[]")
    for key, body in FILES.items():
        admin.put_object(Bucket=SEED.bucket, Key=key, Body=body, ACL="public-read")
    return moto_server


@pytest.fixture
def anonymous_environment(no_aws_credentials: None, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)


@pytest.mark.usefixtures("anonymous_environment")
def test_the_default_source_is_read_anonymously_through_the_endpoint() -> None:
    source = open_source(DEFAULT_SOURCE)
    objects = list(source.list_objects())
    assert [obj.uri for obj in objects] == [f"s3://{SEED.bucket}/{key}" for key in sorted(FILES)]
    assert source.uri == DEFAULT_SOURCE
    read = {}
    for obj in objects:
        with source.open(obj) as stream:
            read[obj.key] = stream.read()
    assert read == {key.removeprefix(SEED.prefix): body for key, body in FILES.items()}


@pytest.mark.usefixtures("anonymous_environment")
def test_a_signed_client_has_no_credentials_here() -> None:
    with pytest.raises(SourceUnavailableError, match="no AWS credentials found"):
        next(open_source(f"s3://{SEED.bucket}/{SEED.prefix}").list_objects())
