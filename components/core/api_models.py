"""The tracking endpoint's request models, generated from the data dictionary.

API Gateway validates request bodies against models written in JSON Schema draft 4. The dictionary
(`data_dictionary`) is written in a later draft: `draft4_subschema` copies it keyword by keyword, drops the
annotation-only keywords, and refuses any keyword it does not know, so a schema edit that draft 4 cannot express
fails in the tests instead of being ignored by API Gateway.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .data_dictionary import Schema
from .limits import KINESIS_LIMITS

DRAFT4 = "http://json-schema.org/draft-04/schema#"
PUT_RECORDS_LIMIT = KINESIS_LIMITS.max_records_per_call
MAX_PARTITION_KEY_LENGTH = KINESIS_LIMITS.max_partition_key_chars
RECORD_MODEL_NAME = "TrackingRecord"
BATCH_MODEL_NAME = "TrackingBatch"

_KEPT = frozenset(
    {
        "type",
        "title",
        "description",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "pattern",
        "enum",
    }
)
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "format", "examples"})
"""Dropped: they do not constrain a value (API Gateway's validator would not check `format: unix-time` anyway)."""


def draft4_subschema(schema: Mapping[str, Any], where: str = "#") -> Schema:
    """`schema` with only keywords draft 4 knows (annotations dropped); anything else raises ValueError naming
    where it is."""
    converted: Schema = {}
    for key, value in schema.items():
        if key in _ANNOTATIONS:
            continue
        if key not in _KEPT:
            raise ValueError(f"{where}: keyword {key!r} has no JSON Schema draft 4 equivalent for API Gateway")
        if key == "properties":
            converted[key] = {name: draft4_subschema(sub, f"{where}/properties/{name}") for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, Mapping):
            converted[key] = draft4_subschema(value, f"{where}/{key}")
        else:
            converted[key] = json.loads(json.dumps(value))
    return converted


def _entry(record_schema: Mapping[str, Any]) -> Schema:
    """One record as a client sends it: the record under `data`, and optionally the partition key to use.
    Unknown envelope keys are refused (a misspelt `partition_key` would otherwise be silently ignored)."""
    return {
        "type": "object",
        "properties": {
            "data": draft4_subschema(record_schema, "#/data"),
            "partitionKey": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_PARTITION_KEY_LENGTH,
                "description": "Records with the same key go to the same shard, in order; default: spread.",
            },
        },
        "required": ["data"],
        "additionalProperties": False,
    }


def record_request_model(record_schema: Mapping[str, Any]) -> Schema:
    """The model of `POST /v1/records`: one entry."""
    return {
        "$schema": DRAFT4,
        "title": RECORD_MODEL_NAME,
        "description": "One tracking record and its optional partition key.",
        **_entry(record_schema),
    }


def batch_request_model(record_schema: Mapping[str, Any], max_records: int = PUT_RECORDS_LIMIT) -> Schema:
    """The model of `POST /v1/batch`: 1 to `max_records` entries (at most Kinesis PutRecords' 500)."""
    if not 1 <= max_records <= PUT_RECORDS_LIMIT:
        raise ValueError(f"a batch holds 1 to {PUT_RECORDS_LIMIT} records, not {max_records}")
    return {
        "$schema": DRAFT4,
        "title": BATCH_MODEL_NAME,
        "description": f"Up to {max_records} tracking records, each with its optional partition key.",
        "type": "object",
        "properties": {
            "records": {"type": "array", "minItems": 1, "maxItems": max_records, "items": _entry(record_schema)},
        },
        "required": ["records"],
        "additionalProperties": False,
    }
