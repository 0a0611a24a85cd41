"""The endpoint's Velocity mapping templates rendered for real (airspeed, with API Gateway's $input/$util/$context),
sent to moto's Kinesis as API Gateway's integration sends them, and read back from the stream."""

from __future__ import annotations

import base64
import json

import pytest

from components.core.data_dictionary import load_record_schema
from components.core.endpoint import (
    ERROR_TEMPLATE,
    GATEWAY_RESPONSES,
    PUT_RECORDS_RESPONSE_TEMPLATE,
    endpoint_definition,
)
from ingest.local.vtl import ApiGatewayInput, render
from ingest.records import FIELDS, decode_record, encode_record, validate_record
from ingest.records.conversions import MAX_TIMESTAMP
from ingest.sample import generate_records

from .conftest import decoded

REQUEST_ID = "c0ffee00-1234-4abc-9def-000000000001"
HOSTILE = [
    "quote \" and ' apostrophe",
    "back\\slash \\\\ and \\u0041 and \\n",
    "$context.requestId $input.body ${q} $!x #set($a = 1) #if(true)x#end ## comment #* block *#",
    "</script><script>alert(1)</script>",
    'json {"a": [1, 2]}, "}]} break out',
    "tab\tnewline\ncarriage\rform\fbell\x07",
    "unicode é 中文 ü 😀 \u2028 \u2029",
]


def _context(path: str, request_id: str = REQUEST_ID) -> dict:
    return {"apiId": "a1b2c3d4e5", "stage": "live", "resourcePath": path, "requestId": request_id}


def _render_request(definition, path: str, body: object, stream: str, request_id: str = REQUEST_ID) -> dict:
    route = definition.route(path)
    text = json.dumps(body, ensure_ascii=False)
    rendered = render(route.request_template(stream), input=ApiGatewayInput(text), context=_context(path, request_id))
    return json.loads(rendered.body)


def _put(kinesis, definition, path: str, body: object, stream: str, request_id: str = REQUEST_ID) -> dict:
    """Render, post the rendered text exactly as it came out, and return what Kinesis answered."""
    route = definition.route(path)
    text = json.dumps(body, ensure_ascii=False)
    rendered = render(route.request_template(stream), input=ApiGatewayInput(text), context=_context(path, request_id))
    status, reply = kinesis.signed.post(route.action, rendered.body)
    assert status == 200, reply
    return json.loads(reply)


def _expected_bytes(record: dict, path: str, index: int, request_id: str = REQUEST_ID) -> dict:
    return {
        **{name: record[name] for name in FIELDS},
        "_ingest": {"source": f"apigateway://a1b2c3d4e5/live{path}", "run_id": request_id, "index": index},
    }


def test_one_record_is_encoded_exactly_as_publish_encodes_it(kinesis, definition, record):
    stream = kinesis.new_stream()
    reply = _put(kinesis, definition, "/v1/records", {"data": record}, stream)
    assert reply["SequenceNumber"]
    [stored] = kinesis.read(stream)
    assert stored.partition_key == REQUEST_ID
    fields, provenance = decode_record(stored.data)
    assert fields == validate_record(record).as_dict()
    assert (provenance.source, provenance.run_id, provenance.index) == (
        "apigateway://a1b2c3d4e5/live/v1/records",
        REQUEST_ID,
        0,
    )
    publish_bytes = encode_record(validate_record(record), provenance)
    assert json.loads(stored.data) == json.loads(publish_bytes)
    assert list(decoded(stored.data)) == [*FIELDS, "_ingest"]


def test_a_batch_of_500_reads_back_equal_in_order_with_spread_and_client_keys(kinesis, definition):
    stream = kinesis.new_stream(shards=4)
    records = list(generate_records(500, seed=4))
    entries = [{"data": r, **({"partitionKey": f"device-{i % 7}"} if i % 2 else {})} for i, r in enumerate(records)]
    reply = _put(kinesis, definition, "/v1/batch", {"records": entries}, stream)
    assert reply["FailedRecordCount"] == 0
    stored = kinesis.read(stream)
    assert len(stored) == 500
    by_index = {decode_record(item.data)[1].index: item for item in stored}
    assert sorted(by_index) == list(range(500))
    for index, record in enumerate(records):
        item = by_index[index]
        assert decoded(item.data) == _expected_bytes(record, "/v1/batch", index)
        assert item.partition_key == (f"device-{index % 7}" if index % 2 else f"{REQUEST_ID}:{index}")
    assert len({item.shard_id for item in stored}) == 4, "the default keys should spread a batch over the shards"


