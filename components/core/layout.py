"""The S3 key layout Firehose writes: one definition shared by the component and the local delivery relay."""

from __future__ import annotations

import re
from datetime import UTC, datetime

HIVE_TIME_PARTITIONS = "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"
ERROR_OUTPUT_TYPE = "!{firehose:error-output-type}/"
APPEND_DELIMITER_PROCESSOR = "AppendDelimiterToRecord"
"""The Firehose processor that ends every record with a newline, so objects are newline-delimited whatever the
producer sent."""


def delivery_prefix(data_prefix: str) -> str:
    """Hive-style partitions let Athena/Glue prune by time without listing the whole bucket."""
    return f"{data_prefix}{HIVE_TIME_PARTITIONS}"


def error_output_prefix(error_prefix: str) -> str:
    """Failed records are grouped by failure type (e.g. `processing-failed/`) and time, like the data."""
    return f"{error_prefix}{ERROR_OUTPUT_TYPE}{HIVE_TIME_PARTITIONS}"


_DATE_FIELDS = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}
_DATE_TOKEN = re.compile(r"'(?P<quoted>[^']*)'|(?P<letters>([A-Za-z])\3*)|(?P<literal>[^A-Za-z']+)")
_TIMESTAMP_EXPRESSION = re.compile(r"!\{timestamp:([^}]*)\}")


def format_timestamp(pattern: str, moment: datetime) -> str:
    """The subset of Java's DateTimeFormatter that Firehose S3 prefixes use (yyyy yy MM dd HH mm ss, 'quoted
    text', punctuation), in UTC as Firehose evaluates them by default. Anything else raises ValueError rather
    than being guessed: a local tool that formats a key differently from Firehose would look in the wrong place."""
    utc = moment.astimezone(UTC)
    parts = []
    position = 0
    for match in _DATE_TOKEN.finditer(pattern):
        if match.start() != position:
            break
        position = match.end()
        if match["quoted"] is not None:
            parts.append(match["quoted"])
        elif match["letters"] is not None:
            if match["letters"] not in _DATE_FIELDS:
                raise ValueError(f"cannot format {match['letters']!r} in !{{timestamp:{pattern}}}")
            parts.append(utc.strftime(_DATE_FIELDS[match["letters"]]))
        else:
            parts.append(match["literal"])
    if position != len(pattern):
        raise ValueError(f"cannot parse !{{timestamp:{pattern}}}")
    return "".join(parts)


def expand_timestamps(template: str, moment: datetime) -> str:
    """`template` with every `!{timestamp:...}` expression evaluated for `moment`."""
    return _TIMESTAMP_EXPRESSION.sub(lambda match: format_timestamp(match.group(1), moment), template)
