"""Hive column types (as the Glue table states them) as an Arrow schema."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from components.core.catalog import HiveType, parse_hive_type

if TYPE_CHECKING:
    import pyarrow


def arrow_type(hive: HiveType) -> pyarrow.DataType:
    """bigint -> int64, int -> int32, double -> float64, string -> utf8, boolean -> bool, struct -> struct: the
    Parquet physical types Firehose's Parquet serializer writes for them."""
    import pyarrow as pa

    primitives = {
        "bigint": pa.int64(),
        "int": pa.int32(),
        "double": pa.float64(),
        "string": pa.string(),
        "boolean": pa.bool_(),
    }
    if hive.name == "struct":
        return pa.struct([pa.field(name, arrow_type(field)) for name, field in hive.fields])
    return primitives[hive.name]


def arrow_schema(columns: Iterable[tuple[str, str]]) -> pyarrow.Schema:
    """`(name, hive type)` pairs, e.g. from a Glue table's StorageDescriptor.Columns."""
    import pyarrow as pa

    return pa.schema([pa.field(name, arrow_type(parse_hive_type(type_text))) for name, type_text in columns])