@pytest.mark.parametrize(
    "values",
    [
        {"date": 0, "high": 5e-324, "low": -0.0, "open": 0, "close": 1.7976931348623157e308},
        {"date": MAX_TIMESTAMP, "high": 0.1 + 0.2, "low": 123456789.12345678, "volume": -1e-300},
        {"high": 10**20, "low": 1e22, "quoteVolume": 2**53 + 1},
    ],
    ids=["smallest-and-largest", "max-date-and-precision", "integers-as-numbers"],
)
def test_extreme_numbers_arrive_as_the_same_numbers(kinesis, definition, record, values):
    stream = kinesis.new_stream(shards=1)
    sent = {**record, **values}
    _put(kinesis, definition, "/v1/records", {"data": sent}, stream)
    [stored] = kinesis.read(stream)
    fields, _ = decode_record(stored.data)
    assert fields == validate_record(sent).as_dict()
    for name, value in values.items():
        assert repr(float(decoded(stored.data)[name])) == repr(float(value))


@pytest.mark.parametrize("key", HOSTILE + ["é" * 256, "😀" * 128, "k" * 256], ids=range(len(HOSTILE) + 3))
def test_partition_keys_of_any_content_reach_kinesis_unchanged(kinesis, definition, record, key):
    stream = kinesis.new_stream(shards=1)
    body = {"records": [{"data": record, "partitionKey": key}, {"data": record}]}
    _put(kinesis, definition, "/v1/batch", body, stream)
    stored = kinesis.read(stream)
    assert [item.partition_key for item in stored] == [key, f"{REQUEST_ID}:1"]
    assert [decode_record(item.data)[1].index for item in stored] == [0, 1]


@pytest.mark.parametrize("hostile", HOSTILE + ["x" * 1_000_000], ids=[*range(len(HOSTILE)), "a-megabyte"])
def test_extra_fields_are_dropped_and_a_client_cannot_forge_provenance(kinesis, definition, record, hostile):
    stream = kinesis.new_stream(shards=1)
    data = {**record, "comment": hostile, "_ingest": {"source": "forged", "run_id": hostile, "index": 99}}
    _put(kinesis, definition, "/v1/records", {"data": data}, stream, request_id="req-2")
    [stored] = kinesis.read(stream)
    assert decoded(stored.data) == _expected_bytes(record, "/v1/records", 0, request_id="req-2")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_without_the_validator_a_string_in_a_number_field_cannot_break_out(definition, record, hostile):
    """The model refuses such a body; if it ever got through, the value would stay a JSON string in its field."""
    body = {"records": [{"data": {**record, "high": hostile, "low": ['"', "$q"], "open": {"x": "}"}}}]}
    request = _render_request(definition, "/v1/batch", body, "s")
    [entry] = request["Records"]
    document = json.loads(base64.b64decode(entry["Data"]).decode("utf-8"))
    assert list(document) == [*FIELDS, "_ingest"]
    assert (document["high"], document["low"], document["open"]) == (hostile, ['"', "$q"], {"x": "}"})
    assert document["_ingest"]["run_id"] == REQUEST_ID


def test_a_put_records_reply_becomes_the_accepted_count_and_the_failed_entries(definition):
    reply = {
        "FailedRecordCount": 2,
        "Records": [
            {"SequenceNumber": "1", "ShardId": "shardId-000000000000"},
            {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded for \"shard\" '0'"},
            {"SequenceNumber": "2", "ShardId": "shardId-000000000000"},
            {"ErrorCode": "InternalFailure", "ErrorMessage": "back\\slash $context.requestId"},
        ],
    }
    rendered = render(
        PUT_RECORDS_RESPONSE_TEMPLATE, input=ApiGatewayInput(json.dumps(reply)), context=_context("/v1/batch")
    )
    assert rendered.status is None
    assert json.loads(rendered.body) == {
        "requestId": REQUEST_ID,
        "source": "apigateway://a1b2c3d4e5/live/v1/batch",
        "accepted": 2,
        "failed": [
            {
                "index": 1,
                "errorCode": "ProvisionedThroughputExceededException",
                "errorMessage": "Rate exceeded for \"shard\" '0'",
            },
            {"index": 3, "errorCode": "InternalFailure", "errorMessage": "back\\slash $context.requestId"},
        ],
    }


