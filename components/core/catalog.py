"""The query catalog, derived from the data dictionary: Glue columns, partition keys, projection and file formats.

The Glue table is not written by hand and no crawler guesses it: its columns are the dictionary's fields (names,
types, comments from the descriptions), its partition keys and their projection are read from the S3 key layout
Firehose writes (`layout.HIVE_TIME_PARTITIONS`), and its storage format follows the stack's `record_format`. The
component turns this into `aws.glue.CatalogTable`; the local Firehose stand-in reads the same table back (from the
emulator's Glue) to write Parquet; the query tool builds its DuckDB view from the same columns.

Column names are the dictionary's names in lower case: the Glue Data Catalog and Athena keep lower-case names, and
Firehose's OpenX JSON deserializer lowercases JSON keys by default before matching them to columns ("CaseInsensitive
... When set to true, which is the default, Firehose converts JSON keys to lowercase before deserializing them":
https://docs.aws.amazon.com/firehose/latest/APIReference/API_OpenXJsonSerDe.html), so `quoteVolume` lands in
`quotevolume` without a key mapping.

`date` stays `bigint`, the source's Unix seconds exactly: every query converts it explicitly (`from_unixtime`), and
the deserializer is never asked to guess a timestamp format (the Hive JSON SerDe would parse epoch values only in
milliseconds: https://docs.aws.amazon.com/firehose/latest/APIReference/API_HiveJsonSerDe.html).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .data_dictionary import SchemaError
from .layout import HIVE_TIME_PARTITIONS

RecordFormat = Literal["json", "parquet"]
RECORD_FORMATS: tuple[str, ...] = ("json", "parquet")

PARQUET_COMPRESSION = "SNAPPY"
"""Compression inside the Parquet files Firehose writes (its ParquetSerDe default, spelled out)."""
PARQUET_DICTIONARY = True
"""Firehose's EnableDictionaryCompression (off by default): values repeated across rows, such as the provenance's
source and run id, are stored once per row group instead of once per row."""
PARQUET_FILE_EXTENSION = ".parquet"
"""Given to converted objects (Firehose's FileExtension), so a person or a tool can tell the format from the key."""
QUERY_RESULTS_PREFIX = "athena/"
"""Folder of Athena's query results in their bucket."""

PROVENANCE_COLUMN_NAME = "_ingest"
"""The key `ingest` stores each record's provenance under (`ingest.records.encoding.PROVENANCE_KEY`; a test keeps
the two equal). It is a column so that a Parquet delivery keeps it: Firehose writes only the table's columns."""
PROVENANCE_TYPE = "struct<source:string,run_id:string,index:bigint>"

_GLUE_TYPES: dict[tuple[object, object], str] = {
    ("integer", "unix-time"): "bigint",
    ("number", None): "double",
}
_PARTITION = re.compile(r"(?P<name>[a-z]+)=!\{timestamp:(?P<pattern>[A-Za-z]+)\}/")
_PROJECTION_RANGES: dict[str, tuple[int, int, int]] = {
    "yyyy": (2024, 2044, 4),
    "MM": (1, 12, 2),
    "dd": (1, 31, 2),
    "HH": (0, 23, 2),
}
"""Timestamp pattern -> (first, last, digits) of the projected integer partition values. Athena enumerates every
value in range for a query that does not filter on the partition keys, so the years are a window (widen it here
when 2044 comes; no data moves): https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html"""


@dataclass(frozen=True)
class Column:
    name: str
    """The Glue/Athena column name (lower case)."""
    type: str
    """A Hive type string as Glue stores it: bigint, double, int, string, struct<name:type,...>."""
    comment: str
    source: str
    """The JSON key the column is read from (the dictionary's spelling)."""


@dataclass(frozen=True)
class StorageFormat:
    """What a Glue table says about its files: how to read them and which SerDe turns bytes into rows."""

    input_format: str
    output_format: str
    serialization_library: str
    classification: str
    serde_parameters: Mapping[str, str]


STORAGE_FORMATS: dict[str, StorageFormat] = {
    # Athena reads gzip from the .gz suffix Firehose gives the objects; the OpenX SerDe is Athena's JSON SerDe:
    # https://docs.aws.amazon.com/athena/latest/ug/openx-json-serde.html. Any producer may write to the stream, so
    # a line that is not JSON reads as a row of nulls (ignore.malformed.json) instead of failing every query.
    "json": StorageFormat(
        input_format="org.apache.hadoop.mapred.TextInputFormat",
        output_format="org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        serialization_library="org.openx.data.jsonserde.JsonSerDe",
        classification="json",
        serde_parameters={"case.insensitive": "TRUE", "ignore.malformed.json": "TRUE"},
    ),
    # https://docs.aws.amazon.com/athena/latest/ug/parquet-serde.html
    "parquet": StorageFormat(
        input_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        output_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        serialization_library="org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        classification="parquet",
        serde_parameters={},
    ),
}


def glue_identifier(text: str) -> str:
    """A name Athena accepts unquoted: lower-case letters, digits and underscores (`tracking-dev` -> `tracking_dev`)."""
    identifier = re.sub(r"[^a-z0-9_]", "_", text.lower())
    if not identifier or not identifier[0].isalpha():
        raise ValueError(f"{text!r} does not make a Glue/Athena name (it must start with a letter)")
    return identifier


def table_name(schema: Mapping[str, Any]) -> str:
    """The dictionary's title in snake case: `PriceRecord` -> `price_record`."""
    title = schema.get("title")
    if not isinstance(title, str) or not title:
        raise SchemaError("the data dictionary needs a title: it names the Glue table")
    return glue_identifier(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", title))


def record_columns(schema: Mapping[str, Any]) -> tuple[Column, ...]:
    """One column per dictionary field, in dictionary order."""
    columns = []
    for name, definition in schema["properties"].items():
        glue_type = _GLUE_TYPES.get((definition.get("type"), definition.get("format")))
        if glue_type is None:
            raise SchemaError(f"field {name!r}: no Glue type for {dict(definition)!r}")
        columns.append(Column(glue_identifier(name), glue_type, definition["description"], name))
    lowered = [column.name for column in columns]
    if len(set(lowered)) != len(lowered):
        raise SchemaError(f"fields differ only by case, which Glue cannot tell apart: {', '.join(lowered)}")
    return tuple(columns)


def table_columns(schema: Mapping[str, Any]) -> tuple[Column, ...]:
    """The dictionary's columns, then the provenance `ingest` adds to every record."""
    provenance = Column(
        PROVENANCE_COLUMN_NAME,
        PROVENANCE_TYPE,
        "where the record came from: source object, publish run id, index in the source (added by ingest)",
        PROVENANCE_COLUMN_NAME,
    )
    return (*record_columns(schema), provenance)


def partition_keys() -> tuple[Column, ...]:
    """year, month, day, hour: the Hive-style folders of the delivery prefix, in order, as integers."""
    keys = [
        Column(match["name"], "int", f"delivery time (UTC, Firehose's arrival time): {match['name']}", match["name"])
        for match in _PARTITION.finditer(HIVE_TIME_PARTITIONS)
    ]
    if "".join(match[0] for match in _PARTITION.finditer(HIVE_TIME_PARTITIONS)) != HIVE_TIME_PARTITIONS:
        raise ValueError(f"cannot read partition keys from {HIVE_TIME_PARTITIONS!r}")
    return tuple(keys)


def _partition_patterns() -> dict[str, str]:
    return {match["name"]: match["pattern"] for match in _PARTITION.finditer(HIVE_TIME_PARTITIONS)}


def location_template(location: str) -> str:
    """`s3://bucket/crypto/year=${year}/month=${month}/day=${day}/hour=${hour}/`: the delivery prefix with each
    `!{timestamp:...}` expression replaced by its partition key."""
    return location + _PARTITION.sub(lambda match: f"{match['name']}=${{{match['name']}}}/", HIVE_TIME_PARTITIONS)


def projection_parameters(location: str) -> dict[str, str]:
    """Athena partition projection: every hour is queryable as soon as Firehose writes it, with no crawler and no
    partition to add (https://docs.aws.amazon.com/athena/latest/ug/partition-projection-setting-up.html)."""
    parameters = {"projection.enabled": "true", "storage.location.template": location_template(location)}
    for name, pattern in _partition_patterns().items():
        first, last, digits = _PROJECTION_RANGES[pattern]
        parameters[f"projection.{name}.type"] = "integer"
        parameters[f"projection.{name}.range"] = f"{first},{last}"
        parameters[f"projection.{name}.digits"] = str(digits)
    return parameters


def table_parameters(record_format: str, location: str) -> dict[str, str]:
    """The Glue table's parameters: an external table, its classification, and the projection."""
    storage = STORAGE_FORMATS[record_format]
    parameters = {"EXTERNAL": "TRUE", "classification": storage.classification}
    if record_format == "parquet":
        parameters["parquet.compression"] = PARQUET_COMPRESSION
    return {**parameters, **projection_parameters(location)}


@dataclass(frozen=True)
class HiveType:
    """A parsed Hive type: a primitive (`fields` empty) or a struct of named fields."""

    name: str
    fields: tuple[tuple[str, HiveType], ...] = ()


_PRIMITIVES = frozenset({"bigint", "int", "double", "string", "boolean"})


def parse_hive_type(text: str) -> HiveType:
    """`struct<source:string,index:bigint>` -> HiveType; the primitives this catalog uses, and structs of them.
    Anything else raises ValueError: a reader that guessed another type would write files Athena cannot read."""
    parsed, rest = _parse(text.replace(" ", ""), text)
    if rest:
        raise ValueError(f"unexpected {rest!r} after the type in {text!r}")
    return parsed


def _parse(text: str, whole: str) -> tuple[HiveType, str]:
    if text.startswith("struct<"):
        rest = text[len("struct<") :]
        fields = []
        while True:
            name, colon, rest = rest.partition(":")
            if not colon or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise ValueError(f"bad struct field in {whole!r}")
            field_type, rest = _parse(rest, whole)
            fields.append((name, field_type))
            if rest.startswith(","):
                rest = rest[1:]
            elif rest.startswith(">"):
                return HiveType("struct", tuple(fields)), rest[1:]
            else:
                raise ValueError(f"unterminated struct in {whole!r}")
    match = re.match(r"[a-z]+", text)
    if match is None or match[0] not in _PRIMITIVES:
        raise ValueError(f"unsupported Hive type in {whole!r}; supported: {', '.join(sorted(_PRIMITIVES))}, struct")
    return HiveType(match[0]), text[match.end() :]
