"""The Glue table is the data dictionary's: columns, types and comments follow the JSON Schema, the partition keys
and projection follow the S3 key layout."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from components.core import catalog
from components.core.data_dictionary import SchemaError, load_record_schema
from components.core.layout import HIVE_TIME_PARTITIONS, delivery_prefix, expand_timestamps
from components.core.naming import CatalogNames
from ingest.records import PROVENANCE_KEY, Provenance

SCHEMA = load_record_schema()
GLUE_TYPES = {("integer", "unix-time"): "bigint", ("number", None): "double"}


def test_the_tables_columns_are_the_dictionarys_fields_in_order_then_the_provenance():
    columns = catalog.table_columns(SCHEMA)
    fields = list(SCHEMA["properties"].items())
    assert [column.source for column in columns[:-1]] == [name for name, _ in fields]
    for column, (name, definition) in zip(columns, fields, strict=False):
        assert column.name == name.lower()
        assert column.type == GLUE_TYPES[(definition["type"], definition.get("format"))]
        assert column.comment == definition["description"]
    assert columns[-1].name == PROVENANCE_KEY


def test_date_stays_unix_seconds():
    (date,) = [column for column in catalog.table_columns(SCHEMA) if column.name == "date"]
    assert date.type == "bigint"


def test_the_provenance_column_holds_every_field_ingest_writes():
    provenance = catalog.table_columns(SCHEMA)[-1]
    parsed = catalog.parse_hive_type(provenance.type)
    assert [name for name, _ in parsed.fields] == [field.name for field in dataclasses.fields(Provenance)]
    assert dict(parsed.fields)["index"] == catalog.HiveType("bigint")


def test_a_field_added_to_the_dictionary_becomes_a_column():
    schema = copy.deepcopy(SCHEMA)
    schema["properties"]["tradeCount"] = {"type": "number", "description": "trades in the interval"}
    added = catalog.record_columns(schema)[-1]
    assert (added.name, added.type, added.comment, added.source) == (
        "tradecount",
        "double",
        "trades in the interval",
        "tradeCount",
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"type": "string", "description": "text"}, "no Glue type"),
        ({"type": "number", "description": "clash"}, "differ only by case"),
    ],
)
def test_a_field_the_catalog_cannot_hold_is_refused(extra, message):
    schema = copy.deepcopy(SCHEMA)
    schema["properties"]["HIGH" if message == "differ only by case" else "note"] = extra
    with pytest.raises(SchemaError, match=message):
        catalog.record_columns(schema)


def test_the_partition_keys_are_the_delivery_prefixs_folders_in_order():
    keys = catalog.partition_keys()
    assert [key.name for key in keys] == ["year", "month", "day", "hour"]
    assert all(key.type == "int" for key in keys)
    template = catalog.location_template("s3://b/crypto/")
    assert template == "s3://b/crypto/year=${year}/month=${month}/day=${day}/hour=${hour}/"
    assert HIVE_TIME_PARTITIONS.count("=!{timestamp:") == len(keys)


def test_the_projection_covers_every_key_with_the_digits_firehose_writes():
    from datetime import UTC, datetime

    parameters = catalog.projection_parameters("s3://b/crypto/")
    assert parameters["projection.enabled"] == "true"
    moment = datetime(2026, 3, 5, 7, tzinfo=UTC)
    folders = expand_timestamps(delivery_prefix("crypto/"), moment).removeprefix("crypto/").strip("/").split("/")
    for key, folder in zip(catalog.partition_keys(), folders, strict=True):
        first, last = map(int, parameters[f"projection.{key.name}.range"].split(","))
        value = folder.partition("=")[2]
        assert parameters[f"projection.{key.name}.type"] == "integer"
        assert len(value) == int(parameters[f"projection.{key.name}.digits"])
        assert first <= int(value) <= last
    assert parameters["projection.month.range"] == "1,12"
    assert parameters["projection.hour.range"] == "0,23"


@pytest.mark.parametrize(("record_format", "serde"), [("json", "JsonSerDe"), ("parquet", "ParquetHiveSerDe")])
def test_the_storage_format_follows_the_record_format(record_format, serde):
    storage = catalog.STORAGE_FORMATS[record_format]
    assert storage.serialization_library.endswith(serde)
    parameters = catalog.table_parameters(record_format, "s3://b/crypto/")
    assert parameters["classification"] == record_format
    assert parameters["EXTERNAL"] == "TRUE"


def test_names_athena_accepts():
    assert catalog.table_name(SCHEMA) == "price_record"
    names = CatalogNames.for_pipeline("tracking", "prod")
    assert (names.database, names.workgroup) == ("tracking_prod", "tracking-prod")
    assert names.qualified_table() == '"tracking_prod"."price_record"'
    with pytest.raises(ValueError, match="start with a letter"):
        catalog.glue_identifier("1-pipeline")


@pytest.mark.parametrize(
    "text", ["map<string,string>", "struct<a:string", "struct<:bigint>", "bigint extra", "array<int>"]
)
def test_types_the_catalog_does_not_use_are_refused(text):
    with pytest.raises(ValueError):
        catalog.parse_hive_type(text)


def test_the_query_page_lists_every_column_with_its_type():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "query.md").read_text(encoding="utf-8")
    for column in catalog.table_columns(SCHEMA):
        assert f"| `{column.name}` | {column.type} |" in page, f"docs/query.md: no row for {column.name}"
