"""One schema, used everywhere: the publish path's validation, the endpoint's request models and mapping templates,
and the field table in docs/endpoint.md all come from `components/core/price_record.schema.json`, and agree."""

from __future__ import annotations

import base64
import copy
import json
import math
import re

import pytest
from jsonschema import Draft4Validator

from components.core.api_models import (
    DRAFT4,
    batch_request_model,
    draft4_subschema,
    record_request_model,
)
from components.core.data_dictionary import load_record_schema, record_field_names
from components.core.endpoint import put_records_template
from ingest.errors import RecordValidationError
from ingest.local.vtl import ApiGatewayInput, render
from ingest.records import FIELD_SPECS, FIELDS, RECORD_SCHEMA, validate_record
from ingest.records.conversions import MAX_TIMESTAMP
from ingest.records.table import END_MARKER, FIELD_TABLE_PAGE, START_MARKER, field_table_markdown
from ingest.sample import generate_records
from tests.aws_env import REPOSITORY


def test_the_component_and_the_ingest_package_read_the_same_file():
    assert load_record_schema() == RECORD_SCHEMA
    assert record_field_names(load_record_schema()) == FIELDS


def test_the_request_models_are_draft_4_and_hold_the_dictionary_as_it_is():
    record_model = record_request_model(RECORD_SCHEMA)
    batch_model = batch_request_model(RECORD_SCHEMA)
    for model in (record_model, batch_model):
        Draft4Validator.check_schema(model)
        assert model["$schema"] == DRAFT4
    data = record_model["properties"]["data"]
    assert data == batch_model["properties"]["records"]["items"]["properties"]["data"]
    assert data == draft4_subschema(RECORD_SCHEMA)
    assert tuple(data["properties"]) == tuple(data["required"]) == FIELDS
    assert "format" not in data["properties"]["date"] and "$schema" not in data
    assert (data["properties"]["date"]["minimum"], data["properties"]["date"]["maximum"]) == (0, MAX_TIMESTAMP)
    for spec in FIELD_SPECS:
        assert data["properties"][spec.name]["description"] == spec.description
        assert data["properties"][spec.name]["type"] == {"timestamp": "integer", "float": "number"}[spec.type]
    assert batch_model["properties"]["records"]["maxItems"] == 500


def _json_typed_cases():
    """Records as a JSON client sends them: the valid ones, each field at its edges, and type errors."""
    base = next(generate_records(1))
    yield from generate_records(50, seed=11)
    yield {**base, "date": 0}
    yield {**base, "date": MAX_TIMESTAMP}
    yield {**base, "date": MAX_TIMESTAMP + 1}
    yield {**base, "date": -1}
    yield {**base, "date": 1514764800.5}
    yield {**base, "high": 5e-324, "low": -1.7976931348623157e308, "open": 0}
    yield {**base, "extra": "ignored"}
    for name in FIELDS:
        yield {key: value for key, value in base.items() if key != name}
        for wrong in (None, True, [1], {"v": 1}, "abc"):
            yield {**base, name: wrong}


@pytest.mark.parametrize("case", list(_json_typed_cases()), ids=lambda case: json.dumps(case)[:60])
def test_whatever_the_endpoint_accepts_publish_accepts_as_the_same_record(case):
    """The model is the stricter of the two (JSON types only; publish also converts CSV strings and ISO dates), so
    every record that passes the endpoint is a valid dictionary record with the same values."""
    model_accepts = Draft4Validator(record_request_model(RECORD_SCHEMA)).is_valid({"data": case})
    try:
        converted = validate_record(case).as_dict()
    except RecordValidationError:
        converted = None
    if model_accepts:
        assert converted is not None
        for name in FIELDS:
            assert converted[name] == case[name] and not (isinstance(case[name], float) and math.isnan(case[name]))
    if converted is None:
        assert not model_accepts


def test_the_mapping_templates_rebuild_exactly_the_dictionary_fields():
    record = next(generate_records(1))
    body = json.dumps({"records": [{"data": {"surprise": 1, **record}}]})
    context = {"apiId": "a", "stage": "live", "resourcePath": "/v1/batch", "requestId": "r"}
    rendered = render(put_records_template("s", FIELDS), input=ApiGatewayInput(body), context=context)
    data = json.loads(base64.b64decode(json.loads(rendered.body)["Records"][0]["Data"]))
    assert list(data) == [*FIELDS, "_ingest"]


def test_adding_a_field_to_the_file_reaches_the_models_and_the_templates():
    schema = copy.deepcopy(RECORD_SCHEMA)
    schema["properties"]["trades"] = {"type": "number", "description": "number of trades"}
    schema["required"].append("trades")
    model = record_request_model(schema)
    assert model["properties"]["data"]["required"][-1] == "trades"
    record = {**next(generate_records(1)), "trades": 12.0}
    body = json.dumps({"records": [{"data": record}]})
    context = {"apiId": "a", "stage": "live", "resourcePath": "/v1/batch", "requestId": "r"}
    rendered = render(
        put_records_template("s", record_field_names(schema)), input=ApiGatewayInput(body), context=context
    )
    assert json.loads(base64.b64decode(json.loads(rendered.body)["Records"][0]["Data"]))["trades"] == 12.0


@pytest.mark.parametrize(
    ("keyword", "value"), [("const", 1), ("exclusiveMinimum", 0), ("$defs", {}), ("prefixItems", []), ("if", {})]
)
def test_a_keyword_draft_4_cannot_express_is_refused_naming_where_it_is(keyword, value):
    schema = copy.deepcopy(RECORD_SCHEMA)
    schema["properties"]["high"][keyword] = value
    with pytest.raises(ValueError, match=re.escape(f"#/properties/high: keyword '{keyword}'")):
        draft4_subschema(schema)


def test_the_documented_field_table_is_the_generated_one():
    page = (REPOSITORY / FIELD_TABLE_PAGE).read_text(encoding="utf-8")
    assert START_MARKER in page and END_MARKER in page, (
        f"{FIELD_TABLE_PAGE} needs the generated field table between {START_MARKER} and {END_MARKER} "
        "(print it with: python -m ingest.records.table)"
    )
    table = page.split(START_MARKER, 1)[1].split(END_MARKER, 1)[0].strip("\n") + "\n"
    assert table == field_table_markdown(), f"{FIELD_TABLE_PAGE}'s field table is stale: python -m ingest.records.table"
