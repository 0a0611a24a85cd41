"""DuckDB shaped like the Glue table, running the named queries' SQL as Athena would.

The view has the table's columns (lower-case names, the Hive types as DuckDB types), then the partition keys read
from the folders (`hive_partitioning`), as Athena exposes them. JSON keys are read under the dictionary's spelling
and renamed, as Firehose's case-insensitive deserializer and Athena's OpenX SerDe do; a line that is not JSON is
skipped (`ignore_errors`), where the table's SerDe reads it as nulls (`ignore.malformed.json`).

The dialect bridge is explicit and small: `from_unixtime(seconds)`, Trino's function, is a DuckDB macro with the
same meaning (a UTC timestamp), and `{table}` is the view's name. Everything else runs as written.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from components.core.catalog import Column, HiveType, parse_hive_type, partition_keys, table_columns, table_name
from components.core.named_queries import NamedQuery, load_named_queries
from ingest.errors import ConfigurationError, IngestError
from ingest.query.delivered import DeliveredObjects, quote_list
from ingest.records import RECORD_SCHEMA

BRIDGE_MACROS = (
    # Trino: from_unixtime(unixtime) -> timestamp(3) with time zone, in the session's zone (UTC in Athena).
    "CREATE MACRO from_unixtime(seconds) AS make_timestamp(CAST(seconds AS BIGINT) * 1000000)",
)
_DUCKDB_PRIMITIVES = {
    "bigint": "BIGINT",
    "int": "INTEGER",
    "double": "DOUBLE",
    "string": "VARCHAR",
    "boolean": "BOOLEAN",
}


class QueryError(IngestError):
    """DuckDB refused or failed a query: the message names the query."""


@dataclass(frozen=True)
class QueryResult:
    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "columns": list(self.columns), "rows": [[_json(v) for v in r] for r in self.rows]}


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def duckdb_type(hive: HiveType) -> str:
    if hive.name == "struct":
        return "STRUCT(" + ", ".join(f'"{name}" {duckdb_type(field)}' for name, field in hive.fields) + ")"
    return _DUCKDB_PRIMITIVES[hive.name]


def _hive_types() -> str:
    return (
        "{" + ", ".join(f"'{key.name}': '{duckdb_type(parse_hive_type(key.type))}'" for key in partition_keys()) + "}"
    )


def view_sql(table: str, objects: DeliveredObjects, columns: Sequence[Column]) -> str:
    """CREATE VIEW `table` over the objects, with the Glue table's columns and partition keys."""
    partitions = ", ".join(key.name for key in partition_keys())
    if objects.format == "parquet":
        selected = ", ".join(f'"{column.name}"' for column in columns)
        source = f"read_parquet({quote_list(objects.plain)}, hive_partitioning = true, hive_types = {_hive_types()})"
        return f"CREATE VIEW {table} AS SELECT {selected}, {partitions} FROM {source}"
    types = ", ".join(f"'{c.source}': '{duckdb_type(parse_hive_type(c.type))}'" for c in columns)
    selected = ", ".join(f'"{column.source}" AS "{column.name}"' for column in columns)
    sources = []
    for compression, paths in (("gzip", objects.gzip), ("none", objects.plain)):
        if paths:
            sources.append(
                f"SELECT {selected}, {partitions} FROM read_json({quote_list(paths)}, format = 'newline_delimited', "
                f"compression = '{compression}', columns = {{{types}}}, ignore_errors = true, "
                f"hive_partitioning = true, hive_types = {_hive_types()})"
            )
    return f"CREATE VIEW {table} AS " + " UNION ALL ".join(sources)


def connect(objects: DeliveredObjects, table: str) -> Any:
    """An in-memory DuckDB with the bridge macros and the view; single-threaded so that float sums add up in the
    same order on every run."""
    try:
        import duckdb
    except ImportError:
        raise ConfigurationError("querying needs DuckDB: pip install duckdb (requirements.txt pins it)") from None
    connection = duckdb.connect(config={"threads": 1})
    for macro in BRIDGE_MACROS:
        connection.execute(macro)
    try:
        connection.execute(view_sql(table, objects, table_columns(RECORD_SCHEMA)))
    except duckdb.Error as exc:
        raise QueryError(f"cannot read the delivered objects under {objects.root}: {exc}") from None
    return connection


def run_named_queries(
    objects: DeliveredObjects, names: Sequence[str] | None = None, *, queries: Sequence[NamedQuery] | None = None
) -> list[QueryResult]:
    """Each named query (all of them, or those `names` lists, in that order) over the objects."""
    available = {query.name: query for query in (queries or load_named_queries())}
    unknown = [name for name in names or () if name not in available]
    if unknown:
        raise ConfigurationError(f"no named query {unknown[0]!r}; known: {', '.join(available)}")
    table = table_name(RECORD_SCHEMA)
    connection = connect(objects, table)
    import duckdb  # loaded by connect()

    results = []
    try:
        for name in names or list(available):
            query = available[name]
            try:
                relation = connection.execute(query.render(table))
                rows = relation.fetchall()
            except duckdb.Error as exc:
                raise QueryError(f"named query {name}: {exc}") from None
            columns = tuple(description[0] for description in relation.description)
            results.append(QueryResult(name, columns, tuple(tuple(row) for row in rows)))
    finally:
        connection.close()
    return results
