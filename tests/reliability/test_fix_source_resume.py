"""Fix: a connection that breaks while an object's body streams is resumed from the next byte (S3: a ranged GET
pinned to the listed ETag; HTTP: Range + If-Range), instead of failing the object for the next run to redo."""

from __future__ import annotations

import threading

import boto3
import pytest
import urllib3
from moto import mock_aws

from ingest.errors import SourceError
from ingest.sources.byte_streams import MAX_RESUMES_WITHOUT_PROGRESS, guarded_stream
from ingest.sources.http import HttpSource, build_session
from ingest.sources.s3 import S3Source
from reliability.aws import REGION, aws_environment, isolated_variables
from reliability.fileserver import serving
from reliability.proxy import Rule, object_get, running_proxy

DATA = bytes(range(256)) * 1000
ERRORS = (urllib3.exceptions.HTTPError,)


class Body:
    """`data[start:]`, breaking after `break_after` bytes (None: never)."""

    def __init__(self, data: bytes, start: int = 0, break_after: int | None = None) -> None:
        self.data = data[start:]
        self.left = break_after

    def read(self, size: int = -1) -> bytes:
        if self.left is not None and self.left <= 0:
            raise urllib3.exceptions.ProtocolError("Connection reset by peer")
        size = len(self.data) if size < 0 else size
        if self.left is not None:
            size = min(size, self.left)
            self.left -= size
        chunk, self.data = self.data[:size], self.data[size:]
        return chunk

    def close(self) -> None:
        self.data = b""


def test_a_broken_body_is_resumed_from_the_first_byte_not_delivered():
    offsets = []

    def reopen(offset: int) -> Body:
        offsets.append(offset)
        return Body(DATA, offset, break_after=70_000)

    stream = guarded_stream(Body(DATA, break_after=100_000), "s3://b/k", ERRORS, reopen=reopen, size=len(DATA))

    assert stream.read() == DATA
    assert offsets and offsets[0] <= 100_000 and offsets == sorted(offsets)


def test_it_gives_up_after_resumes_that_bring_no_byte():
    attempts = []

    def reopen(offset: int) -> Body:
        attempts.append(offset)
        return Body(DATA, offset, break_after=0)

    stream = guarded_stream(Body(DATA, break_after=0), "s3://b/k", ERRORS, reopen=reopen, size=len(DATA))
    with pytest.raises(SourceError, match=r"reading s3://b/k failed: Connection reset by peer \(after 0 bytes\)"):
        stream.read()
    assert attempts == [0] * MAX_RESUMES_WITHOUT_PROGRESS


def test_a_connection_lost_after_the_last_byte_is_the_end_of_the_object():
    stream = guarded_stream(Body(b"abc", break_after=3), "s3://b/k", ERRORS, reopen=None, size=3)
    assert stream.read() == b"abc"


def test_without_reopen_a_break_is_a_source_error_as_before():
    stream = guarded_stream(Body(DATA, break_after=10), "s3://b/k", ERRORS)
    with pytest.raises(SourceError, match="Connection reset by peer"):
        stream.read()


class BreakingBodies:
    """An S3 client whose first `get_object` body breaks half-way; records each request."""

    def __init__(self, client):
        self.client = client
        self.requests: list[dict] = []

    def __getattr__(self, name):
        return getattr(self.client, name)

    def get_object(self, **request):
        self.requests.append(request)
        response = self.client.get_object(**request)
        if len(self.requests) == 1:
            response["Body"] = Body(response["Body"].read(), break_after=len(DATA) // 2)
        return response


def test_s3_asks_for_the_rest_of_the_same_etag():
    with aws_environment(isolated_variables()), mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="bucket")
        s3.put_object(Bucket="bucket", Key="data/a.bin", Body=DATA)
        client = BreakingBodies(s3)
        source = S3Source(client, "bucket", "data/")
        [obj] = source.list_objects()
        with source.open(obj) as stream:
            assert stream.read() == DATA
    first, resumed = client.requests
    assert resumed["IfMatch"] == first["IfMatch"] == f'"{obj.version}"'
    assert resumed["Range"].startswith("bytes=") and int(resumed["Range"][6:-1]) > 0


def test_s3_refuses_to_resume_into_a_rewritten_object():
    with aws_environment(isolated_variables()), mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="bucket")
        s3.put_object(Bucket="bucket", Key="data/a.bin", Body=DATA)
        source = S3Source(BreakingBodies(s3), "bucket", "data/")
        [obj] = source.list_objects()
        s3.put_object(Bucket="bucket", Key="data/a.bin", Body=DATA[::-1])
        with pytest.raises(SourceError, match="changed since it was listed"), source.open(obj) as stream:
            stream.read()


def test_http_resumes_with_a_range_and_refuses_a_changed_file(tmp_path):
    (tmp_path / "a.json").write_bytes(DATA)
    with serving(tmp_path) as site:
        cut = Rule(object_get("a.json"), "cut", after_bytes=len(DATA) // 2)
        with running_proxy(site, [cut]) as proxy:
            source = HttpSource(f"{proxy.url}/a.json", build_session(retries=0))
            [obj] = source.list_objects()
            with source.open(obj) as stream:
                assert stream.read() == DATA

        changing = Rule(object_get("a.json"), "cut", after_bytes=len(DATA) // 2)
        with running_proxy(site, [changing]) as proxy:
            source = HttpSource(f"{proxy.url}/a.json", build_session(retries=0))
            [obj] = source.list_objects()
            with source.open(obj) as stream:
                first = stream.read(1000)
                (tmp_path / "a.json").write_bytes(DATA[::-1])
                with pytest.raises(SourceError, match="cannot resume .* the file changed"):
                    stream.read()
    assert first == DATA[:1000]


def test_the_proxy_applies_a_rule_only_as_often_as_asked():
    rule = Rule(lambda request: True, "cut", skip=1, times=2)
    request = object()
    claims = [rule.claim(request) for _ in range(5)]  # type: ignore[arg-type]
    assert claims == [False, True, True, False, False]
    assert isinstance(rule.held, threading.Event)
