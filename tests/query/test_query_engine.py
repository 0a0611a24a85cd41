"""The named queries with DuckDB: the same answers from a JSON+GZIP and a Parquet delivery of the same records,
and the answers computed directly from those records."""

from __future__ import annotations

import gzip
import math
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from components.core.catalog import partition_keys, table_columns
from ingest.errors import ConfigurationError
from ingest.query import find_delivered, run_named_queries
from ingest.query.engine import QueryResult, connect
from ingest.records import RECORD_SCHEMA
from ingest.sample import generate_records

from .deliveries import (
    DUPLICATED_DATE,
    GAP_DATES,
    INVERTED_DATE,
    anomalous_records,
    encoded,
    write_json_delivery,
    write_parquet_delivery,
)

RECORDS = anomalous_records()


@pytest.fixture(scope="module")
def deliveries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    lines = encoded(RECORDS)
    root = tmp_path_factory.mktemp("deliveries")
    return {
        "json": write_json_delivery(root / "json", lines),
        "parquet": write_parquet_delivery(root / "parquet", lines),
    }


@pytest.fixture(scope="module")
def results(deliveries: dict[str, Path]) -> dict[str, dict[str, QueryResult]]:
    return {
        record_format: {result.name: result for result in run_named_queries(find_delivered(folder))}
        for record_format, folder in deliveries.items()
    }


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def _close(left: object, right: object) -> bool:
    if isinstance(left, float) or isinstance(right, float):
        return math.isclose(float(left), float(right), rel_tol=1e-12)  # type: ignore[arg-type]
    return left == right


def _same_rows(left: QueryResult, right: QueryResult) -> bool:
    return (
        left.columns == right.columns
        and all(
            len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
            for a, b in zip(left.rows, right.rows, strict=True)
        )
        and len(left.rows) == len(right.rows)
    )


def test_the_formats_are_detected_from_the_objects(deliveries):
    assert find_delivered(deliveries["json"]).format == "json"
    assert find_delivered(deliveries["parquet"]).format == "parquet"
    assert len(find_delivered(deliveries["parquet"]).paths) == 2


@pytest.mark.parametrize("name", ["daily_ohlc", "data_quality", "latest_24_hours"])
def test_json_and_parquet_deliveries_of_the_same_records_give_the_same_answer(results, name):
    json_result, parquet_result = results["json"][name], results["parquet"][name]
    assert json_result.rows, f"{name} returned nothing: the comparison would prove nothing"
    assert _same_rows(json_result, parquet_result)


def test_daily_ohlc_is_what_the_records_say(results):
    days: dict[date, list[dict[str, float | int]]] = defaultdict(list)
    for record in RECORDS:
        days[_utc(int(record["date"])).date()].append(record)
    expected = []
    for day in sorted(days):
        rows = days[day]
        first = min(rows, key=lambda r: r["date"])
        last = max(rows, key=lambda r: r["date"])
        expected.append(
            (
                day,
                first["open"],
                max(r["high"] for r in rows),
                min(r["low"] for r in rows),
                last["close"],
                math.fsum(r["volume"] for r in rows),
                math.fsum(r["quoteVolume"] for r in rows),
                len(rows),
            )
        )
    for record_format in ("json", "parquet"):
        actual = results[record_format]["daily_ohlc"]
        assert actual.columns == ("day", "open", "high", "low", "close", "volume", "quotevolume", "intervals")
        assert len(actual.rows) == len(expected) == 3
        for got, want in zip(actual.rows, expected, strict=True):
            assert all(_close(g, w) for g, w in zip(got, want, strict=True)), (got, want)


def test_data_quality_finds_the_duplicate_the_gap_and_the_inverted_row(results):
    expected = sorted(
        [
            ("duplicate_interval", _utc(DUPLICATED_DATE), 2),
            ("gap", _utc(GAP_DATES[0]), len(GAP_DATES)),
            ("low_above_high", _utc(INVERTED_DATE), 1),
        ],
        key=lambda row: (row[1], row[0]),
    )
    for record_format in ("json", "parquet"):
        assert list(results[record_format]["data_quality"].rows) == expected


def test_latest_24_hours_is_every_row_within_a_day_of_the_newest(results):
    newest = max(int(record["date"]) for record in RECORDS)
    counts = Counter(int(record["date"]) for record in RECORDS if int(record["date"]) > newest - 86400)
    for record_format in ("json", "parquet"):
        result = results[record_format]["latest_24_hours"]
        dates = [row[result.columns.index("date")] for row in result.rows]
        assert Counter(dates) == counts
        assert dates == sorted(dates)
        assert result.rows[0][0] == _utc(dates[0])


@pytest.mark.parametrize("record_format", ["json", "parquet"])
def test_the_local_view_has_the_glue_tables_columns_then_its_partition_keys(deliveries, record_format):
    connection = connect(find_delivered(deliveries[record_format]), "price_record")
    described = connection.execute("DESCRIBE price_record").fetchall()
    expected = [c.name for c in table_columns(RECORD_SCHEMA)] + [k.name for k in partition_keys()]
    assert [row[0] for row in described] == expected
    assert connection.execute("SELECT DISTINCT year, month, day, hour FROM price_record ORDER BY hour").fetchall() == [
        (2026, 12, 3, 8),
        (2026, 12, 3, 9),
    ]


def test_a_folder_mixing_formats_is_refused(deliveries, tmp_path):
    mixed = tmp_path / "mixed"
    for folder in deliveries.values():
        for path in folder.rglob("*.*"):
            target = mixed / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    with pytest.raises(ConfigurationError, match="mixes Parquet"):
        find_delivered(mixed)


def test_objects_outside_the_partition_folders_are_not_read(deliveries, tmp_path):
    folder = tmp_path / "data"
    for path in deliveries["json"].rglob("*.gz"):
        target = folder / path.relative_to(deliveries["json"])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    (folder / "notes.txt").write_text("not a delivery")
    (folder / "year=2026" / "stray.gz").write_bytes(b"\x1f\x8b")
    assert len(find_delivered(folder).paths) == 2


@pytest.mark.parametrize(
    ("content", "message"), [(None, "no delivered objects"), (b"PK\x03\x04zip", "neither JSON lines")]
)
def test_a_folder_without_readable_deliveries_is_one_clear_error(tmp_path, content, message):
    if content is not None:
        folder = tmp_path / "year=2026" / "month=12" / "day=03" / "hour=08"
        folder.mkdir(parents=True)
        (folder / "object.zip").write_bytes(content)
    with pytest.raises(ConfigurationError, match=message):
        find_delivered(tmp_path)


def test_an_unknown_query_name_lists_the_known_ones(deliveries):
    with pytest.raises(ConfigurationError, match="known: daily_ohlc, data_quality, latest_24_hours"):
        run_named_queries(find_delivered(deliveries["json"]), ["weekly"])


def test_a_line_that_is_not_json_is_no_interval(tmp_path):
    """Any producer may write to the stream: a foreign line reads as nulls (Athena's ignore.malformed.json), and
    the named queries count only rows with a date."""
    folder = tmp_path / "year=2026" / "month=12" / "day=03" / "hour=08"
    folder.mkdir(parents=True)
    lines = encoded(list(generate_records(10)))
    (folder / "a.gz").write_bytes(gzip.compress(b"\n".join([lines[0], b"not json", *lines[1:]]) + b"\n"))

    results = {result.name: result for result in run_named_queries(find_delivered(tmp_path))}

    assert [row[-1] for row in results["daily_ohlc"].rows] == [10]
    assert results["data_quality"].rows == ()
    assert len(results["latest_24_hours"].rows) == 10
