"""The Firehose stand-in, against in-process moto: what it reads, how it buffers, what it writes and where."""

from __future__ import annotations

import gzip
import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from components.core.layout import delivery_prefix, error_output_prefix
from ingest.errors import ConfigurationError
from ingest.local.firehose_standin import (
    MIB,
    DeliverySettings,
    FirehoseStandIn,
    RelayStoppedError,
    evaluate_prefix,
    format_timestamp,
    object_key,
)

from .conftest import BUCKET, DELIVERY_STREAM, STREAM, make_stream, objects, put, settings, user_records

KEY = re.compile(
    r"crypto/year=(?P<year>\d{4})/month=(?P<month>\d\d)/day=(?P<day>\d\d)/hour=(?P<hour>\d\d)/"
    rf"{DELIVERY_STREAM}-1-(?P<stamp>\d{{4}}-\d\d-\d\d-\d\d-\d\d-\d\d)-"
    r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}(?P<extension>\.gz)?"
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def relay(aws: Any, stream_arn: str, clock: FakeClock | None = None, **overrides: Any) -> FirehoseStandIn:
    return FirehoseStandIn(
        settings(stream_arn, **overrides), kinesis=aws.kinesis, s3=aws.s3, clock=clock or FakeClock()
    )


def body(data: bytes, key: str) -> bytes:
    return gzip.decompress(data) if key.endswith(".gz") else data


@pytest.mark.parametrize("aggregate", [True, False])
def test_every_user_record_is_delivered_once_with_a_newline(aws, aggregate):
    stream_arn = make_stream(aws)
    records = user_records(500)
    put(aws, records, aggregate=aggregate)

    delivered = relay(aws, stream_arn).flush()

    stored = objects(aws)
    assert [item.key for item in delivered] == list(stored)
    assert [item.records for item in delivered] == [500]
    content = body(stored[delivered[0].key], delivered[0].key)
    assert sorted(content.splitlines(keepends=True)) == sorted(record + b"\n" for record in records)


