"""The local stand-in for API Gateway: what it checks before the integration, and how it answers, in process and
over HTTP on a loopback port."""

from __future__ import annotations

import json
import socket

import pytest
import requests

from components.core.data_dictionary import load_record_schema
from components.core.endpoint import endpoint_definition
from components.core.settings import TrackingPipelineArgs
from ingest.local.gateway import MAX_PAYLOAD_BYTES, HttpRequest, LocalGateway
from ingest.local.gateway_server import local_gateway, new_api_key, serving_endpoint
from ingest.records import decode_record

KEY = "k" * 40
ORIGIN = "https://app.example.com"


class FakeKinesis:
    """Answers every call with the next canned (status, body); remembers what it was sent."""

    def __init__(self, *replies: tuple[int, dict]) -> None:
        self.replies = list(replies)
        self.calls: list[tuple[str, dict]] = []

    def post(self, action: str, body: str) -> tuple[int, str]:
        self.calls.append((action, json.loads(body)))
        status, reply = self.replies.pop(0) if self.replies else (200, {"SequenceNumber": "1", "ShardId": "s"})
        return status, json.dumps(reply)


def _gateway(kinesis, *, origins=(ORIGIN,), auth="api_key", max_batch=500) -> LocalGateway:
    definition = endpoint_definition(load_record_schema(), max_batch_records=max_batch, cors_origins=origins, auth=auth)
    keys = [KEY] if auth == "api_key" else []
    ids = iter(f"req-{n}" for n in range(1000))
    return LocalGateway(definition, stream_name="s", kinesis=kinesis, api_keys=keys, request_ids=lambda: next(ids))


def _post(gateway, path, body, *, headers=None, raw=None):
    headers = {"Content-Type": "application/json", "x-api-key": KEY, **(headers or {})}
    data = raw if raw is not None else json.dumps(body).encode()
    return gateway.handle(HttpRequest("POST", path, headers, data))


def test_a_valid_record_goes_to_put_record_and_the_reply_is_clean_json(record):
    kinesis = FakeKinesis()
    response = _post(_gateway(kinesis), "/live/v1/records", {"data": record, "partitionKey": "device-1"})
    assert response.status == 200
    assert response.json() == {
        "requestId": "req-0",
        "source": "apigateway://local/live/v1/records",
        "accepted": 1,
        "failed": [],
    }
    [(action, request)] = kinesis.calls
    assert action == "PutRecord"
    assert (request["StreamName"], request["PartitionKey"]) == ("s", "device-1")


def test_partial_failures_are_returned_never_hidden(record):
    reply = {
        "FailedRecordCount": 1,
        "Records": [{"SequenceNumber": "1", "ShardId": "s"}, {"ErrorCode": "InternalFailure", "ErrorMessage": "x"}],
    }
    response = _post(_gateway(FakeKinesis((200, reply))), "/live/v1/batch", {"records": [{"data": record}] * 2})
    assert response.status == 200
    assert response.json()["accepted"] == 1
    assert response.json()["failed"] == [{"index": 1, "errorCode": "InternalFailure", "errorMessage": "x"}]


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ((400, {"__type": "ProvisionedThroughputExceededException", "message": "slow down"}), 429),
        ((400, {"__type": "ResourceNotFoundException", "message": "no stream"}), 502),
        ((500, {"__type": "InternalFailure", "message": "oops"}), 503),
    ],
)
def test_kinesis_errors_map_to_429_502_503(record, reply, status):
    response = _post(_gateway(FakeKinesis(reply)), "/live/v1/records", {"data": record})
    assert response.status == status
    assert response.json()["errorCode"] == reply[1]["__type"]