def test_a_real_put_records_reply_renders_as_all_accepted(kinesis, definition, record):
    stream = kinesis.new_stream(shards=1)
    reply = _put(kinesis, definition, "/v1/batch", {"records": [{"data": record}] * 3}, stream)
    route = definition.route("/v1/batch")
    success = next(r for r in route.responses if r.selection_pattern is None)
    rendered = render(success.template, input=ApiGatewayInput(json.dumps(reply)), context=_context("/v1/batch"))
    assert json.loads(rendered.body)["accepted"] == 3
    assert json.loads(rendered.body)["failed"] == []


@pytest.mark.parametrize(
    ("error_type", "status"),
    [
        ("ProvisionedThroughputExceededException", 429),
        ("KMSThrottlingException", 429),
        ("LimitExceededException", 429),
        ("ResourceNotFoundException", None),
        ("com.amazon.coral.service#AccessDeniedException", None),
    ],
)
def test_a_refused_call_names_the_kinesis_error_and_throttling_becomes_429(error_type, status):
    body = json.dumps({"__type": error_type, "message": "no"})
    rendered = render(ERROR_TEMPLATE, input=ApiGatewayInput(body), context=_context("/v1/records"))
    assert rendered.status == status
    assert json.loads(rendered.body) == {
        "requestId": REQUEST_ID,
        "message": "the stream did not take the records",
        "errorCode": error_type,
    }


def test_a_real_kinesis_refusal_goes_through_the_error_template(kinesis, definition, record):
    route = definition.route("/v1/records")
    request = render(
        route.request_template("no-such-stream"),
        input=ApiGatewayInput(json.dumps({"data": record})),
        context=_context("/v1/records"),
    )
    status, reply = kinesis.signed.post(route.action, request.body)
    assert status == 400
    error = next(r for r in route.responses if r.selection_pattern == r"4\d{2}")
    rendered = render(error.template, input=ApiGatewayInput(reply), context=_context("/v1/records"))
    assert json.loads(rendered.body)["errorCode"] == "ResourceNotFoundException"
    assert (rendered.status, error.status_code) == (None, "502")


@pytest.mark.parametrize("detail", HOSTILE)
def test_gateway_errors_are_json_whatever_the_validators_message_holds(detail):
    [invalid_body] = [r for r in GATEWAY_RESPONSES if r.response_type == "BAD_REQUEST_BODY"]
    context = {
        **_context("/v1/batch"),
        "error": {
            "messageString": json.dumps("Invalid request body"),
            "responseType": "BAD_REQUEST_BODY",
            "validationErrorString": detail,
        },
    }
    rendered = render(invalid_body.template, input=ApiGatewayInput(""), context=context)
    assert json.loads(rendered.body) == {
        "message": "Invalid request body",
        "errorType": "BAD_REQUEST_BODY",
        "details": detail,
        "requestId": REQUEST_ID,
    }


@pytest.mark.parametrize(
    ("headers", "echoed"),
    [
        ({"Origin": "https://app.example.com"}, "https://app.example.com"),
        ({"origin": "http://localhost:3000"}, "http://localhost:3000"),
        ({"Origin": "https://evil.example.com"}, None),
        ({"Origin": "https://app.example.com.evil.example"}, None),
        ({}, None),
    ],
)
def test_cors_echoes_only_an_allowed_origin(record, headers, echoed):
    definition = endpoint_definition(
        load_record_schema(), cors_origins=["https://app.example.com", "http://localhost:3000"]
    )
    route = definition.route("/v1/records")
    success = next(r for r in route.responses if r.selection_pattern is None)
    reply = json.dumps({"SequenceNumber": "1", "ShardId": "shardId-000000000000"})
    for template in (success.template, definition.preflight_template):
        rendered = render(template, input=ApiGatewayInput(reply, {"header": headers}), context=_context("/v1/records"))
        assert rendered.headers.get("Access-Control-Allow-Origin") == echoed
    assert (
        json.loads(render(success.template, input=ApiGatewayInput(reply), context=_context("/v1/records")).body)[
            "accepted"
        ]
        == 1
    )
