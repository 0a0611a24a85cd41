"""Fixtures for the format tests: sample records, one small writer per format, an isolated registry.

The writers live here, not in the package: the package only reads. A new built-in format needs a writer
here, or the round-trip test (parametrised over the registry) fails for it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import pytest

from ingest.formats import registry
from ingest.formats.registry import ENTRY_POINT_GROUP
from tests.plugin_entry_points import isolate_registry, plugin_entry_point  # noqa: F401  (a fixture)

Record = dict[str, Any]


def _sample_records(count: int = 25) -> list[Record]:
    """Records shaped by the data dictionary, with awkward floats (tiny, huge, many digits)."""
    records = []
    for number in range(count):
        price = 700 + number * 1.337 + 1 / (number + 3)
        records.append(
            {
                "date": 1514764800 + 300 * number,
                "high": price * 1.01,
                "low": price * 0.99,
                "open": price,
                "close": price + 0.5,
                "volume": 123456.789 * (number + 1),
                "quoteVolume": 1e-7 * (number + 1) if number % 5 == 0 else 1e21 / (number + 1),
                "weightedAverage": price + 0.25,
            }
        )
    return records


def _text(value: Any) -> str:
    """How the text formats spell a value: repr() of a float reads back to the same float."""
    return repr(value) if isinstance(value, float) else str(value)


def _as_text(records: list[Record]) -> list[Record]:
    return [{name: _text(value) for name, value in record.items()} for record in records]


def _write_json(records: list[Record]) -> bytes:
    return json.dumps(records, indent=1).encode()


def _write_json_lines(records: list[Record]) -> bytes:
    return "".join(f"{json.dumps(record)}\n" for record in records).encode()


def _write_text(records: list[Record]) -> bytes:
    return "\n\n".join(json.dumps(record) for record in records).encode()


def _write_csv(records: list[Record]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(records[0]))
    writer.writeheader()
    writer.writerows(_as_text(records))
    return out.getvalue().encode()


def _write_xml(records: list[Record]) -> bytes:
    rows = (
        "<record>" + "".join(f"<{name}>{escape(value)}</{name}>" for name, value in record.items()) + "</record>"
        for record in _as_text(records)
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<records>\n' + "\n".join(rows) + "\n</records>\n").encode()


@dataclass(frozen=True)
class Writer:
    extension: str
    write: Callable[[list[Record]], bytes]
    read_back: Callable[[list[Record]], list[Record]]
    """What the reader yields for the written records (text formats return strings)."""


WRITERS = {
    "json": Writer(".json", _write_json, list),
    "jsonl": Writer(".jsonl", _write_json_lines, list),
    "text": Writer(".txt", _write_text, list),
    "csv": Writer(".csv", _write_csv, _as_text),
    "xml": Writer(".xml", _write_xml, _as_text),
}


@pytest.fixture
def records() -> list[Record]:
    return _sample_records()


@pytest.fixture
def writers() -> dict[str, Writer]:
    return WRITERS


@pytest.fixture
def isolated_format_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_registry(monkeypatch, registry)


@pytest.fixture
def entry_point_group() -> str:
    return ENTRY_POINT_GROUP
