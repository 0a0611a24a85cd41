"""The data dictionary as one JSON Schema file, shipped inside this package.

`schema/price_record.schema.json` is the only definition of a record's fields: names, order, JSON types, ranges
and descriptions. Everything else derives from it: the publish path's validation (`ingest.records.fields` and
`model`), the tracking endpoint's request model and mapping templates (built by `components.record_schema` from
this same file), the field table in docs/endpoint.md (`ingest.records.table`) and the tests. Adding a field is
one edit to the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ingest.errors import IngestError

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "price_record.schema.json"


class SchemaError(IngestError, ValueError):
    """The schema file says something the package cannot turn into validation (unknown type, bad name...)."""


def load_schema(path: Path = SCHEMA_PATH) -> dict[str, Any]:
    """The schema as a JSON document; a broken file is a bug in this package, reported with its path."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaError(f"cannot read the data dictionary {path}: {exc}") from None
    if not isinstance(document, dict):
        raise SchemaError(f"{path}: expected a JSON Schema object")
    return document


RECORD_SCHEMA: dict[str, Any] = load_schema()
"""Loaded once at import: every consumer in the process sees the same dictionary."""
