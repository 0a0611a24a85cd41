"""A local stand-in for Amazon Data Firehose: delivers a Kinesis-sourced delivery stream into S3.

This is NOT the managed service. moto stores a delivery stream whose source is a Kinesis stream but never reads
that stream, so on the emulator nothing would ever reach the bucket. The relay does, in-process, what Firehose
does for the stack's configuration, reading that configuration back from the emulator (DescribeDeliveryStream)
rather than from the stack settings, so it delivers what was provisioned:

- reads every shard of the source stream (ListShards, then GetShardIterator TRIM_HORIZON and GetRecords), and
  picks up shards that appear later;
- de-aggregates KPL-aggregated records (aws_kinesis_agg), as Firehose does for a Kinesis source;
- appends "\\n" to every record when the AppendDelimiterToRecord processor is configured;
- buffers until the buffering size (MiB, counted before compression) would be exceeded or the buffering
  interval has passed since the buffer's first record, then writes one object;
- compresses as configured (GZIP; UNCOMPRESSED) and names the object as Firehose does:
  `<prefix evaluated><delivery stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>[.gz]`, where the prefix's
  `!{timestamp:...}` expressions and the name's time both use the approximate arrival time (UTC) of the oldest
  record in the object; a configured FileExtension replaces the compression's extension;
- with record format conversion to Parquet (OpenX or Hive JSON deserializer), reads the Glue table the
  configuration names (GetTable, as Firehose does) and writes each buffer as one Parquet file with the table's
  columns and the serializer's compression (`ingest.parquet`).

What it does not do: other compressions, Lambda or other processors, dynamic partitioning, conversion to ORC or
with the Hive deserializer's timestamp formats, backups or custom time zones are refused (ConfigurationError)
rather than imitated. Write
failures are not retried into the error output prefix as Firehose does: the relay stops and raises. It keeps
its position in memory only, and uses the caller's credentials (it does not assume the Firehose role).

`flush()` delivers everything readable now, whatever the buffering hints say: tests and the demo use it instead
of waiting for the interval. `start()` runs `poll()` in a background thread, so delivery also happens by
size and interval as it would in AWS.
"""

from __future__ import annotations

import gzip
import logging
import re
import secrets
import string
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from components.core import layout as prefixes
from ingest.errors import ConfigurationError, IngestError
from ingest.parquet import arrow_schema, records_to_parquet
from ingest.publishing.deaggregation import GET_RECORDS_LIMIT, user_records

LOGGER = logging.getLogger("ingest.local.firehose_standin")

MIB = 1024 * 1024
SUPPORTED_COMPRESSIONS = {"UNCOMPRESSED": "", "GZIP": ".gz"}
"""Compression format -> the file extension Firehose gives the object."""
APPEND_DELIMITER = prefixes.APPEND_DELIMITER_PROCESSOR
DEFAULT_TIME_PREFIX = "!{timestamp:yyyy/MM/dd/HH/}"
"""Firehose's time folders when the prefix has no timestamp expression of its own."""
DEFAULT_POLL_SECONDS = 0.2
_UNSUPPORTED_ENABLED = ("DynamicPartitioningConfiguration",)
_JSON_DESERIALIZERS = ("OpenXJsonSerDe", "HiveJsonSerDe")
_EXPRESSION = re.compile(r"!\{(?P<namespace>[^}:]+):(?P<value>[^}]*)\}")
_RANDOM_ALPHABET = string.ascii_letters + string.digits
_RANDOM_STRING_LENGTH = 11


class RelayStoppedError(IngestError):
    """The background thread met an error (a failed read or write) and stopped delivering."""


@dataclass(frozen=True)
class ParquetConversion:
    """Record format conversion to Parquet: the Glue table whose columns the files get, and their compression."""

    database: str
    table: str
    compression: str
    dictionary: bool

    @classmethod
    def from_description(cls, name: str, conversion: Mapping[str, Any]) -> ParquetConversion:
        deserializer = (conversion.get("InputFormatConfiguration") or {}).get("Deserializer") or {}
        serializer = (conversion.get("OutputFormatConfiguration") or {}).get("Serializer") or {}
        schema = conversion.get("SchemaConfiguration") or {}
        if not set(deserializer) & set(_JSON_DESERIALIZERS) or (deserializer.get("HiveJsonSerDe") or {}).get(
            "TimestampFormats"
        ):
            raise ConfigurationError(f"delivery stream {name!r}: the relay converts from JSON with default settings")
        if "ParquetSerDe" not in serializer:
            raise ConfigurationError(f"delivery stream {name!r}: the relay converts to Parquet only")
        parquet = serializer["ParquetSerDe"] or {}
        return cls(
            database=schema["DatabaseName"],
            table=schema["TableName"],
            compression=parquet.get("Compression", "SNAPPY"),
            dictionary=bool(parquet.get("EnableDictionaryCompression", False)),
        )


