"""The arithmetic behind the figures: payload units, the physical floor, capacity, ratios, scaling, metering."""

import pytest

from bench.comparison import FIGURES, ProducerFigures, ratios
from bench.kinesis_limits import MIB, byte_capacity_fraction, floor_seconds, payload_units, record_size
from bench.meter import Meter
from bench.shard_limits import needed_for_all
from bench.standin import THROTTLED


@pytest.mark.parametrize(
    ("size", "units"),
    [(0, 1), (1, 1), (25 * 1024, 1), (25 * 1024 + 1, 2), (50 * 1024, 2), (MIB, 41)],
)
def test_payload_units_are_25_kib_chunks_rounded_up(size, units):
    assert payload_units(size) == units


def test_payload_units_refuse_a_negative_size():
    with pytest.raises(ValueError):
        payload_units(-1)


def test_record_size_counts_the_key_in_utf8_bytes():
    assert record_size(b"abc", "é") == 5


def test_floor_is_bound_by_bytes_when_records_are_big():
    assert floor_seconds(4 * MIB, 10, 2) == pytest.approx(2.0)


def test_floor_is_bound_by_record_count_when_records_are_small():
    assert floor_seconds(1000, 3000, 2) == pytest.approx(1.5)


def test_floor_needs_a_shard():
    with pytest.raises(ValueError):
        floor_seconds(1, 1, 0)


def test_byte_capacity_fraction():
    assert byte_capacity_fraction(4 * MIB, 4.0, 2) == pytest.approx(0.5)
    assert byte_capacity_fraction(4 * MIB, 0.0, 2) is None


def test_floor_counts_the_records_a_producer_gave_up_on():
    assert needed_for_all(600, 6, 60, 100) == (1000, 10)
    assert needed_for_all(600, 6, 100, 100) == (600, 6)


def figures(**changes) -> ProducerFigures:
    values = dict(
        wall_s=2.0,
        records_per_s=500.0,
        api_calls=10,
        bytes=1000,
        put_payload_units=10,
        retries=0,
        records=1000,
        measured_records=1000,
        failed_records=0,
        kinesis_records=10,
        client_cpu_s=1.0,
    )
    return ProducerFigures(**{**values, **changes})


def test_ratios_divide_by_the_default_producer():
    result = ratios({"ingest": figures(), "batched": figures(wall_s=6.0, api_calls=5, retries=3)})

    assert result["batched"]["wall_s"] == pytest.approx(3.0)
    assert result["batched"]["api_calls"] == pytest.approx(0.5)
    assert result["batched"]["retries"] is None  # the default made no retry: no ratio
    assert result["ingest"]["bytes"] == pytest.approx(1.0)


def test_ratios_are_none_without_the_default_producer():
    assert ratios({"batched": figures()})["batched"] == dict.fromkeys(FIGURES)


def test_scaling_extrapolates_counts_and_time_but_keeps_rates():
    scaled = figures(records=100, measured_records=100, wall_s=1.0, records_per_s=100.0).scaled_to(1000)

    assert (scaled.wall_s, scaled.records_per_s, scaled.api_calls, scaled.bytes) == (10.0, 100.0, 100, 10_000)
    assert (scaled.records, scaled.measured_records, scaled.scaled) == (1000, 100, True)
    assert figures().scaled is False


def test_the_figures_of_a_producer_are_exactly_the_results_json_keys():
    assert set(figures().figures()) == {"wall_s", "records_per_s", "api_calls", "bytes", "put_payload_units", "retries"}
    assert not set(figures().details()) & set(FIGURES)


def test_meter_counts_units_and_bytes_of_accepted_records_only():
    meter = Meter()
    big = {"Data": b"x" * (30 * 1024), "PartitionKey": "k"}
    small = {"Data": b"x" * 9, "PartitionKey": "k"}

    meter.count_call([big, small, small], [None, None, THROTTLED])
    meter.count_call([small, small], [THROTTLED, THROTTLED])
    meter.count_call([small], ["InternalFailure"])

    assert meter.api_calls == 3
    assert meter.entries_sent == 6
    assert meter.bytes_sent == 30 * 1024 + 1 + 5 * 10
    assert (meter.kinesis_records, meter.bytes_accepted, meter.payload_units) == (2, 30 * 1024 + 1 + 10, 3)
    assert (meter.throttled_entries, meter.failed_entries) == (3, 1)
    assert (meter.calls_throttled, meter.calls_fully_throttled) == (2, 1)
