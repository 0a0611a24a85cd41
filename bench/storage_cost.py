"""Bytes stored per million records, and bytes read by each named query: JSON lines + GZIP next to Parquet + Snappy,
from one run over the same records.

The records come from `ingest.sample.generate_records`, encoded exactly as `publish` sends them (`bench.dataset`).
They are delivered twice into a temporary folder, in objects of one prod buffer each (the lines 128 MiB hold):
- as Firehose writes JSON: each record plus the newline its processor appends, GZIP (level 6; Firehose does not
  document its level), a `.gz` object;
- as Firehose's record format conversion writes Parquet: the local stand-in's converter (`ingest.parquet`) with the
  Glue table's columns and the component's serializer settings (Snappy, dictionary encoding on).
Bytes read are DuckDB's own count (its profiler's `io.total_bytes_read`, a fresh connection per query) while it runs
each named query's SQL over each delivery: GZIP objects are read whole, Parquet only in the column chunks a query
needs (plus footers). Athena bills "data scanned" the same way (whole compressed objects for gzip JSON, the columns
read for Parquet: https://docs.aws.amazon.com/athena/latest/ug/columnar-storage.html), so the ratio between the two
formats carries over; the absolute numbers are DuckDB's, not Athena's.
"""

from __future__ import annotations

import gzip
import json
import math
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.dataset import delivered_lines, encoded_records
from components.core.catalog import PARQUET_COMPRESSION, PARQUET_DICTIONARY, table_columns
from components.core.named_queries import load_named_queries
from ingest.parquet import arrow_schema, records_to_parquet
from ingest.query import find_delivered
from ingest.query.engine import connect
from ingest.records import RECORD_SCHEMA

MIB = 1024 * 1024
MILLION = 1_000_000
DEFAULT_RECORDS = 1_000_000
PROD_BUFFER_MIB = 128
PARTITION = "year=2026/month=01/day=01/hour=00"
FORMATS = ("json+gzip", "parquet+snappy")


@dataclass(frozen=True)
class FormatFigures:
    record_format: str
    objects: int
    stored_bytes: int
    bytes_per_million_records: float
    bytes_read: dict[str, int] = field(default_factory=dict)
    """Named query -> bytes DuckDB read from the objects to answer it."""


@dataclass(frozen=True)
class StorageCost:
    records: int
    records_per_object: int
    raw_bytes: int
    """The delivered lines before any compression."""
    formats: tuple[FormatFigures, ...]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _objects(lines: Sequence[bytes], buffer_bytes: int) -> list[Sequence[bytes]]:
    line_bytes = sum(len(line) for line in lines) / len(lines)
    per_object = max(1, math.floor(buffer_bytes / line_bytes))
    return [lines[start : start + per_object] for start in range(0, len(lines), per_object)]


def write_deliveries(records: Sequence[bytes], root: Path, *, buffer_bytes: int = PROD_BUFFER_MIB * MIB) -> int:
    """Both deliveries of `records` under `root/<format>/<partition>/`; returns the records per object."""
    lines = delivered_lines(list(records))
    chunks = _objects(lines, buffer_bytes)
    schema = arrow_schema((column.name, column.type) for column in table_columns(RECORD_SCHEMA))
    for record_format in FORMATS:
        (root / record_format / PARTITION).mkdir(parents=True)
    for number, chunk in enumerate(chunks):
        json_object = root / FORMATS[0] / PARTITION / f"tracking-delivery-1-{number:04d}.gz"
        json_object.write_bytes(gzip.compress(b"".join(chunk), compresslevel=6, mtime=0))
        parquet_object = root / FORMATS[1] / PARTITION / f"tracking-delivery-1-{number:04d}.parquet"
        parquet_object.write_bytes(
            records_to_parquet(chunk, schema, compression=PARQUET_COMPRESSION, dictionary=PARQUET_DICTIONARY)
        )
    return len(chunks[0])


def bytes_read(folder: Path, profile: Path) -> dict[str, int]:
    """Each named query over the delivery in `folder`, on a fresh DuckDB connection: the bytes its profiler saw read."""
    objects = find_delivered(folder)
    figures = {}
    for query in load_named_queries():
        connection = connect(objects, "price_record")
        try:
            connection.execute("SET threads TO 2")  # the machine's cores: bytes read do not depend on it
            connection.execute("PRAGMA enable_profiling = 'json'")
            connection.execute(f"PRAGMA profiling_output = '{profile}'")
            connection.execute(query.render("price_record")).fetchall()
        finally:
            connection.close()
        figures[query.name] = int(json.loads(profile.read_text())["io"]["total_bytes_read"])
    return figures


def storage_cost(
    records: int = DEFAULT_RECORDS, *, seed: int = 0, buffer_bytes: int = PROD_BUFFER_MIB * MIB
) -> StorageCost:
    """Both deliveries of `records` generated records, measured (about 3 minutes and 2 GB of memory per million)."""
    encoded = encoded_records(records, seed=seed)
    raw = sum(len(line) for line in delivered_lines(encoded))
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as temporary:
        root = Path(temporary)
        per_object = write_deliveries(encoded, root, buffer_bytes=buffer_bytes)
        del encoded
        figures = []
        for record_format in FORMATS:
            objects = find_delivered(root / record_format)
            stored = objects.bytes
            figures.append(
                FormatFigures(
                    record_format=record_format,
                    objects=len(objects.paths),
                    stored_bytes=stored,
                    bytes_per_million_records=stored * MILLION / records,
                    bytes_read=bytes_read(root / record_format, root / "profile.json"),
                )
            )
    return StorageCost(records=records, records_per_object=per_object, raw_bytes=raw, formats=tuple(figures))


def storage_cost_table(cost: StorageCost) -> str:
    """One row per format: stored bytes per million records, then the bytes each named query read."""
    queries = list(cost.formats[0].bytes_read)
    headers = ["Format", "Objects", "Stored per million records", *(f"`{name}` read" for name in queries)]
    json_figures = cost.formats[0]
    rows = []
    for figures in cost.formats:
        cells = [
            figures.record_format,
            f"{figures.objects:,}",
            _with_ratio(figures.bytes_per_million_records, json_figures.bytes_per_million_records),
        ]
        cells += [_with_ratio(figures.bytes_read[name], json_figures.bytes_read[name]) for name in queries]
        rows.append(cells)
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if i else "---" for i in range(len(headers))) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    raw = cost.raw_bytes * MILLION / cost.records
    lines.append(
        f"\n{cost.records:,} records ({raw / MIB:,.1f} MiB of JSON lines per million before compression), "
        f"{cost.records_per_object:,} per object (one buffer); bytes read: DuckDB's profiler (io.total_bytes_read)."
    )
    return "\n".join(lines)


def _with_ratio(value: float, reference: float) -> str:
    text = f"{value / MIB:,.1f} MiB" if value >= MIB else f"{value / 1024:,.1f} KiB"
    return text if value == reference else f"{text} (×{value / reference:.2g})"
