"""The Firehose stand-in converting to Parquet as the stack's conversion configuration says, with the columns of
the Glue table it reads back; and what verify reads from the result."""

from __future__ import annotations

import io
from typing import Any

import pyarrow.parquet as pq
import pytest

from components.core.catalog import table_columns
from ingest.errors import ConfigurationError
from ingest.local.firehose_standin import DeliverySettings, FirehoseStandIn
from ingest.records import RECORD_SCHEMA, Provenance, decode_record, encode_record, validate_record
from ingest.sample import generate_records
from ingest.verify.reading import iter_lines

from .conftest import BUCKET, make_stream, objects, put, settings
from .test_firehose_standin import FakeClock

DATABASE, TABLE = "tracking_dev", "price_record"


def _glue_table(glue: Any) -> None:
    glue.create_database(DatabaseInput={"Name": DATABASE})
    glue.create_table(
        DatabaseName=DATABASE,
        TableInput={
            "Name": TABLE,
            "StorageDescriptor": {
                "Columns": [{"Name": c.name, "Type": c.type} for c in table_columns(RECORD_SCHEMA)],
                "Location": f"s3://{BUCKET}/crypto/",
            },
        },
    )


def _records(count: int) -> list[bytes]:
    return [
        encode_record(validate_record(raw), Provenance(source="s3://seed/a.json", run_id="run", index=index))
        for index, raw in enumerate(generate_records(count))
    ]


def _description(stream_arn: str, **s3: Any) -> dict[str, Any]:
    destination = {
        "BucketARN": f"arn:aws:s3:::{BUCKET}",
        "Prefix": settings(stream_arn).prefix,
        "CompressionFormat": "UNCOMPRESSED",
        "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 60},
        "FileExtension": ".parquet",
        "DataFormatConversionConfiguration": {
            "Enabled": True,
            "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {"CaseInsensitive": True}}},
            "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {"Compression": "SNAPPY"}}},
            "SchemaConfiguration": {"DatabaseName": DATABASE, "TableName": TABLE, "RoleARN": "arn:aws:iam::1:role/r"},
        },
        **s3,
    }
    return {
        "DeliveryStreamName": "tracking-delivery",
        "VersionId": "1",
        "Source": {"KinesisStreamSourceDescription": {"KinesisStreamARN": stream_arn}},
        "Destinations": [{"DestinationId": "d", "ExtendedS3DestinationDescription": destination}],
    }


def _relay(aws: Any, stream_arn: str, glue: Any) -> FirehoseStandIn:
    return FirehoseStandIn(
        DeliverySettings.from_description(_description(stream_arn)),
        kinesis=aws.kinesis,
        s3=aws.s3,
        glue=glue,
        clock=FakeClock(),
    )


def test_a_converting_delivery_stream_writes_one_snappy_parquet_file_with_the_tables_columns(aws):
    stream_arn = make_stream(aws)
    glue = aws.client("glue")
    _glue_table(glue)
    records = _records(300)
    put(aws, records, aggregate=True)

    [delivered] = _relay(aws, stream_arn, glue).flush()

    [(key, data)] = objects(aws).items()
    assert key == delivered.key and key.endswith(".parquet") and "/hour=" in key
    parquet = pq.ParquetFile(io.BytesIO(data))
    assert parquet.schema_arrow.names == [c.name for c in table_columns(RECORD_SCHEMA)]
    assert {parquet.metadata.row_group(0).column(i).compression for i in range(parquet.metadata.num_columns)} == {
        "SNAPPY"
    }
    assert parquet.metadata.num_rows == delivered.records == 300
    row = parquet.read().to_pylist()[0]
    assert row["quotevolume"] == validate_record(next(generate_records(1))).quoteVolume
    assert row["_ingest"] == {"source": "s3://seed/a.json", "run_id": "run", "index": 0}


def test_verify_reads_the_parquet_rows_back_as_the_records_that_were_sent(aws):
    stream_arn = make_stream(aws)
    glue = aws.client("glue")
    _glue_table(glue)
    records = _records(50)
    put(aws, records, aggregate=False)
    _relay(aws, stream_arn, glue).flush()
    [data] = objects(aws).values()

    decoded = [decode_record(line) for line in iter_lines(data)]

    assert decoded == [decode_record(record) for record in records]


def test_keys_that_are_no_column_are_dropped_and_missing_columns_are_null(aws):
    stream_arn = make_stream(aws)
    glue = aws.client("glue")
    _glue_table(glue)
    put(aws, [b'{"DATE": 7, "extra": "dropped"}'], aggregate=False)
    _relay(aws, stream_arn, glue).flush()
    [data] = objects(aws).values()

    [row] = pq.read_table(io.BytesIO(data)).to_pylist()
    assert row["date"] == 7 and row["high"] is None and "extra" not in row


def test_conversion_needs_the_glue_table(aws):
    stream_arn = make_stream(aws)
    with pytest.raises(ConfigurationError, match="give the relay a Glue client"):
        _relay(aws, stream_arn, None)
    with pytest.raises(ConfigurationError, match="no Glue table tracking_dev.price_record"):
        _relay(aws, stream_arn, aws.client("glue"))
