"""The S3 key layout Firehose writes: one definition shared by the component and the local delivery relay."""

from __future__ import annotations

HIVE_TIME_PARTITIONS = "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"
ERROR_OUTPUT_TYPE = "!{firehose:error-output-type}/"


def delivery_prefix(data_prefix: str) -> str:
    """Hive-style partitions let Athena/Glue prune by time without listing the whole bucket."""
    return f"{data_prefix}{HIVE_TIME_PARTITIONS}"


def error_output_prefix(error_prefix: str) -> str:
    """Failed records are grouped by failure type (e.g. `processing-failed/`) and time, like the data."""
    return f"{error_prefix}{ERROR_OUTPUT_TYPE}{HIVE_TIME_PARTITIONS}"