def _without(record, name):
    return {key: value for key, value in record.items() if key != name}


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda r: {"data": _without(r, "date")}, "/data: 'date' is a required property"),
        (lambda r: {"records": [{"data": r}]}, "/: Additional properties are not allowed ('records' was unexpected)"),
        (lambda r: {"data": {**r, "date": "2018-01-01T00:00:00Z"}}, "/data/date: '2018-01-01T00:00:00Z' is not of"),
        (lambda r: {"data": {**r, "date": 1.5}}, "/data/date: 1.5 is not of type 'integer'"),
        (lambda r: {"data": {**r, "date": -1}}, "/data/date: -1 is less than the minimum of 0"),
        (lambda r: {"data": {**r, "high": True}}, "/data/high: True is not of type 'number'"),
        (lambda r: {"data": {**r, "low": None}}, "/data/low: None is not of type 'number'"),
        (lambda r: {"data": {**r, "close": "752.0"}}, "/data/close: '752.0' is not of type 'number'"),
        (lambda r: {"data": r, "partitionKey": ""}, "/partitionKey: '' should be non-empty"),
        (lambda r: {"data": r, "partitionKey": "k" * 257}, "/partitionKey: 'kkk"),
        (lambda r: {"data": r, "partition_key": "x"}, "('partition_key' was unexpected)"),
    ],
    ids=[
        "missing",
        "batch-body",
        "iso-date",
        "fractional-date",
        "negative-date",
        "boolean",
        "null",
        "numeric-string",
        "empty-key",
        "long-key",
        "misspelt-key",
    ],
)
def test_a_malformed_record_is_refused_with_400_naming_the_field(record, make, named):
    kinesis = FakeKinesis()
    response = _post(_gateway(kinesis), "/live/v1/records", make(record))
    assert response.status == 400
    answer = response.json()
    assert (answer["message"], answer["errorType"]) == ("Invalid request body", "BAD_REQUEST_BODY")
    assert named in answer["details"]
    assert kinesis.calls == []


def test_a_batch_over_the_limit_is_refused(record):
    response = _post(_gateway(FakeKinesis(), max_batch=3), "/live/v1/batch", {"records": [{"data": record}] * 4})
    assert response.status == 400
    assert "/records: [" in response.json()["details"] and "is too long" in response.json()["details"]


@pytest.mark.parametrize(
    "raw",
    [b'{"data": {"date": NaN}}', b'{"data": {"high": Infinity}}', b'{"data": {"high": 1e400}}', b"{", b"\xff\xfe"],
    ids=["nan", "infinity", "overflow", "truncated", "not-utf8"],
)
def test_what_is_not_strict_json_is_refused(raw):
    response = _post(_gateway(FakeKinesis()), "/live/v1/records", None, raw=raw)
    assert response.status == 400
    assert response.json()["details"].startswith("[Invalid JSON:")


def test_only_json_is_accepted(record):
    response = _post(
        _gateway(FakeKinesis()), "/live/v1/records", {"data": record}, headers={"Content-Type": "text/csv"}
    )
    assert (response.status, response.json()["errorType"]) == (415, "UNSUPPORTED_MEDIA_TYPE")
    no_type = HttpRequest("POST", "/live/v1/records", {"x-api-key": KEY}, json.dumps({"data": record}).encode())
    assert _gateway(FakeKinesis()).handle(no_type).status == 200, "API Gateway assumes JSON without a content type"


def test_a_body_over_10_mib_is_refused(record):
    response = _post(_gateway(FakeKinesis()), "/live/v1/records", None, raw=b" " * (MAX_PAYLOAD_BYTES + 1))
    assert (response.status, response.json()["errorType"]) == (413, "REQUEST_TOO_LARGE")


@pytest.mark.parametrize("key", [None, "wrong", KEY.upper()])
def test_a_missing_or_unknown_api_key_is_forbidden(record, key):
    kinesis = FakeKinesis()
    headers = {"Content-Type": "application/json", **({"X-API-Key": key} if key else {})}
    response = _gateway(kinesis).handle(
        HttpRequest("POST", "/live/v1/records", headers, json.dumps({"data": record}).encode())
    )
    assert (response.status, response.json()["message"]) == (403, "Forbidden")
    assert kinesis.calls == []


