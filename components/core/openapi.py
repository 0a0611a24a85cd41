"""The tracking endpoint's contract as an OpenAPI 3 document, generated from the endpoint definition.

Platform teams generate clients from it (`docs/openapi.json`, regenerated with `python -m components.core.openapi
docs/openapi.json`; a test fails when the committed file drifts). Everything in it comes from `EndpointDefinition`:
the routes, the request models (the data dictionary as API Gateway's JSON Schema draft 4 models, which are also
valid OpenAPI 3.0 schema objects once `$schema` is dropped), the authentication, CORS and the limits. The response
bodies are the shapes the definition's mapping templates write; `tests/endpoint/test_openapi.py` renders every
template and validates the result against these schemas, and the stand-in is fuzzed against the whole document.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .api_models import BATCH_MODEL_NAME, MAX_PARTITION_KEY_LENGTH, RECORD_MODEL_NAME
from .data_dictionary import Schema, load_record_schema
from .endpoint import (
    API_KEY_HEADER,
    API_VERSION,
    JSON_CONTENT_TYPE,
    ORIGIN_HEADER,
    STAGE_NAME,
    STREAM_REFUSED_STATUS,
    STREAM_UNAVAILABLE_STATUS,
    SUCCESS_STATUS,
    THROTTLED_STATUS,
    EndpointDefinition,
    Route,
    endpoint_definition,
)

OPENAPI_VERSION = "3.0.3"
MAX_BODY_BYTES = 10 * 1024 * 1024
"""API Gateway's REST API payload limit (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html)."""
DEPLOYED_SERVER = f"https://{{apiId}}.execute-api.{{region}}.amazonaws.com/{STAGE_NAME}"
RECORD_SCHEMA_NAME = "PriceRecord"
_REF = "#/components/schemas/"

GATEWAY_ERRORS: Mapping[str, str] = {
    "403": "Refused by API Gateway: a missing or unknown API key, a request the WAF blocked, or a bad signature.",
    "413": f"The body is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB.",
    "415": "The body is not application/json.",
    "504": "The stream did not answer within the integration timeout: retry with backoff.",
}
"""Statuses API Gateway answers itself before (or instead of) the integration, with its DEFAULT_4XX/5XX body."""

_SCHEMAS: dict[str, Schema] = {
    "Accepted": {
        "type": "object",
        "description": "Kinesis took the request; a batch may still list entries it failed to store.",
        "properties": {
            "requestId": {"type": "string", "description": "API Gateway's request id, also each record's run_id."},
            "source": {
                "type": "string",
                "pattern": "^apigateway://",
                "description": "apigateway://<api id>/<stage><path>: each stored record's _ingest.source.",
            },
            "accepted": {"type": "integer", "minimum": 0},
            "failed": {
                "type": "array",
                "description": "Entries Kinesis did not store, by position in the request: resend them with backoff.",
                "items": {"$ref": f"{_REF}FailedEntry"},
            },
        },
        "required": ["requestId", "source", "accepted", "failed"],
        "additionalProperties": False,
    },
    "FailedEntry": {
        "type": "object",
        "properties": {
            "index": {"type": "integer", "minimum": 0},
            "errorCode": {"type": "string", "description": "Kinesis's, e.g. ProvisionedThroughputExceededException."},
            "errorMessage": {"type": "string"},
        },
        "required": ["index", "errorCode", "errorMessage"],
        "additionalProperties": False,
    },
    "InvalidRequestBody": {
        "type": "object",
        "description": "The body is not JSON or breaks the request model; nothing reached the stream.",
        "properties": {
            "message": {"type": "string"},
            "errorType": {"type": "string", "enum": ["BAD_REQUEST_BODY"]},
            "details": {"type": "string", "description": "The validator's message, naming the failing field."},
            "requestId": {"type": "string"},
        },
        "required": ["message", "errorType", "details", "requestId"],
        "additionalProperties": False,
    },
    "GatewayError": {
        "type": "object",
        "description": "An error API Gateway answered itself.",
        "properties": {
            "message": {"type": "string"},
            "errorType": {"type": "string", "description": "API Gateway's response type, e.g. INVALID_API_KEY."},
            "requestId": {"type": "string"},
        },
        "required": ["message", "errorType", "requestId"],
        "additionalProperties": False,
    },
    "StreamError": {
        "type": "object",
        "description": "Kinesis refused the whole call; the request itself was valid.",
        "properties": {
            "requestId": {"type": "string"},
            "message": {"type": "string"},
            "errorCode": {"type": "string", "description": "Kinesis's error type."},
        },
        "required": ["requestId", "message", "errorCode"],
        "additionalProperties": False,
    },
}
"""The bodies the definition's templates write: `PUT_RECORD(S)_RESPONSE_TEMPLATE`, `ERROR_TEMPLATE` and the
gateway responses."""


def openapi_document(definition: EndpointDefinition, *, server_url: str = DEPLOYED_SERVER) -> dict[str, Any]:
    """The OpenAPI 3.0 document of the endpoint `definition` describes, served at `server_url` (a relative URL is
    allowed: the stand-in serves its document under its own base path)."""
    record = dict(definition.models[RECORD_MODEL_NAME]["properties"]["data"])
    schemas: dict[str, Schema] = {RECORD_SCHEMA_NAME: record}
    for name, model in definition.models.items():
        schemas[name] = _referencing(record, {key: value for key, value in model.items() if key != "$schema"})
    schemas.update(_SCHEMAS)
    components: dict[str, Any] = {"schemas": schemas}
    security = _security(definition)
    if security:
        components["securitySchemes"] = security
    paths: dict[str, Any] = {}
    for route in definition.routes:
        operations: dict[str, Any] = {"post": _post(definition, route)}
        if definition.cors_origins:
            operations["options"] = _preflight(definition)
        paths[route.path] = operations
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Tracking endpoint",
            "version": API_VERSION,
            "description": _description(definition),
        },
        "servers": [_server(server_url)],
        "paths": paths,
        "components": components,
    }
    if security:
        document["security"] = [{name: []} for name in security]
    return document


