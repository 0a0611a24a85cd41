"""The stand-in fuzzed against the endpoint's OpenAPI document with schemathesis: valid and invalid requests, over
HTTP into moto's Kinesis. No 5xx, every status and body as documented, and every invalid body answered with the
documented 400.

The document is the committed one (`docs/openapi.json`, the stacks' settings), so this also proves the contract
platform teams generate clients from holds for what the endpoint's templates answer. Deterministic (derandomized,
no example database) and bounded (`MAX_EXAMPLES` per operation and generation mode)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from schemathesis.generation import GenerationMode

from components.core.openapi import committed_document
from components.core.settings import TrackingPipelineArgs
from ingest.local.gateway_server import LocalEndpoint, local_gateway, serving_endpoint

pytestmark = pytest.mark.e2e

MAX_EXAMPLES = 40
KEY = "fuzz" * 10

schema = schemathesis.openapi.from_dict(committed_document())
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")
# API Gateway answers a method a resource does not declare with 403 MISSING_AUTHENTICATION_TOKEN, as the stand-in
# does (documented as a 403 GatewayError), not with the 405 this check expects of a generic HTTP server.
schema.config.checks.unsupported_method.enabled = False


@pytest.fixture(scope="module")
def stand_in(kinesis) -> Iterator[LocalEndpoint]:
    args = TrackingPipelineArgs(enable_http_endpoint=True)
    gateway = local_gateway(args, stream_name=kinesis.new_stream(shards=1), kinesis=kinesis.signed, api_key=KEY)
    with serving_endpoint(gateway) as endpoint:
        yield endpoint


@schema.parametrize()
def test_every_response_is_documented_and_no_request_breaks_the_stand_in(case, stand_in):
    """`call_and_validate` checks each answer against the document: a documented status, the documented body
    (response_schema_conformance), no 5xx (not_a_server_error), and that negative cases are refused. Beyond that: a
    request that carried the key to a declared route but broke the model gets exactly the documented 400."""
    response = case.call_and_validate(base_url=stand_in.url, headers={"x-api-key": KEY})
    assert response.status_code < 500, response.text
    sent = response.request.headers
    negative = case.meta is not None and case.meta.generation.mode == GenerationMode.NEGATIVE
    if negative and case.method == "POST" and sent.get("x-api-key") == KEY and _is_json(sent.get("Content-Type")):
        assert response.status_code == 400, (case.body, response.text)
        assert json.loads(response.text)["errorType"] == "BAD_REQUEST_BODY"


def _is_json(content_type: str | None) -> bool:
    return content_type is not None and content_type.split(";", 1)[0].strip().lower() == "application/json"


def test_the_stand_in_serves_the_document_of_the_endpoint_it_serves(stand_in):
    """The document the fuzzer reads is the one the stand-in serves under its base path, server and all."""
    served = requests.get(f"{stand_in.url}/openapi.json", timeout=10)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "application/json"
    document = served.json()
    assert document["servers"] == [{"url": "/live"}]
    assert {**document, "servers": committed_document()["servers"]} == committed_document()