def test_aggregated_records_really_were_aggregated(aws):
    """Guards the test above: with aggregation the stream holds far fewer Kinesis records than user records."""
    stream_arn = make_stream(aws)
    put(aws, user_records(500), aggregate=True)
    shard = aws.kinesis.list_shards(StreamARN=stream_arn)["Shards"][0]["ShardId"]
    iterator = aws.kinesis.get_shard_iterator(StreamARN=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    response = aws.kinesis.get_records(ShardIterator=iterator["ShardIterator"], StreamARN=stream_arn)
    assert 0 < len(response["Records"]) < 10


def test_without_the_delimiter_processor_records_are_concatenated(aws):
    stream_arn = make_stream(aws)
    records = user_records(3)
    put(aws, records, aggregate=False)

    [item] = relay(aws, stream_arn, append_delimiter=False, compression="UNCOMPRESSED").flush()

    content = objects(aws)[item.key]
    assert b"\n" not in content
    assert len(content) == sum(len(record) for record in records)


def test_every_shard_is_read(aws):
    stream_arn = make_stream(aws, shards=4)
    records = user_records(400)
    put(aws, records, aggregate=False)  # random partition keys: every shard gets some
    shards = aws.kinesis.list_shards(StreamARN=stream_arn)["Shards"]
    assert len(shards) == 4

    [item] = relay(aws, stream_arn).flush()

    assert item.records == 400
    assert sorted(body(objects(aws)[item.key], item.key).splitlines()) == sorted(records)


def test_a_shard_added_while_running_is_read_too(aws):
    stream_arn = make_stream(aws, shards=1)
    stand_in = relay(aws, stream_arn)
    put(aws, user_records(10), aggregate=False)
    stand_in.poll()
    aws.kinesis.update_shard_count(StreamName=STREAM, TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    put(aws, user_records(30, start=10), aggregate=False)

    delivered = stand_in.flush()

    assert sum(item.records for item in delivered) == 30


def test_size_limit_cuts_objects_before_they_exceed_the_buffer(aws):
    stream_arn = make_stream(aws)
    records = user_records(5, padding=400 * 1024)  # ~400 KiB each: two fit in 1 MiB, three do not
    put(aws, records, aggregate=False)
    stand_in = relay(aws, stream_arn, compression="UNCOMPRESSED")

    stand_in.poll()

    assert [item.records for item in stand_in.delivered] == [2, 2]
    assert all(item.size <= MIB for item in stand_in.delivered)
    assert [item.records for item in stand_in.flush()] == [1]
    assert sorted(b"".join(objects(aws).values()).splitlines()) == sorted(records)


def test_interval_flushes_the_buffer_once_it_has_passed(aws):
    stream_arn = make_stream(aws)
    clock = FakeClock()
    stand_in = relay(aws, stream_arn, clock, buffering_seconds=60.0)
    put(aws, user_records(5), aggregate=False)

    assert stand_in.poll() == 5
    clock.now += 59.9
    stand_in.poll()
    assert stand_in.delivered == []

    clock.now += 0.1
    stand_in.poll()
    assert [item.records for item in stand_in.delivered] == [5]


@pytest.mark.parametrize(("compression", "extension"), [("GZIP", ".gz"), ("UNCOMPRESSED", "")])
def test_compression_and_extension(aws, compression, extension):
    stream_arn = make_stream(aws)
    put(aws, user_records(50), aggregate=True)

    [item] = relay(aws, stream_arn, compression=compression).flush()

    stored = objects(aws)[item.key]
    match = KEY.fullmatch(item.key)
    assert match, item.key
    assert (match["extension"] or "") == extension
    assert stored.startswith(b"\x1f\x8b") is (compression == "GZIP")
    assert item.size == len(stored)
    assert len(body(stored, item.key).splitlines()) == 50


def test_key_layout_follows_the_oldest_records_arrival_time(aws):
    stream_arn = make_stream(aws)
    put(aws, user_records(20), aggregate=False)
    shard = aws.kinesis.list_shards(StreamARN=stream_arn)["Shards"][0]["ShardId"]
    iterator = aws.kinesis.get_shard_iterator(StreamARN=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    response = aws.kinesis.get_records(ShardIterator=iterator["ShardIterator"], StreamARN=stream_arn)
    arrivals = [record["ApproximateArrivalTimestamp"] for record in response["Records"]]
    oldest = min(arrivals).astimezone(UTC)

    [item] = relay(aws, stream_arn).flush()

    match = KEY.fullmatch(item.key)
    assert match, item.key
    assert (match["year"], match["month"], match["day"], match["hour"]) == (
        f"{oldest:%Y}",
        f"{oldest:%m}",
        f"{oldest:%d}",
        f"{oldest:%H}",
    )
    assert match["stamp"] == f"{oldest:%Y-%m-%d-%H-%M-%S}"
    assert match["extension"] == ".gz"


def test_nothing_published_nothing_written(aws):
    stream_arn = make_stream(aws)
    assert relay(aws, stream_arn).flush() == []
    assert objects(aws) == {}


def test_background_thread_delivers_by_interval_and_stops(aws):
    stream_arn = make_stream(aws)
    stand_in = FirehoseStandIn(
        settings(stream_arn, buffering_seconds=0.0), kinesis=aws.kinesis, s3=aws.s3, poll_seconds=0.01
    )
    stand_in.start()
    assert stand_in.running
    try:
        put(aws, user_records(7), aggregate=True)
        deadline = time.monotonic() + 10
        while not stand_in.delivered and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        assert stand_in.stop() == []
    assert not stand_in.running
    assert sum(item.records for item in stand_in.delivered) == 7


def test_a_failure_in_the_background_thread_is_raised_not_swallowed(aws):
    stream_arn = make_stream(aws)
    stand_in = FirehoseStandIn(
        settings(stream_arn, bucket="no-such-bucket", buffering_seconds=0.0),
        kinesis=aws.kinesis,
        s3=aws.s3,
        poll_seconds=0.01,
    )
    put(aws, user_records(3), aggregate=False)
    stand_in.start()
    deadline = time.monotonic() + 10
    while stand_in.running and time.monotonic() < deadline:
        time.sleep(0.01)
    with pytest.raises(RelayStoppedError, match="NoSuchBucket"):
        stand_in.stop()


def test_a_failed_write_keeps_the_records_buffered(aws):
    stream_arn = make_stream(aws)
    put(aws, user_records(4), aggregate=False)
    stand_in = relay(aws, stream_arn)
    aws.s3.delete_bucket(Bucket=BUCKET)
    with pytest.raises(Exception, match="NoSuchBucket"):
        stand_in.flush()
    aws.s3.create_bucket(Bucket=BUCKET)

    assert [item.records for item in stand_in.flush()] == [4]


def test_settings_come_from_the_delivery_stream_description(aws):
    stream_arn = make_stream(aws)
    aws.firehose.create_delivery_stream(
        DeliveryStreamName=DELIVERY_STREAM,
        DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={
            "KinesisStreamARN": stream_arn,
            "RoleARN": "arn:aws:iam::123456789012:role/r",
        },
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/r",
            "BucketARN": f"arn:aws:s3:::{BUCKET}",
            "Prefix": delivery_prefix("crypto/"),
            "ErrorOutputPrefix": error_output_prefix("errors/"),
            "BufferingHints": {"SizeInMBs": 3, "IntervalInSeconds": 90},
            "CompressionFormat": "UNCOMPRESSED",
            "ProcessingConfiguration": {"Enabled": True, "Processors": [{"Type": "AppendDelimiterToRecord"}]},
        },
    )
    stand_in = FirehoseStandIn.for_delivery_stream(
        DELIVERY_STREAM, firehose=aws.firehose, kinesis=aws.kinesis, s3=aws.s3
    )
    assert stand_in.settings == DeliverySettings(
        delivery_stream_name=DELIVERY_STREAM,
        version_id="1",
        source_stream_arn=stream_arn,
        bucket=BUCKET,
        prefix=delivery_prefix("crypto/"),
        buffering_bytes=3 * MIB,
        buffering_seconds=90.0,
        compression="UNCOMPRESSED",
        append_delimiter=True,
    )


def _description(**destination: Any) -> dict[str, Any]:
    s3 = {"BucketARN": f"arn:aws:s3:::{BUCKET}", "Prefix": "p/", "CompressionFormat": "GZIP", **destination}
    return {
        "DeliveryStreamName": DELIVERY_STREAM,
        "VersionId": "4",
        "Source": {"KinesisStreamSourceDescription": {"KinesisStreamARN": "arn:aws:kinesis:us-east-1:1:stream/s"}},
        "Destinations": [{"DestinationId": "d", "ExtendedS3DestinationDescription": s3}],
    }


@pytest.mark.parametrize(
    ("destination", "refusal"),
    [
        ({"CompressionFormat": "Snappy"}, "not Snappy"),
        (
            {"ProcessingConfiguration": {"Enabled": True, "Processors": [{"Type": "Lambda"}]}},
            "cannot run the Lambda processor",
        ),
        ({"DynamicPartitioningConfiguration": {"Enabled": True}}, "DynamicPartitioningConfiguration"),
        ({"S3BackupMode": "Enabled"}, "S3 backups"),
        ({"CustomTimeZone": "Asia/Tokyo"}, "UTC only"),
        (
            {
                "DataFormatConversionConfiguration": {
                    "Enabled": True,
                    "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
                    "OutputFormatConfiguration": {"Serializer": {"OrcSerDe": {}}},
                    "SchemaConfiguration": {"DatabaseName": "d", "TableName": "t"},
                }
            },
            "to Parquet only",
        ),
    ],
)
def test_what_the_relay_cannot_do_is_refused_not_imitated(destination, refusal):
    with pytest.raises(ConfigurationError, match=refusal):
        DeliverySettings.from_description(_description(**destination))


def test_a_direct_put_delivery_stream_is_refused():
    description = _description()
    del description["Source"]
    with pytest.raises(ConfigurationError, match="no Kinesis stream source"):
        DeliverySettings.from_description(description)


def test_a_disabled_processor_adds_no_delimiter():
    description = _description(
        ProcessingConfiguration={"Enabled": False, "Processors": [{"Type": "AppendDelimiterToRecord"}]}
    )
    parsed = DeliverySettings.from_description(description)
    assert (parsed.append_delimiter, parsed.version_id) == (False, "4")


MOMENT = datetime(2018, 3, 7, 5, 9, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("yyyy", "2018"),
        ("MM", "03"),
        ("dd", "07"),
        ("HH", "05"),
        ("yyyy-MM-dd", "2018-03-07"),
        ("yyyy'-'MM'-'dd", "2018-03-07"),
        ("yyyy/MM/dd/HH/", "2018/03/07/05/"),
        ("'T'HH:mm:ss", "T05:09:02"),
        ("yy", "18"),
    ],
)
def test_timestamp_patterns(pattern, expected):
    assert format_timestamp(pattern, MOMENT) == expected


@pytest.mark.parametrize("pattern", ["EEE", "yyyy-MMM", "'unterminated"])
def test_unknown_timestamp_patterns_are_refused(pattern):
    with pytest.raises(ConfigurationError):
        format_timestamp(pattern, MOMENT)


def test_prefix_evaluation():
    assert evaluate_prefix(delivery_prefix("crypto/"), MOMENT) == "crypto/year=2018/month=03/day=07/hour=05/"
    assert evaluate_prefix("plain/", MOMENT) == "plain/2018/03/07/05/"
    assert re.fullmatch(r"r/[A-Za-z0-9]{11}/2018/03/07/05/", evaluate_prefix("r/!{firehose:random-string}/", MOMENT))
    with pytest.raises(ConfigurationError, match="partitionKeyFromQuery"):
        evaluate_prefix("!{partitionKeyFromQuery:id}/!{timestamp:yyyy}/", MOMENT)


def test_object_key_uses_utc_and_firehose_naming():
    local = MOMENT.astimezone(datetime.now().astimezone().tzinfo)
    key = object_key(settings("arn", version_id="7"), local, object_id="00000000-0000-4000-8000-000000000000")
    assert key == (
        "crypto/year=2018/month=03/day=07/hour=05/"
        "tracking-delivery-7-2018-03-07-05-09-02-00000000-0000-4000-8000-000000000000.gz"
    )