@dataclass(frozen=True)
class DeliverySettings:
    """What the relay takes from a delivery stream's description."""

    delivery_stream_name: str
    version_id: str
    source_stream_arn: str
    bucket: str
    prefix: str
    buffering_bytes: int
    buffering_seconds: float
    compression: str
    append_delimiter: bool
    conversion: ParquetConversion | None = None
    file_extension: str = ""
    """FileExtension: replaces the compression's extension when set."""

    @classmethod
    def from_description(cls, description: Mapping[str, Any]) -> DeliverySettings:
        """From `DescribeDeliveryStream(...)["DeliveryStreamDescription"]`; refuses what the relay cannot do."""
        name = description["DeliveryStreamName"]
        source = (description.get("Source") or {}).get("KinesisStreamSourceDescription")
        if not source:
            raise ConfigurationError(f"delivery stream {name!r} has no Kinesis stream source: nothing to relay")
        destinations = description.get("Destinations") or []
        if len(destinations) != 1 or "ExtendedS3DestinationDescription" not in destinations[0]:
            raise ConfigurationError(f"delivery stream {name!r}: the relay delivers to one extended S3 destination")
        s3 = destinations[0]["ExtendedS3DestinationDescription"]
        _refuse_unsupported(name, s3)
        compression = s3.get("CompressionFormat", "UNCOMPRESSED")
        if compression not in SUPPORTED_COMPRESSIONS:
            raise ConfigurationError(
                f"delivery stream {name!r}: the relay writes {' or '.join(SUPPORTED_COMPRESSIONS)}, not {compression}"
            )
        hints = s3.get("BufferingHints") or {}
        return cls(
            delivery_stream_name=name,
            version_id=str(description.get("VersionId", "1")),
            source_stream_arn=source["KinesisStreamARN"],
            bucket=s3["BucketARN"].split(":::", 1)[-1],
            prefix=s3.get("Prefix") or "",
            buffering_bytes=int(hints.get("SizeInMBs", 5)) * MIB,
            buffering_seconds=float(hints.get("IntervalInSeconds", 300)),
            compression=compression,
            append_delimiter=APPEND_DELIMITER in _processor_types(name, s3),
            conversion=_conversion(name, s3),
            file_extension=s3.get("FileExtension") or "",
        )


def _conversion(name: str, s3: Mapping[str, Any]) -> ParquetConversion | None:
    conversion = s3.get("DataFormatConversionConfiguration") or {}
    if not conversion or not conversion.get("Enabled", True):
        return None
    return ParquetConversion.from_description(name, conversion)


def _processor_types(name: str, s3: Mapping[str, Any]) -> list[str]:
    processing = s3.get("ProcessingConfiguration") or {}
    if not processing.get("Enabled"):
        return []
    types = [processor["Type"] for processor in processing.get("Processors") or []]
    unsupported = [kind for kind in types if kind != APPEND_DELIMITER]
    if unsupported:
        raise ConfigurationError(f"delivery stream {name!r}: the relay cannot run the {unsupported[0]} processor")
    return types


def _refuse_unsupported(name: str, s3: Mapping[str, Any]) -> None:
    for option in _UNSUPPORTED_ENABLED:
        if (s3.get(option) or {}).get("Enabled"):
            raise ConfigurationError(f"delivery stream {name!r}: the relay does not emulate {option}")
    if s3.get("S3BackupMode", "Disabled") != "Disabled":
        raise ConfigurationError(f"delivery stream {name!r}: the relay does not emulate S3 backups")
    if s3.get("CustomTimeZone", "UTC") != "UTC":
        raise ConfigurationError(f"delivery stream {name!r}: the relay evaluates prefixes in UTC only")