def test_no_key_is_needed_when_the_stack_chose_none(record):
    gateway = _gateway(FakeKinesis(), auth="none")
    assert (
        gateway.handle(HttpRequest("POST", "/live/v1/records", {}, json.dumps({"data": record}).encode())).status == 200
    )


def test_iam_authentication_is_not_faked():
    with pytest.raises(ValueError, match="does not verify SigV4"):
        _gateway(FakeKinesis(), auth="iam")


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/live/v1/records"), ("POST", "/live/v1/other"), ("POST", "/v1/records")]
)
def test_unknown_routes_answer_missing_authentication_token_as_api_gateway_does(method, path):
    response = _gateway(FakeKinesis()).handle(HttpRequest(method, path, {"x-api-key": KEY}))
    assert (response.status, response.json()["message"]) == (403, "Missing Authentication Token")


def test_preflight_and_errors_carry_cors_headers_for_browsers():
    gateway = _gateway(FakeKinesis())
    preflight = gateway.handle(HttpRequest("OPTIONS", "/live/v1/batch", {"Origin": ORIGIN}))
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert preflight.headers["Access-Control-Allow-Methods"] == "OPTIONS,POST"
    refused = gateway.handle(HttpRequest("OPTIONS", "/live/v1/batch", {"Origin": "https://other.example"}))
    assert "Access-Control-Allow-Origin" not in refused.headers
    error = gateway.handle(HttpRequest("POST", "/live/v1/batch", {"Origin": ORIGIN}, b"{}"))
    assert (error.status, error.headers["Access-Control-Allow-Origin"]) == (403, ORIGIN)
    without_cors = _gateway(FakeKinesis(), origins=())
    assert without_cors.handle(HttpRequest("OPTIONS", "/live/v1/batch", {"Origin": ORIGIN})).status == 403


def test_served_over_http_into_moto_and_read_back(kinesis, record):
    stream = kinesis.new_stream(shards=1)
    args = TrackingPipelineArgs(enable_http_endpoint=True, http_cors_origins=[ORIGIN])
    api_key = new_api_key()
    assert len(api_key) == 40 and api_key.isalnum()
    with serving_endpoint(local_gateway(args, stream_name=stream, kinesis=kinesis.signed, api_key=api_key)) as endpoint:
        assert endpoint.url.startswith("http://127.0.0.1:") and endpoint.url.endswith("/live")
        response = requests.post(
            f"{endpoint.url}/v1/batch",
            json={"records": [{"data": record}, {"data": record, "partitionKey": "p"}]},
            headers={"x-api-key": api_key, "Origin": ORIGIN},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        answer = response.json()
        assert (answer["accepted"], answer["failed"]) == (2, [])
        refused = requests.post(f"{endpoint.url}/v1/batch", json={"records": []}, timeout=10)
        assert refused.status_code == 403
    stored = [decode_record(item.data)[1] for item in kinesis.read(stream)]
    assert sorted(p.index for p in stored) == [0, 1]
    assert {(p.source, p.run_id) for p in stored} == {(answer["source"], answer["requestId"])}


def test_an_oversized_upload_is_refused_without_reading_it_all(kinesis):
    gateway = _gateway(FakeKinesis())
    with serving_endpoint(gateway) as endpoint:
        host, port = endpoint.url.split("//")[1].split("/")[0].split(":")
        with socket.create_connection((host, int(port)), timeout=10) as connection:
            connection.sendall(
                f"POST /live/v1/records HTTP/1.1\r\nHost: x\r\nContent-Length: {20 * 1024 * 1024}\r\n"
                f"Content-Type: application/json\r\nx-api-key: {KEY}\r\n\r\n".encode()
                + b" " * (MAX_PAYLOAD_BYTES + 10)
            )
            answer = connection.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 413")
