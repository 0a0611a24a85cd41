"""The data dictionary: one JSON Schema file (`price_record.schema.json`, next to this module).

It is the only definition of a record's fields: names, order, JSON types, ranges and descriptions. Everything else
derives from it: the publish path's validation (`ingest.records`), the tracking endpoint's request models and
mapping templates (`api_models`, `endpoint`), the field table in docs/endpoint.md (`ingest.records.table`), the Glue
table's columns (`catalog`) and the tests. Adding a field is one edit to the file. It is read as package data, so
both the component and the tool ship it without importing each other.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).resolve().parent / "price_record.schema.json"

Schema = dict[str, Any]


class SchemaError(ValueError):
    """The schema file says something the product cannot turn into validation (unknown type, bad name...)."""


def load_record_schema(path: Path = SCHEMA_PATH) -> Schema:
    """The schema as a JSON document; a broken file is a bug in this package, reported with its path."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaError(f"cannot read the data dictionary {path}: {exc}") from None
    if not isinstance(document, dict):
        raise SchemaError(f"{path}: expected a JSON Schema object")
    return document


def record_field_names(schema: Mapping[str, Any]) -> tuple[str, ...]:
    """The dictionary's fields in order: the mapping templates rebuild each record from exactly these."""
    return tuple(schema["properties"])
