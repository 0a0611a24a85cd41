"""The data dictionary's fields, derived from the schema file (`components.core.data_dictionary`).

Each JSON Schema property becomes a `FieldSpec` whose `type` names the conversion the publish path applies:
`{"type": "integer", "format": "unix-time"}` is a timestamp (Unix seconds, also accepted as an ISO-8601 string
with a zone), `{"type": "number"}` a finite float. A property of any other kind is refused when the package is
imported, so a new kind of field cannot slip through unvalidated: it needs a converter first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from components.core.data_dictionary import SchemaError, load_record_schema

FieldType = Literal["timestamp", "float"]

_KINDS: dict[tuple[object, object], FieldType] = {
    ("integer", "unix-time"): "timestamp",
    ("number", None): "float",
}
FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
"""Plain identifiers: they become Python attributes, JSON keys and JSONPath steps in the endpoint's templates.
A leading underscore is reserved for the pipeline's own keys (the `_ingest` provenance)."""


@dataclass(frozen=True)
class FieldSpec:
    """One column of the data dictionary, with its type spelled as the dictionary spells it."""

    name: str
    type: FieldType
    description: str
    minimum: int | float | None = None
    maximum: int | float | None = None


def field_specs(schema: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    """The fields of an object schema, in property order; every property must be required, because the
    validation reports a missing field as an error."""
    properties = schema.get("properties")
    if schema.get("type") != "object" or not isinstance(properties, Mapping) or not properties:
        raise SchemaError("the data dictionary must be an object schema with properties")
    specs = tuple(_field_spec(name, definition) for name, definition in properties.items())
    required = schema.get("required")
    if not isinstance(required, list) or sorted(required) != sorted(properties):
        raise SchemaError(f"every field must be required: 'required' must list {', '.join(properties)}")
    return specs


def _field_spec(name: str, definition: object) -> FieldSpec:
    if not FIELD_NAME.fullmatch(name):
        raise SchemaError(f"field {name!r}: names are letters, digits and '_', starting with a letter")
    if not isinstance(definition, Mapping):
        raise SchemaError(f"field {name!r}: expected a schema object")
    kind = _KINDS.get((definition.get("type"), definition.get("format")))
    if kind is None:
        supported = ", ".join(f"type {t}" + (f" with format {f}" if f else "") for t, f in _KINDS)
        raise SchemaError(f"field {name!r}: no conversion for {dict(definition)!r}; supported: {supported}")
    description = definition.get("description")
    if not isinstance(description, str) or not description.strip():
        raise SchemaError(f"field {name!r}: a description is required (it is the dictionary's documentation)")
    return FieldSpec(name, kind, description, definition.get("minimum"), definition.get("maximum"))


RECORD_SCHEMA: dict[str, Any] = load_record_schema()
"""Loaded once at import: every consumer in the process sees the same dictionary."""
FIELD_SPECS: tuple[FieldSpec, ...] = field_specs(RECORD_SCHEMA)
FIELDS: tuple[str, ...] = tuple(spec.name for spec in FIELD_SPECS)
