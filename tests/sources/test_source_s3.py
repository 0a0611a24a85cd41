"""The `s3://` source against moto in-process: pagination, folder markers, the prefix boundary, errors."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore import UNSIGNED
from botocore.stub import Stubber
from moto import mock_aws

from ingest.errors import ConfigurationError, SourceError
from ingest.sources import SourceOptions, SourceUnavailableError, list_objects_after, open_source
from ingest.sources import s3 as s3_module
from ingest.sources.s3 import S3ObjectVersion, S3Source, build_s3_client

BUCKET = "ingest-test-bucket"
PREFIX = "crypto/01-data-ingestion/"
DATA_KEYS = [f"{PREFIX}part-{number:04d}.json" for number in range(1005)]
NESTED_KEY = f"{PREFIX}nested/deep.jsonl"
NON_EMPTY_SLASH_KEY = f"{PREFIX}odd/"
FOLDER_MARKERS = [PREFIX, f"{PREFIX}nested/", "crypto/"]
OUTSIDE_KEYS = ["crypto/01-data-ingestion-other/x.json", "crypto/other/y.json", "top.json"]


@pytest.fixture(scope="module")
def s3_client(module_fake_aws_credentials: None) -> Iterator[object]:
    """One mocked bucket for the module: 1,005 data keys, markers, keys outside the prefix."""
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        for key in [*DATA_KEYS, NESTED_KEY, NON_EMPTY_SLASH_KEY, *OUTSIDE_KEYS]:
            client.put_object(Bucket=BUCKET, Key=key, Body=f'[{{"key": "{key}"}}]'.encode())
        for key in FOLDER_MARKERS:
            client.put_object(Bucket=BUCKET, Key=key, Body=b"")
        yield client


def _first_data_object(source):
    return next(obj for obj in source.list_objects() if obj.key == "part-0000.json")


def test_listing_pages_through_more_than_1000_keys(s3_client) -> None:
    calls = []
    s3_client.meta.events.register("before-call.s3.ListObjectsV2", lambda **_: calls.append(1))
    try:
        objects = list(S3Source(s3_client, BUCKET, PREFIX).list_objects())
    finally:
        s3_client.meta.events.unregister("before-call.s3.ListObjectsV2")
    assert len(calls) == 2
    uris = [obj.uri for obj in objects]
    expected = sorted([*DATA_KEYS, NESTED_KEY, NON_EMPTY_SLASH_KEY])
    assert uris == [f"s3://{BUCKET}/{key}" for key in expected]


def _list_calls(client, listing) -> tuple[list[str], list[dict]]:
    """The URIs a listing yields, and the ListObjectsV2 requests it made."""
    calls: list[dict] = []
    client.meta.events.register("before-parameter-build.s3.ListObjectsV2", lambda params, **_: calls.append(params))
    try:
        return [obj.uri for obj in listing], calls
    finally:
        client.meta.events.unregister("before-parameter-build.s3.ListObjectsV2")


def test_a_resumed_listing_asks_s3_to_start_after_the_last_key(s3_client) -> None:
    every = [obj.uri for obj in S3Source(s3_client, BUCKET, PREFIX).list_objects()]
    resumed, calls = _list_calls(s3_client, list_objects_after(S3Source(s3_client, BUCKET, PREFIX), every[999]))
    assert resumed == every[1000:]
    assert [call["StartAfter"] for call in calls] == [every[999].removeprefix(f"s3://{BUCKET}/")]


def test_a_resumed_listing_of_a_prefix_without_slash_keeps_the_exact_key_first(s3_client) -> None:
    bucket = "resume-bucket"  # its own: the module's bucket has its counted keys
    s3_client.create_bucket(Bucket=bucket)
    keys = ["resume/day", "resume/day/a.json", "resume/day/b.json", "resume/day-other.json"]
    for key in keys:
        s3_client.put_object(Bucket=bucket, Key=key, Body=b"[]")
    source = S3Source(s3_client, bucket, "resume/day")
    every = [f"s3://{bucket}/{key}" for key in keys[:3]]
    assert [obj.uri for obj in source.list_objects()] == every
    assert [obj.uri for obj in source.list_objects_after(f"s3://{bucket}/resume/")] == every
    assert [obj.uri for obj in source.list_objects_after(every[0])] == every[1:]
    assert [obj.uri for obj in source.list_objects_after(every[1])] == every[2:]
    assert list(source.list_objects_after(every[2])) == []


def test_one_claimed_object_resumes_as_itself_or_nothing(s3_client) -> None:
    source = S3ObjectVersion(s3_client, BUCKET, DATA_KEYS[5], etag="e", size=1)
    [claimed] = source.list_objects()
    assert list(source.list_objects_after(f"s3://{BUCKET}/{DATA_KEYS[4]}")) == [claimed]
    assert list(source.list_objects_after(claimed.uri)) == []


def test_a_listing_cannot_resume_after_an_object_of_another_bucket(s3_client) -> None:
    with pytest.raises(SourceError, match="not in that bucket"):
        next(S3Source(s3_client, BUCKET, PREFIX).list_objects_after("s3://other-bucket/crypto/x.json"))


def test_objects_carry_relative_key_size_and_etag(s3_client) -> None:
    first = _first_data_object(open_source(f"s3://{BUCKET}/{PREFIX}"))
    head = s3_client.head_object(Bucket=BUCKET, Key=DATA_KEYS[0])
    assert first.key == "part-0000.json"
    assert first.size == head["ContentLength"]
    assert first.version == head["ETag"].strip('"')


def test_folder_markers_are_skipped_but_a_non_empty_slash_key_is_kept(s3_client) -> None:
    keys = {obj.key for obj in open_source(f"s3://{BUCKET}/{PREFIX}").list_objects()}
    assert "" not in keys
    assert "nested/" not in keys
    assert "nested/deep.jsonl" in keys
    assert "odd/" in keys


def test_a_prefix_without_slash_is_a_folder_not_a_string_prefix(s3_client) -> None:
    objects = list(open_source(f"s3://{BUCKET}/{PREFIX.rstrip('/')}").list_objects())
    assert len(objects) == len(DATA_KEYS) + 2
    assert not [obj for obj in objects if "-other" in obj.uri]


def test_a_full_key_names_one_object(s3_client) -> None:
    objects = list(open_source(f"s3://{BUCKET}/{NESTED_KEY}").list_objects())
    assert [(obj.key, obj.uri) for obj in objects] == [("deep.jsonl", f"s3://{BUCKET}/{NESTED_KEY}")]


def test_the_whole_bucket_without_a_prefix(s3_client) -> None:
    objects = list(open_source(f"s3://{BUCKET}").list_objects())
    assert len(objects) == len(DATA_KEYS) + 2 + len(OUTSIDE_KEYS)


def test_open_streams_the_stored_bytes(s3_client) -> None:
    source = open_source(f"s3://{BUCKET}/{PREFIX}")
    obj = _first_data_object(source)
    with source.open(obj) as stream:
        assert stream.read(2) == b"[{"
        assert stream.read() == f'"key": "{DATA_KEYS[0]}"}}]'.encode()


def test_an_object_rewritten_after_listing_is_not_read_silently(s3_client) -> None:
    key = "mutable/object.json"
    s3_client.put_object(Bucket=BUCKET, Key=key, Body=b"[1]")
    source = open_source(f"s3://{BUCKET}/mutable/")
    obj = next(source.list_objects())
    s3_client.put_object(Bucket=BUCKET, Key=key, Body=b"[1, 2]")
    with pytest.raises(SourceError, match="changed since it was listed"), source.open(obj):
        pass


def test_a_missing_bucket_is_a_configuration_error_naming_bucket_and_prefix(s3_client) -> None:
    with pytest.raises(SourceUnavailableError) as caught:
        list(open_source("s3://no-such-bucket-here/some/prefix/").list_objects())
    assert isinstance(caught.value, ConfigurationError)
    assert isinstance(caught.value, SourceError)
    assert "'no-such-bucket-here'" in str(caught.value)
    assert "'some/prefix/'" in str(caught.value)
    assert "NoSuchBucket" in str(caught.value)


def test_no_sign_request_reads_anonymously(s3_client) -> None:
    source = open_source(f"s3://{BUCKET}/{PREFIX}", SourceOptions(no_sign_request=True))
    assert sum(1 for _ in source.list_objects()) == len(DATA_KEYS) + 2


def test_the_client_uses_standard_retries_timeouts_and_optional_anonymity() -> None:
    client = build_s3_client(region="ap-southeast-1", anonymous=True)
    config = client.meta.config
    assert client.meta.region_name == "ap-southeast-1"
    assert config.signature_version is UNSIGNED
    assert config.retries["mode"] == "standard"
    assert (config.connect_timeout, config.read_timeout) == (10, 60)
    assert build_s3_client(region=None, anonymous=False).meta.config.signature_version is not UNSIGNED


@pytest.mark.parametrize(
    ("spec", "options", "expected"),
    [
        ("s3://b/p/", SourceOptions(), {"region": None, "anonymous": False}),
        (
            "s3://b/p/",
            SourceOptions(no_sign_request=True, region="eu-west-1"),
            {"region": "eu-west-1", "anonymous": True},
        ),
        (
            "https://s3-ap-southeast-1.amazonaws.com/b/p/",
            SourceOptions(),
            {"region": "ap-southeast-1", "anonymous": True},
        ),
        (
            "https://s3.amazonaws.com/b/p/",
            SourceOptions(region="us-west-2"),
            {"region": "us-west-2", "anonymous": True},
        ),
    ],
)
def test_specs_and_options_reach_the_client(monkeypatch, spec, options, expected) -> None:
    built = []
    monkeypatch.setattr(s3_module, "build_s3_client", lambda **kwargs: built.append(kwargs) or object())
    open_source(spec, options)
    assert built == [expected]


@pytest.mark.usefixtures("no_aws_credentials")
def test_no_credentials_is_a_clear_configuration_error() -> None:
    source = S3Source(build_s3_client(region="us-east-1", anonymous=False), "bucket", "prefix/")
    with pytest.raises(SourceUnavailableError, match="no AWS credentials found .*--no-sign-request"):
        next(source.list_objects())


@pytest.mark.parametrize(
    ("code", "expected"),
    [("AccessDenied", SourceUnavailableError), ("InternalError", SourceError)],
)
def test_listing_errors_are_classified_by_code(aws_env, code: str, expected: type) -> None:
    client = boto3.client("s3", region_name="us-east-1")
    with Stubber(client) as stubber:
        stubber.add_client_error("list_objects_v2", service_error_code=code, service_message="nope")
        with pytest.raises(expected, match=f"cannot list bucket 'b' prefix 'p/': {code} \\(nope\\)") as caught:
            next(S3Source(client, "b", "p/").list_objects())
    assert isinstance(caught.value, ConfigurationError) == (expected is SourceUnavailableError)
