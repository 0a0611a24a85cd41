"""The storage-cost section: both deliveries hold the same records, stored bytes are the objects' sizes, and bytes
read come from DuckDB's profiler (whole objects for GZIP JSON, column chunks for Parquet)."""

from __future__ import annotations

import pytest

from bench.storage_cost import FORMATS, storage_cost, storage_cost_table

RECORDS = 3000


@pytest.fixture(scope="module")
def cost():
    return storage_cost(RECORDS, buffer_bytes=256 * 1024)


def test_both_formats_are_measured_over_the_same_objects(cost):
    assert [figures.record_format for figures in cost.formats] == list(FORMATS)
    objects = {figures.objects for figures in cost.formats}
    assert len(objects) == 1 and objects.pop() > 1
    assert cost.raw_bytes > max(figures.stored_bytes for figures in cost.formats)
    for figures in cost.formats:
        assert figures.bytes_per_million_records == pytest.approx(figures.stored_bytes * 1_000_000 / RECORDS)
        assert set(figures.bytes_read) == {"daily_ohlc", "data_quality", "latest_24_hours"}


def test_gzip_json_is_read_whole_and_parquet_by_column(cost):
    json_figures, parquet_figures = cost.formats
    stored = json_figures.stored_bytes
    assert json_figures.bytes_read["daily_ohlc"] == pytest.approx(stored, rel=1e-3)
    assert json_figures.bytes_read["latest_24_hours"] == pytest.approx(2 * stored, rel=1e-3), "read twice"
    assert 0 < parquet_figures.bytes_read["data_quality"] < parquet_figures.stored_bytes, "three columns of nine"


def test_the_table_shows_each_format_with_its_ratio_to_json(cost):
    text = storage_cost_table(cost)
    assert text.startswith("| Format | Objects | Stored per million records | `daily_ohlc` read")
    assert "| json+gzip |" in text and "| parquet+snappy |" in text and "(×" in text