def evaluate_prefix(prefix: str, timestamp: datetime) -> str:
    """The prefix with its `!{timestamp:<Java DateTimeFormatter pattern>}` and `!{firehose:random-string}`
    expressions evaluated; Firehose's `yyyy/MM/dd/HH/` folders are added when it has no timestamp expression."""
    if "!{timestamp:" not in prefix:
        prefix += DEFAULT_TIME_PREFIX

    def evaluate(match: re.Match[str]) -> str:
        namespace, value = match["namespace"], match["value"]
        if namespace == "timestamp":
            return format_timestamp(value, timestamp)
        if namespace == "firehose" and value == "random-string":
            return "".join(secrets.choice(_RANDOM_ALPHABET) for _ in range(_RANDOM_STRING_LENGTH))
        raise ConfigurationError(f"the relay cannot evaluate the prefix expression {match[0]}")

    return _EXPRESSION.sub(evaluate, prefix)


def format_timestamp(pattern: str, timestamp: datetime) -> str:
    """`components.core.layout.format_timestamp`, refusing what it cannot format as a configuration error."""
    try:
        return prefixes.format_timestamp(pattern, timestamp)
    except ValueError as exc:
        raise ConfigurationError(f"the relay {exc}") from None


def object_key(settings: DeliverySettings, oldest_arrival: datetime, *, object_id: str | None = None) -> str:
    """`<evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>`, times in UTC."""
    utc = oldest_arrival.astimezone(UTC)
    suffix = (
        f"{settings.delivery_stream_name}-{settings.version_id}-{utc:%Y-%m-%d-%H-%M-%S}-"
        f"{object_id or uuid.uuid4()}{settings.file_extension or SUPPORTED_COMPRESSIONS[settings.compression]}"
    )
    return evaluate_prefix(settings.prefix, utc) + suffix


@dataclass(frozen=True)
class DeliveredObject:
    key: str
    records: int
    size: int
    """Bytes written (after compression)."""


@dataclass
class _Buffer:
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0
    records: int = 0
    oldest_arrival: datetime | None = None
    opened_at: float | None = None

    def add(self, data: bytes, arrival: datetime, now: float) -> None:
        if self.opened_at is None:
            self.opened_at = now
        if self.oldest_arrival is None or arrival < self.oldest_arrival:
            self.oldest_arrival = arrival
        self.chunks.append(data)
        self.size += len(data)
        self.records += 1


