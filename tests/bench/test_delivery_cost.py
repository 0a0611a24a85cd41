"""Delivery cost: which buffering hint closes the objects, how many objects and bytes a million records make."""

import pytest

from bench.delivery_cost import compression_ratio, delivery_cost, stack_delivery_costs
from components.core.settings import TrackingPipelineArgs
from components.core.stack_config import args_from_config
from ingest.local.stack_file import read_stack_file

LINE = b"x" * 1023 + b"\n"  # 1 KiB per delivered line
SETTINGS = TrackingPipelineArgs(buffering_size_mb=1, buffering_interval_seconds=60, compression="UNCOMPRESSED")


def test_a_slow_stream_is_flushed_by_the_interval():
    cost = delivery_cost("test", SETTINGS, 10, [LINE] * 100)  # 10 KiB/s: 1 MiB would take 102.4 s

    assert cost.flush_trigger == "interval"
    assert cost.seconds_per_object == 60
    assert cost.records_per_object == pytest.approx(600)
    assert cost.objects_per_million_records == pytest.approx(1_000_000 / 600)
    assert cost.stored_bytes_per_million_records == pytest.approx(1_000_000 * 1024)


def test_a_fast_stream_is_flushed_by_the_size():
    cost = delivery_cost("test", SETTINGS, 1000, [LINE] * 100)  # 1000 KiB/s

    assert cost.flush_trigger == "size"
    assert cost.seconds_per_object == pytest.approx(1.024)
    assert cost.records_per_object == pytest.approx(1024)
    assert cost.object_bytes == pytest.approx(1024 * 1024)


def test_an_object_holds_at_least_one_record():
    cost = delivery_cost("test", SETTINGS, 0.001, [LINE])
    assert cost.objects_per_million_records == pytest.approx(1_000_000)
    assert cost.seconds_per_object == pytest.approx(1000)


def test_gzip_shrinks_what_is_stored_by_the_measured_ratio():
    lines = [b'{"date":%d,"high":1.5}\n' % index for index in range(2000)]
    gzip_settings = TrackingPipelineArgs(buffering_size_mb=1, buffering_interval_seconds=60, compression="GZIP")

    cost = delivery_cost("test", gzip_settings, 1000, lines)

    assert 0 < cost.compression_ratio < 0.5
    average = sum(map(len, lines)) / len(lines)
    assert cost.stored_bytes_per_million_records == pytest.approx(1_000_000 * average * cost.compression_ratio)


def test_compression_ratios():
    lines = [b"abc\n"] * 1000
    assert compression_ratio("UNCOMPRESSED", lines) == 1.0
    assert compression_ratio("GZIP", lines) == compression_ratio("ZIP", lines) < 0.1
    assert compression_ratio("Snappy", lines) is None


@pytest.mark.parametrize("rate", [0, -1])
def test_the_arrival_rate_must_be_positive(rate):
    with pytest.raises(ValueError):
        delivery_cost("test", SETTINGS, rate, [LINE])


def test_the_stacks_settings_come_from_their_stack_files():
    costs = stack_delivery_costs([LINE] * 10, rates=(10,))

    assert [cost.stack for cost in costs] == ["dev", "prod"]
    for cost in costs:
        args = args_from_config(read_stack_file(cost.stack))
        assert (cost.buffering_size_mb, cost.buffering_interval_seconds, cost.compression) == (
            args.buffering_size_mb,
            args.buffering_interval_seconds,
            "PARQUET" if args.record_format == "parquet" else args.compression,
        )
    assert {cost.stack: cost.compression_ratio for cost in costs}["prod"] is None, "Parquet is measured elsewhere"
