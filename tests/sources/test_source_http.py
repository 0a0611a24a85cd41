"""A single file over HTTP(S) against a local http.server: metadata, stored bytes, retries, errors."""

from __future__ import annotations

import gzip
import json

import pytest

from ingest.errors import ConfigurationError, SourceError
from ingest.formats import read_object
from ingest.sources import SourceUnavailableError, open_source
from ingest.sources.http import HttpSource, build_session

RECORDS = [{"date": 1514764800, "close": 1.5}, {"date": 1514765100, "close": 2.5}]
BODY = json.dumps(RECORDS).encode()


def test_the_file_is_one_object_described_by_its_headers(file_server) -> None:
    url = file_server.serve(
        "/data/records.json", BODY, {"ETag": '"abc123"', "Content-Type": "application/json; charset=utf-8"}
    )
    source = open_source(url)
    [obj] = source.list_objects()
    assert obj.uri == url
    assert (obj.key, obj.size, obj.version) == ("records.json", len(BODY), '"abc123"')
    assert obj.content_type == "application/json; charset=utf-8"
    with source.open(obj) as stream:
        assert stream.read() == BODY


def test_last_modified_is_the_version_without_an_etag(file_server) -> None:
    modified = "Mon, 01 Jan 2018 00:00:00 GMT"
    file_server.serve("/r.json", BODY, {"Last-Modified": modified})
    [obj] = open_source(file_server.url("/r.json")).list_objects()
    assert obj.version == modified


def test_gzip_content_encoding_is_passed_on_undecoded(file_server) -> None:
    compressed = gzip.compress(BODY)
    file_server.serve("/r.json", compressed, {"Content-Encoding": "gzip"})
    source = open_source(file_server.url("/r.json"))
    [obj] = source.list_objects()
    assert obj.content_encoding == "gzip"
    with source.open(obj) as stream:
        assert stream.read() == compressed
    with source.open(obj) as stream:
        assert [record.value for record in read_object(stream, obj)] == RECORDS


def test_a_server_error_then_success_is_retried(file_server) -> None:
    """The production session (urllib3 waits nothing before a first retry, so this stays fast)."""
    file_server.serve("/r.json", BODY, failures=[503])
    source = open_source(file_server.url("/r.json"))
    [obj] = source.list_objects()
    file_server.routes["/r.json"].failures.append(502)
    with source.open(obj) as stream:
        assert stream.read() == BODY
    assert file_server.requests == [("HEAD", "/r.json")] * 2 + [("GET", "/r.json")] * 2


def test_a_persistent_server_error_is_a_source_error(file_server) -> None:
    file_server.serve("/r.json", BODY, failures=[500] * 10)
    source = HttpSource(file_server.url("/r.json"), build_session(retries=2, backoff_factor=0))
    with pytest.raises(SourceError, match="HTTP 500") as caught:
        next(source.list_objects())
    assert not isinstance(caught.value, ConfigurationError)
    assert len(file_server.requests) == 3


def test_a_missing_file_is_a_configuration_error(file_server) -> None:
    with pytest.raises(SourceUnavailableError, match=r"cannot list http://127\.0\.0\.1:\d+/missing.json: HTTP 404"):
        next(open_source(file_server.url("/missing.json")).list_objects())


def test_a_server_refusing_head_still_serves_the_file(file_server) -> None:
    file_server.serve("/r.json", BODY, allow_head=False)
    source = open_source(file_server.url("/r.json"))
    [obj] = source.list_objects()
    assert (obj.key, obj.size, obj.version) == ("r.json", None, None)
    with source.open(obj) as stream:
        assert stream.read() == BODY


def test_a_file_changed_since_listing_is_refused(file_server) -> None:
    file_server.serve("/r.json", BODY, {"ETag": '"v1"'})
    source = open_source(file_server.url("/r.json"))
    [obj] = source.list_objects()
    file_server.serve("/r.json", BODY + b" ", {"ETag": '"v2"'})
    with pytest.raises(SourceError, match="changed since it was listed"), source.open(obj):
        pass


def test_an_unreachable_host_is_a_source_error() -> None:
    source = HttpSource("http://127.0.0.1:9/records.json", build_session(retries=0))
    with pytest.raises(SourceError, match="cannot reach http://127.0.0.1:9/records.json"):
        next(source.list_objects())
