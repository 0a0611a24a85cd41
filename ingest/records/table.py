"""The data dictionary's field table in docs/endpoint.md, generated so the documentation cannot drift from it.

`python -m ingest.records.table` prints it; a test compares it with the table between the
`<!-- field-table:start -->` and `<!-- field-table:end -->` markers of `FIELD_TABLE_PAGE`.
"""

from __future__ import annotations

from collections.abc import Iterable

from ingest.records.fields import FIELD_SPECS, FieldSpec

FIELD_TABLE_PAGE = "docs/endpoint.md"
"""Where the table lives, relative to the repository root."""
START_MARKER = "<!-- field-table:start -->"
END_MARKER = "<!-- field-table:end -->"
_TYPE_TEXT = {"timestamp": "integer: Unix seconds, UTC", "float": "number (finite)"}


def field_table_markdown(specs: Iterable[FieldSpec] = FIELD_SPECS) -> str:
    """One row per field, in dictionary order: name, JSON type (with its range when it has one), meaning."""
    rows = ["| Field | Type | Description |", "| --- | --- | --- |"]
    for spec in specs:
        rows.append(f"| `{spec.name}` | {_type_text(spec)} | {spec.description} |")
    return "\n".join(rows) + "\n"


def _type_text(spec: FieldSpec) -> str:
    text = _TYPE_TEXT[spec.type]
    if spec.minimum is not None and spec.maximum is not None:
        text += f", {spec.minimum} to {spec.maximum}"
    return text


if __name__ == "__main__":
    print(field_table_markdown(), end="")
