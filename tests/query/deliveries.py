"""Delivered objects made for the query tests: the same records as Firehose would store them as JSON lines
(GZIP) and as Parquet (Snappy), in Hive-style partition folders."""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from pathlib import Path

from components.core.catalog import table_columns
from ingest.parquet import arrow_schema, records_to_parquet
from ingest.records import RECORD_SCHEMA, Provenance, encode_record, validate_record
from ingest.sample import generate_records

HOURS = ("year=2026/month=12/day=03/hour=08", "year=2026/month=12/day=03/hour=09")
"""Two delivery hours: the records are split between them, as a day of arrivals would be."""
DUPLICATED_DATE = 1_514_800_800
GAP_DATES = (1_514_851_200, 1_514_851_500)
"""Two missing intervals in a row: one gap of 2."""
INVERTED_DATE = 1_514_900_100
"""A row whose low is above its high (the schema cannot say so; the data quality query finds it)."""


def anomalous_records(count: int = 3 * 288) -> list[dict[str, float | int]]:
    """Three days of generated intervals with one duplicate, one gap of two intervals and one inverted row."""
    records = [record for record in generate_records(count) if record["date"] not in GAP_DATES]
    for record in records:
        if record["date"] == INVERTED_DATE:
            record["low"], record["high"] = record["high"] + 1.0, record["low"]
    duplicate = next(record for record in records if record["date"] == DUPLICATED_DATE)
    records.append(dict(duplicate))
    return records


def encoded(records: Sequence[dict[str, float | int]]) -> list[bytes]:
    return [
        encode_record(validate_record(record), Provenance(source="s3://seed/day.json", run_id="run", index=index))
        for index, record in enumerate(records)
    ]


def _split(lines: Sequence[bytes]) -> list[Sequence[bytes]]:
    half = len(lines) // 2
    return [lines[:half], lines[half:]]


def write_json_delivery(root: Path, lines: Sequence[bytes]) -> Path:
    for hour, part in zip(HOURS, _split(lines), strict=True):
        folder = root / hour
        folder.mkdir(parents=True)
        (folder / "tracking-delivery-1-2026-12-03-08-00-00-a.gz").write_bytes(
            gzip.compress(b"".join(line + b"\n" for line in part))
        )
    return root


def write_parquet_delivery(root: Path, lines: Sequence[bytes]) -> Path:
    schema = arrow_schema((column.name, column.type) for column in table_columns(RECORD_SCHEMA))
    for hour, part in zip(HOURS, _split(lines), strict=True):
        folder = root / hour
        folder.mkdir(parents=True)
        (folder / "tracking-delivery-1-2026-12-03-08-00-00-a.parquet").write_bytes(records_to_parquet(part, schema))
    return root