class FirehoseStandIn:
    """Delivers the source stream of one delivery stream into its bucket (see the module docstring)."""

    def __init__(
        self,
        settings: DeliverySettings,
        *,
        kinesis: Any,
        s3: Any,
        clock: Callable[[], float] = time.monotonic,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        glue: Any = None,
    ) -> None:
        """`glue` is needed when the delivery stream converts records: the table is read once, here."""
        self.settings = settings
        self._parquet_schema = _table_schema(settings, glue) if settings.conversion is not None else None
        self._kinesis = kinesis
        self._s3 = s3
        self._clock = clock
        self._poll_seconds = poll_seconds
        self._iterators: dict[str, str | None] = {}
        """Shard id -> next iterator; None once a closed shard is read to its end."""
        self._buffer = _Buffer()
        self._delivered: list[DeliveredObject] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    @classmethod
    def for_delivery_stream(
        cls, name: str, *, firehose: Any, kinesis: Any, s3: Any, glue: Any = None, **options: Any
    ) -> FirehoseStandIn:
        description = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        return cls(DeliverySettings.from_description(description), kinesis=kinesis, s3=s3, glue=glue, **options)

    @property
    def delivered(self) -> list[DeliveredObject]:
        """Every object written so far, oldest first."""
        with self._lock:
            return list(self._delivered)

    @property
    def running(self) -> bool:
        """The background thread is polling (False before `start()`, after `stop()` or after a failure)."""
        return self._thread is not None and self._thread.is_alive()

    def poll(self) -> int:
        """Read what every shard holds now, then deliver the buffer if its size or interval is reached.
        Returns the number of user records read."""
        with self._lock:
            return self._read_all()

    def flush(self) -> list[DeliveredObject]:
        """Read everything readable now and deliver it at once, whatever the buffering hints; returns the
        objects this call wrote. Raises what stopped the background thread, if anything did."""
        self._raise_failure()
        with self._lock:
            start = len(self._delivered)
            self._read_all()
            self._deliver()
            return self._delivered[start:]

    def start(self) -> None:
        """Poll in a background thread until `stop()`."""
        if self._thread is not None:
            raise RuntimeError("the relay is already running")
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"relay-{self.settings.delivery_stream_name}")
        self._thread.daemon = True
        self._thread.start()

    def stop(self, *, flush: bool = True) -> list[DeliveredObject]:
        """Stop the background thread; with `flush`, deliver what is still buffered or unread (and raise what
        stopped the thread, if anything did). Returns what this final flush wrote."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        return self.flush() if flush else []

    def _run(self) -> None:
        while not self._stopping.wait(self._poll_seconds):
            try:
                self.poll()
            except Exception as exc:  # surfaced by flush()/stop(): a relay that silently stops would fake a result
                LOGGER.error("the Firehose stand-in stopped: %s", exc)
                self._failure = exc
                return

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise RelayStoppedError(f"the Firehose stand-in stopped: {self._failure}") from self._failure

    def _read_all(self) -> int:
        self._discover_shards()
        read = sum(self._read_shard(shard_id) for shard_id in list(self._iterators))
        opened_at = self._buffer.opened_at
        if opened_at is not None and self._clock() - opened_at >= self.settings.buffering_seconds:
            self._deliver()
        return read

    def _discover_shards(self) -> None:
        paginator = self._kinesis.get_paginator("list_shards")
        for page in paginator.paginate(StreamARN=self.settings.source_stream_arn):
            for shard in page["Shards"]:
                shard_id = shard["ShardId"]
                if shard_id not in self._iterators:
                    self._iterators[shard_id] = self._kinesis.get_shard_iterator(
                        StreamARN=self.settings.source_stream_arn,
                        ShardId=shard_id,
                        ShardIteratorType="TRIM_HORIZON",
                    )["ShardIterator"]

    def _read_shard(self, shard_id: str) -> int:
        read = 0
        iterator = self._iterators[shard_id]
        while iterator is not None:
            response = self._kinesis.get_records(
                ShardIterator=iterator, Limit=GET_RECORDS_LIMIT, StreamARN=self.settings.source_stream_arn
            )
            iterator = response.get("NextShardIterator")
            self._iterators[shard_id] = iterator
            if not response["Records"]:
                break
            for record in response["Records"]:
                for user in user_records(record):
                    self._add(user.data, record["ApproximateArrivalTimestamp"])
                    read += 1
        return read

    def _add(self, data: bytes, arrival: datetime) -> None:
        if self.settings.append_delimiter:
            data += b"\n"
        if self._buffer.size and self._buffer.size + len(data) > self.settings.buffering_bytes:
            self._deliver()
        self._buffer.add(data, arrival, self._clock())
        if self._buffer.size >= self.settings.buffering_bytes:
            self._deliver()

    def _deliver(self) -> None:
        """Write the buffer as one object; it is emptied only once the write succeeded."""
        buffer = self._buffer
        if buffer.oldest_arrival is None:
            return
        if self._parquet_schema is not None and self.settings.conversion is not None:
            conversion = self.settings.conversion
            body = records_to_parquet(
                buffer.chunks,
                self._parquet_schema,
                compression=conversion.compression,
                dictionary=conversion.dictionary,
            )
        else:
            body = b"".join(buffer.chunks)
        if self.settings.compression == "GZIP":
            body = gzip.compress(body)
        key = object_key(self.settings, buffer.oldest_arrival)
        self._s3.put_object(Bucket=self.settings.bucket, Key=key, Body=body)
        self._buffer = _Buffer()
        self._delivered.append(DeliveredObject(key=key, records=buffer.records, size=len(body)))
        LOGGER.debug("delivered %s (%d records, %d bytes)", key, buffer.records, len(body))


def _table_schema(settings: DeliverySettings, glue: Any) -> Any:
    """The Arrow schema of the Glue table the conversion names: its columns, in order (partition keys are folders,
    not columns of the file)."""
    conversion = settings.conversion
    assert conversion is not None
    if glue is None:
        raise ConfigurationError(
            f"delivery stream {settings.delivery_stream_name!r} converts records with the Glue table "
            f"{conversion.database}.{conversion.table}: give the relay a Glue client"
        )
    try:
        table = glue.get_table(DatabaseName=conversion.database, Name=conversion.table)["Table"]
    except glue.exceptions.EntityNotFoundException:
        raise ConfigurationError(
            f"delivery stream {settings.delivery_stream_name!r}: no Glue table {conversion.database}.{conversion.table}"
        ) from None
    columns = table["StorageDescriptor"]["Columns"]
    try:
        return arrow_schema((column["Name"], column["Type"]) for column in columns)
    except ValueError as exc:
        raise ConfigurationError(f"Glue table {conversion.database}.{conversion.table}: {exc}") from None
