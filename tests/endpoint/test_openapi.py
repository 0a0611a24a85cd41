"""The endpoint's OpenAPI document: generated from the definition, committed as docs/openapi.json, valid OpenAPI 3.0,
true to both stacks, and true to what every mapping template actually answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft4Validator
from openapi_spec_validator import validate

from components.core.api_models import BATCH_MODEL_NAME, RECORD_MODEL_NAME
from components.core.data_dictionary import load_record_schema
from components.core.endpoint import GATEWAY_RESPONSES, endpoint_definition
from components.core.openapi import committed_document, main, openapi_document, render
from components.core.stack_config import args_from_config
from ingest.local.gateway import HttpRequest, LocalGateway
from ingest.local.stack_file import PROJECT_DIR, read_stack_file
from ingest.local.vtl import ApiGatewayInput
from ingest.local.vtl import render as render_vtl

COMMITTED = PROJECT_DIR / "docs" / "openapi.json"
CONTEXT = {"apiId": "a1b2c3d4e5", "stage": "live", "resourcePath": "/v1/batch", "requestId": "req-1"}


def test_the_committed_document_is_the_generated_one():
    assert COMMITTED.read_text(encoding="utf-8") == render(committed_document()), (
        "docs/openapi.json is out of date: regenerate it with `make openapi` "
        "(python -m components.core.openapi docs/openapi.json)"
    )


def test_the_regenerate_command_writes_exactly_the_committed_file(tmp_path, capsys):
    assert main([str(tmp_path / "openapi.json")]) == 0
    assert (tmp_path / "openapi.json").read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8")
    assert main([]) == 0
    assert capsys.readouterr().out == COMMITTED.read_text(encoding="utf-8")
    assert main(["a", "b"]) == 2


def test_it_is_valid_openapi_3():
    validate(json.loads(COMMITTED.read_text(encoding="utf-8")))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_it_describes_the_endpoint_each_stack_deploys(stack):
    args = args_from_config(read_stack_file(stack))
    deployed = endpoint_definition(
        load_record_schema(),
        max_batch_records=args.http_max_batch_records,
        cors_origins=args.http_cors_origins,
        auth=args.http_auth,
    )
    assert openapi_document(deployed) == committed_document(), f"{stack} serves another endpoint: document it"


def test_routes_models_key_and_limits_come_from_the_definition():
    definition = endpoint_definition(load_record_schema(), max_batch_records=25)
    document = openapi_document(definition)
    assert set(document["paths"]) == {"/v1/records", "/v1/batch"}
    for route in definition.routes:
        post = document["paths"][route.path]["post"]
        schema = post["requestBody"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": f"#/components/schemas/{route.model_name}"}
        assert set(route.method_statuses) <= set(post["responses"])
        assert {"400", "403", "413", "415"} <= set(post["responses"])
    schemas = document["components"]["schemas"]
    assert schemas[BATCH_MODEL_NAME]["properties"]["records"]["maxItems"] == 25
    assert schemas[RECORD_MODEL_NAME]["properties"]["data"] == {"$ref": "#/components/schemas/PriceRecord"}
    assert list(schemas["PriceRecord"]["properties"]) == list(load_record_schema()["properties"])
    assert "$schema" not in json.dumps(schemas)
    assert document["security"] == [{"apiKey": []}]
    assert document["components"]["securitySchemes"]["apiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
        "description": "The stack's API key: aws apigateway get-api-key --api-key <apiKeyId> --include-value.",
    }


def test_authentication_and_cors_follow_the_definition():
    iam = openapi_document(endpoint_definition(load_record_schema(), auth="iam"))
    assert iam["security"] == [{"sigv4": []}]
    none = openapi_document(endpoint_definition(load_record_schema(), auth="none"))
    assert "security" not in none and "securitySchemes" not in none["components"]
    cors = openapi_document(endpoint_definition(load_record_schema(), cors_origins=["https://app.example.com"]))
    options = cors["paths"]["/v1/batch"]["options"]
    assert options["security"] == []
    assert options["responses"]["204"]["headers"]["Access-Control-Allow-Methods"]["schema"]["enum"] == ["OPTIONS,POST"]
    validate(iam)
    validate(cors)


def _validator(name: str) -> Draft4Validator:
    document = committed_document()
    return Draft4Validator({"$ref": f"#/components/schemas/{name}", "components": document["components"]})


def _rendered(template: str, reply: str, context: dict[str, Any] | None = None) -> Any:
    return json.loads(render_vtl(template, input=ApiGatewayInput(reply), context=context or CONTEXT).body)


def test_every_integration_response_template_writes_its_documented_body():
    definition = endpoint_definition(load_record_schema())
    replies = {
        "PutRecord": json.dumps({"SequenceNumber": "1", "ShardId": "shardId-000000000000"}),
        "PutRecords": json.dumps(
            {
                "FailedRecordCount": 1,
                "Records": [
                    {"SequenceNumber": "1", "ShardId": "shardId-000000000000"},
                    {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded"},
                ],
            }
        ),
    }
    error = json.dumps({"__type": "ResourceNotFoundException", "message": "Stream not found"})
    for route in definition.routes:
        for response in route.responses:
            body = _rendered(response.template, replies[route.action] if response.selection_pattern is None else error)
            schema = "Accepted" if response.status_code == "200" else "StreamError"
            _validator(schema).validate(body)


def test_every_gateway_response_template_writes_its_documented_body():
    for response in GATEWAY_RESPONSES:
        context = {
            **CONTEXT,
            "error": {
                "message": "Forbidden",
                "messageString": json.dumps("Invalid request body"),
                "responseType": response.response_type,
                "validationErrorString": "[/records/0/data/high: 'x' is not of type 'number']",
            },
        }
        body = _rendered(response.template, "", context)
        _validator("InvalidRequestBody" if response.status_code == "400" else "GatewayError").validate(body)


class _NoKinesis:
    def post(self, action: str, body: str) -> tuple[int, str]:
        raise AssertionError("the document is served without calling Kinesis")


def test_the_stand_in_answers_its_document_without_a_key():
    gateway = LocalGateway(
        endpoint_definition(load_record_schema()), stream_name="s", kinesis=_NoKinesis(), api_keys=["k"]
    )
    response = gateway.handle(HttpRequest("GET", "/live/openapi.json", {}))
    assert response.status == 200
    assert response.json() == {**committed_document(), "servers": [{"url": "/live"}]}
