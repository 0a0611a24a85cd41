"""Parquet delivered objects: written by the local Firehose stand-in as Firehose's record format conversion would,
read back by `verify`.

The Arrow schema comes from the Glue table's columns (`components.core.catalog`), never from the data. pyarrow is
imported only inside the functions that need it, so publishing and verifying JSON deliveries never load it.
"""

from ingest.parquet.objects import PARQUET_MAGIC, is_parquet, parquet_lines, records_to_parquet
from ingest.parquet.schema import arrow_schema

__all__ = ["PARQUET_MAGIC", "arrow_schema", "is_parquet", "parquet_lines", "records_to_parquet"]