def _description(definition: EndpointDefinition) -> str:
    batch = definition.models[BATCH_MODEL_NAME]["properties"]["records"]["maxItems"]
    return (
        "Send tracking records into the pipeline's Kinesis stream over HTTPS. Every record is validated against the "
        "data dictionary before it reaches the stream. Limits: one JSON body of at most "
        f"{MAX_BODY_BYTES // (1024 * 1024)} MB; 1 to {batch} records per batch; a partition key of 1 to "
        f"{MAX_PARTITION_KEY_LENGTH} characters; the stage's and the API key's rate, burst and daily quota "
        "(429 beyond them). Guide: docs/endpoint.md."
    )


def _server(url: str) -> dict[str, Any]:
    if url != DEPLOYED_SERVER:
        return {"url": url}
    return {
        "url": url,
        "description": "The stack's trackingEndpointUrl output",
        "variables": {
            "apiId": {"default": "a1b2c3d4e5", "description": "The stack output trackingApiId."},
            "region": {"default": "ap-southeast-1", "description": "The stack's region."},
        },
    }


def _security(definition: EndpointDefinition) -> dict[str, Any]:
    if definition.auth.api_key_required:
        return {
            "apiKey": {
                "type": "apiKey",
                "in": "header",
                "name": API_KEY_HEADER,
                "description": "The stack's API key: aws apigateway get-api-key --api-key <apiKeyId> --include-value.",
            }
        }
    if definition.auth.authorization == "AWS_IAM":
        return {
            "sigv4": {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "An AWS Signature Version 4 signature for the service execute-api.",
                "x-amazon-apigateway-authtype": "awsSigv4",
            }
        }
    return {}


def _post(definition: EndpointDefinition, route: Route) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status in sorted({*route.method_statuses, "400", *GATEWAY_ERRORS}):
        responses[status] = _response(status, bool(definition.cors_origins))
    return {
        "operationId": "putRecord" if route.action == "PutRecord" else "putRecords",
        "summary": f"Put {'one record' if route.action == 'PutRecord' else 'a batch of records'} into the stream",
        "description": f"Validated against the {route.model_name} model, then Kinesis {route.action}.",
        "requestBody": {
            "required": True,
            "content": {JSON_CONTENT_TYPE: {"schema": {"$ref": f"{_REF}{route.model_name}"}}},
        },
        "responses": responses,
    }


def _response(status: str, cors: bool) -> dict[str, Any]:
    described: dict[str, tuple[str, Schema]] = {
        SUCCESS_STATUS: ("Kinesis took the request.", {"$ref": f"{_REF}Accepted"}),
        "400": ("The body is not JSON or breaks the model.", {"$ref": f"{_REF}InvalidRequestBody"}),
        THROTTLED_STATUS: (
            "Over the stage's or the key's rate, burst or quota, or Kinesis throttled the call: retry later.",
            {"oneOf": [{"$ref": f"{_REF}GatewayError"}, {"$ref": f"{_REF}StreamError"}]},
        ),
        STREAM_REFUSED_STATUS: (
            "Kinesis refused the call for a reason the client cannot fix.",
            {"$ref": f"{_REF}StreamError"},
        ),
        STREAM_UNAVAILABLE_STATUS: ("Kinesis failed: retry with backoff.", {"$ref": f"{_REF}StreamError"}),
    }
    description, schema = described.get(status) or (GATEWAY_ERRORS[status], {"$ref": f"{_REF}GatewayError"})
    response: dict[str, Any] = {"description": description, "content": {JSON_CONTENT_TYPE: {"schema": schema}}}
    if cors:
        response["headers"] = {ORIGIN_HEADER: {"schema": {"type": "string"}, "description": "An allowed origin."}}
    return response


def _preflight(definition: EndpointDefinition) -> dict[str, Any]:
    preflight = definition.preflight
    return {
        "summary": "CORS preflight for browsers from the allowed origins",
        "description": "Allowed origins: " + ", ".join(definition.cors_origins) + ".",
        "security": [],
        "responses": {
            preflight.status: {
                "description": "The CORS headers; Access-Control-Allow-Origin only for an allowed origin.",
                "headers": {
                    name: {"schema": {"type": "string", "enum": [value]}}
                    for name, value in preflight.headers
                    if name != "Vary"
                },
            }
        },
    }


def _referencing(record: Schema, schema: Any) -> Any:
    """`schema` with every copy of the record's subschema replaced by a reference to it, so generated clients get
    one record type."""
    if schema == record:
        return {"$ref": f"{_REF}{RECORD_SCHEMA_NAME}"}
    if isinstance(schema, dict):
        return {key: _referencing(record, value) for key, value in schema.items()}
    return schema


def render(document: Mapping[str, Any]) -> str:
    """The committed file's text: stable key order as generated, two-space indentation, a final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def committed_document() -> dict[str, Any]:
    """What docs/openapi.json holds: the endpoint as both stacks configure it (API key, up to 500 records per
    batch, no CORS origins; a test checks the stacks still do)."""
    return openapi_document(endpoint_definition(load_record_schema()))


def main(argv: list[str]) -> int:
    """`python -m components.core.openapi [PATH]`: write the document to PATH, or print it."""
    text = render(committed_document())
    if len(argv) > 1:
        print(f"usage: python -m components.core.openapi [PATH]; got {' '.join(argv)}", file=sys.stderr)
        return 2
    if argv:
        Path(argv[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
