"""The data dictionary is one JSON Schema file; the publish path's fields, types and record class derive from it."""

from __future__ import annotations

import copy
import dataclasses
import json

import jsonschema
import pytest

from components.core.data_dictionary import SCHEMA_PATH, SchemaError, load_record_schema
from ingest.records import FIELD_SPECS, FIELDS, RECORD_SCHEMA, PriceRecord
from ingest.records.conversions import MAX_TIMESTAMP
from ingest.records.fields import field_specs
from ingest.records.table import END_MARKER, START_MARKER, field_table_markdown


def test_the_file_is_a_valid_json_schema_shipped_in_the_pulumi_free_core():
    assert SCHEMA_PATH.parts[-3:] == ("components", "core", "price_record.schema.json")
    jsonschema.Draft202012Validator.check_schema(RECORD_SCHEMA)
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == RECORD_SCHEMA


def test_fields_types_and_descriptions_come_from_the_schema():
    properties = RECORD_SCHEMA["properties"]
    assert FIELDS == tuple(properties) == tuple(RECORD_SCHEMA["required"])
    for spec in FIELD_SPECS:
        assert spec.description == properties[spec.name]["description"]
        assert spec.type == ("timestamp" if properties[spec.name]["type"] == "integer" else "float")
    assert tuple(field.name for field in dataclasses.fields(PriceRecord)) == FIELDS


def test_the_timestamp_range_is_the_converters_range():
    date = RECORD_SCHEMA["properties"]["date"]
    assert (date["type"], date["format"]) == ("integer", "unix-time")
    assert (date["minimum"], date["maximum"]) == (0, MAX_TIMESTAMP)


def test_a_valid_record_under_the_schema_is_a_valid_record_for_publish(valid_raw):
    jsonschema.Draft202012Validator(RECORD_SCHEMA).validate(valid_raw)
    assert PriceRecord(**valid_raw).as_dict() == valid_raw


def test_adding_a_field_is_one_edit_to_the_schema():
    schema = copy.deepcopy(RECORD_SCHEMA)
    schema["properties"]["trades"] = {"type": "number", "description": "number of trades in this period"}
    schema["required"].append("trades")
    specs = field_specs(schema)
    assert specs[-1].name == "trades" and specs[-1].type == "float"
    assert "| `trades` | number (finite) | number of trades in this period |" in field_table_markdown(specs)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s["properties"]["high"].update(type="string"), "field 'high': no conversion"),
        (lambda s: s["properties"]["date"].pop("format"), "field 'date': no conversion"),
        (lambda s: s["properties"]["low"].pop("description"), "field 'low': a description is required"),
        (lambda s: s["properties"].update(_secret={"type": "number", "description": "x"}), "'_secret': names are"),
        (lambda s: s["properties"].update({"two words": {"type": "number", "description": "x"}}), "names are"),
        (lambda s: s["required"].remove("close"), "every field must be required"),
        (lambda s: s.update(type="array"), "must be an object schema"),
        (lambda s: s.update(properties={}), "must be an object schema"),
    ],
)
def test_a_schema_the_validation_cannot_follow_is_refused_naming_the_field(edit, message):
    schema = copy.deepcopy(RECORD_SCHEMA)
    edit(schema)
    with pytest.raises(SchemaError, match=message):
        field_specs(schema)


def test_an_unreadable_schema_file_names_its_path(tmp_path):
    broken = tmp_path / "broken.schema.json"
    broken.write_text("{not json")
    with pytest.raises(SchemaError, match="broken.schema.json"):
        load_record_schema(broken)
    broken.write_text("[]")
    with pytest.raises(SchemaError, match="expected a JSON Schema object"):
        load_record_schema(broken)


def test_the_field_table_has_one_row_per_field_in_dictionary_order():
    table = field_table_markdown()
    rows = table.splitlines()
    assert rows[:2] == ["| Field | Type | Description |", "| --- | --- | --- |"]
    assert [row.split("`")[1] for row in rows[2:]] == list(FIELDS)
    assert "| `date` | integer: Unix seconds, UTC, 0 to 253402300799 |" in table
    assert START_MARKER != END_MARKER
