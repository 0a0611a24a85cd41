"""One Parquet object from a buffer of JSON records, and JSON lines back from a Parquet object.

Writing follows what Firehose documents for its OpenX JSON deserializer and Parquet serializer: each record is one
JSON document; its keys are lowercased and matched to the table's columns; a column the record lacks is null; a key
that is no column is dropped; the file is compressed inside (Snappy by default).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow

PARQUET_MAGIC = b"PAR1"
"""A Parquet file starts and ends with these four bytes."""
ROW_GROUP_ROWS = 100_000


def is_parquet(data: bytes) -> bool:
    return len(data) >= 8 and data.startswith(PARQUET_MAGIC) and data.endswith(PARQUET_MAGIC)


def _lowercased(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key).lower(): _lowercased(item) for key, item in value.items()}
    return value


def records_to_parquet(
    records: Iterable[bytes], schema: pyarrow.Schema, *, compression: str = "SNAPPY", dictionary: bool = False
) -> bytes:
    """The Parquet file Firehose would write for these JSON records (each one JSON object, whitespace around it
    allowed), with the serializer's compression and dictionary setting (Firehose's EnableDictionaryCompression,
    off unless configured). A record that is not a JSON object raises ValueError: Firehose would send it to the
    error prefix (format-conversion-failed), which the stand-in does not emulate."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = []
    for position, record in enumerate(records):
        try:
            document = json.loads(record)
        except ValueError as exc:
            raise ValueError(f"record {position} is not JSON, Firehose could not convert it: {exc}") from None
        if not isinstance(document, dict):
            raise ValueError(f"record {position} is not a JSON object, Firehose could not convert it")
        rows.append(_lowercased(document))
    names = set(schema.names)
    table = pa.Table.from_pylist([{key: row.get(key) for key in names} for row in rows], schema=schema)
    sink = io.BytesIO()
    pq.write_table(
        table, sink, compression=compression.lower(), use_dictionary=dictionary, row_group_size=ROW_GROUP_ROWS
    )
    return sink.getvalue()


def parquet_lines(data: bytes, field_names: Sequence[str]) -> Iterator[bytes]:
    """Each row as one JSON line whose keys are spelled as `field_names` spells them (the data dictionary's
    camelCase; Parquet holds the table's lower-case column names), so a row reads like the record that was sent."""
    import pyarrow.parquet as pq

    spelling = {name.lower(): name for name in field_names}
    table = pq.read_table(io.BytesIO(data))
    for batch in table.to_batches():
        for row in batch.to_pylist():
            document = {spelling.get(key, key): value for key, value in row.items() if value is not None}
            yield json.dumps(document, separators=(",", ":"), allow_nan=False).encode("utf-8") + b"\n"
